from django.contrib import messages as flash
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peyvand.contacts.models import Contact
from peyvand.core.access import get_visible_or_404
from peyvand.core.history import snapshot
from peyvand.core.lists.views import list_context
from peyvand.core.params import int_param
from peyvand.core.services import record_delete
from peyvand.core.timeline import timeline_of
from peyvand.core.versions import StaleEdit
from peyvand.lookups.models import Channel
from peyvand.sales.models import Invoice
from peyvand.surveys import services
from peyvand.surveys.forms import ProjectForm, QuestionFormSet, QuestionnaireForm, SurveyForm
from peyvand.surveys.lists import PROJECTS
from peyvand.surveys.models import Project, Questionnaire, SurveyResponse

manage = permission_required("accounts.manage_settings", raise_exception=True)


# Questionnaires (managers) ---------------------------------------------------------------


@manage
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    questionnaires = Questionnaire.objects.annotate(questions_count=Count("questions"))
    return render(request, "surveys/questionnaire_list.html", {"questionnaires": questionnaires})


@manage
@require_http_methods(["GET", "POST"])
def questionnaire_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    questionnaire = get_object_or_404(Questionnaire, pk=pk) if pk else Questionnaire()
    form = QuestionnaireForm(request.POST or None, instance=questionnaire)
    questions = QuestionFormSet(request.POST or None, instance=questionnaire, prefix="questions")
    if request.method == "POST" and form.is_valid() & questions.is_valid():
        kept = [
            question_form.save(commit=False)
            for question_form in questions.forms
            if question_form.has_changed() or question_form.instance.pk
            if not questions.can_delete or not question_form.cleaned_data.get("DELETE")
            if question_form.cleaned_data.get("text")
        ]
        services.questionnaire_save(questionnaire=form.save(commit=False), questions=kept)
        flash.success(request, _("پرسشنامه «%(name)s» ذخیره شد.") % {"name": questionnaire.name})
        return redirect("surveys:questionnaire_list")
    context = {"form": form, "questions": questions, "questionnaire": questionnaire}
    return render(request, "surveys/questionnaire_form.html", context)


# Projects -------------------------------------------------------------------------------


@permission_required("surveys.view_project", raise_exception=True)
def project_list(request: HttpRequest) -> HttpResponse:
    """The project list (surveys.lists.PROJECTS); a customer's projects: ``?contact=…``."""
    context = list_context(request, PROJECTS)
    context["contact_pk"] = context["reading"].values.get("contact")
    return render(request, "surveys/project_list.html", context)


@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    permission = "surveys.change_project" if pk else "surveys.add_project"
    if not request.user.has_perm(permission):
        raise PermissionDenied
    project = get_visible_or_404(Project, request.user, pk) if pk else Project()
    if not pk and (contact_pk := int_param(request.GET, "contact")):
        project.contact = get_visible_or_404(Contact, request.user, contact_pk)
    before = snapshot(project) if pk else None
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_save(
                project=form.save(commit=False),
                by=request.user,
                before=before,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            form.refuse_stale(stale)
        else:
            flash.success(request, _("پروژه «%(name)s» ذخیره شد.") % {"name": project.name})
            return redirect(project)
    return render(request, "surveys/project_form.html", {"form": form, "project": project})


@permission_required("surveys.view_project", raise_exception=True)
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_visible_or_404(
        Project, request.user, pk, Project.objects.select_related("contact", "owner")
    )
    context = {
        "project": project,
        "record": project,
        "timeline": timeline_of(project),
        **surveys_of(request, project, Questionnaire.Subject.PROJECT),
    }
    return render(request, "surveys/project_detail.html", context)


@permission_required("surveys.delete_project", raise_exception=True)
@require_POST
def project_delete(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_visible_or_404(Project, request.user, pk)
    record_delete(record=project, by=request.user)
    flash.success(request, _("پروژه به سطل بازیافت رفت."))
    return redirect("surveys:project_list")


# Surveys --------------------------------------------------------------------------------

SUBJECTS = {"invoice": Invoice, "project": Project}


def surveys_of(request: HttpRequest, subject, kind: str) -> dict:
    """A subject's answered surveys and the questionnaires that may be asked about it."""
    responses = list(
        subject.survey_responses.visible_to(request.user)
        .select_related("questionnaire", "owner", "channel")
        .order_by("-date", "-id")
    )
    questionnaires = []
    if request.user.has_perm("surveys.add_surveyresponse"):
        questionnaires = list(Questionnaire.objects.filter(subject=kind, is_active=True))
    return {"survey_responses": responses, "questionnaires": questionnaires, "subject_kind": kind}


def invoice_panel_context(request: HttpRequest, invoice: Invoice) -> dict:
    return surveys_of(request, invoice, Questionnaire.Subject.INVOICE)


def contact_panel_context(request: HttpRequest, contact: Contact) -> dict:
    """The customer's survey results on their page: calls, average score, the latest."""
    responses = SurveyResponse.objects.visible_to(request.user).filter(contact=contact)
    summary = responses.aggregate(calls=Count("id"), average=Avg("score"))
    latest = []
    if summary["calls"]:
        latest = list(responses.select_related("questionnaire").order_by("-date", "-id")[:5])
    return {"survey_summary": summary, "latest_surveys": latest}


@permission_required("surveys.add_surveyresponse", raise_exception=True)
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Asks a questionnaire about an invoice or a project (usually on a call) and
    records the answers."""
    model = SUBJECTS.get(kind)
    if model is None:
        raise Http404
    subject = get_visible_or_404(model, request.user, pk)
    # The one asked for, else the subject's first active questionnaire.
    questionnaires = Questionnaire.objects.filter(subject=kind, is_active=True)
    if questionnaire_pk := int_param(request.GET, "questionnaire"):
        questionnaires = questionnaires.filter(pk=questionnaire_pk)
    questionnaire = questionnaires.order_by("name", "id").first()
    if questionnaire is None:
        raise Http404
    response = SurveyResponse(questionnaire=questionnaire, **{kind: subject})
    response.channel = Channel.objects.phone()
    form = SurveyForm(request.POST or None, instance=response, questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_record(
                response=form.save(commit=False), scores=form.scores(), by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("نظرسنجی ثبت شد."))
            return redirect(subject)
    context = {"form": form, "subject": subject, "questionnaire": questionnaire}
    return render(request, "surveys/survey_form.html", context)
