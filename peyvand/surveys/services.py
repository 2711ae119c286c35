"""Writes of surveys and projects."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from peyvand.core.services import record_save
from peyvand.surveys.models import Answer, Project, Question, Questionnaire, SurveyResponse


def scaled(score: int, question: Question) -> Decimal:
    """A score as 0–100 of its question's range."""
    span = question.max_score - question.min_score
    return Decimal(100 * (score - question.min_score)) / span


@transaction.atomic
def questionnaire_save(*, questionnaire: Questionnaire, questions: list[Question]) -> Questionnaire:
    """Saves a questionnaire and its questions as typed. A question already answered is
    kept (its answers are history) even when left out; others go."""
    questionnaire.save()
    keep = []
    for order, question in enumerate(questions):
        question.questionnaire = questionnaire
        question.order = order
        question.save()
        keep.append(question.pk)
    gone = questionnaire.questions.exclude(pk__in=keep)
    gone.filter(answers__isnull=True).delete()
    return questionnaire


@transaction.atomic
def survey_record(*, response: SurveyResponse, scores: dict[int, int], by) -> SurveyResponse:
    """Records an answered questionnaire: one answer per question, in its range; the
    response's score is the mean of the answers scaled to 0–100."""
    questions = list(response.questionnaire.questions.all())
    if not questions:
        raise ValidationError("این پرسشنامه پرسشی ندارد.")
    for question in questions:
        score = scores.get(question.pk)
        if score is None or score not in question.scores:
            raise ValidationError(f"برای «{question.text}» امتیازی در بازه آن بدهید.")
    response.contact = response.subject.contact
    response.score = round(sum(scaled(scores[q.pk], q) for q in questions) / len(questions), 1)
    record_save(record=response, by=by)
    Answer.objects.bulk_create(
        Answer(response=response, question=question, score=scores[question.pk])
        for question in questions
    )
    return response


def project_save(
    *, project: Project, by, before: dict | None = None, version: datetime.datetime | None = None
) -> Project:
    """Creates or changes a project (refused if stale: ``version``, see core.versions)."""
    return record_save(record=project, by=by, before=before, version=version)
