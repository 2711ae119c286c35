from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peyvand.contacts.models import Contact
from peyvand.core.dates import JalaliDateField
from peyvand.core.forms import AutocompleteSelect, EditVersionMixin
from peyvand.core.text import normalize_persian
from peyvand.lookups.models import Channel
from peyvand.surveys.models import Project, Question, Questionnaire, SurveyResponse


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["name", "subject", "is_active"]
        widgets = {"subject": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = Questionnaire.Subject.choices

    def clean_name(self) -> str:
        return normalize_persian(self.cleaned_data["name"])


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["text", "min_score", "max_score"]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_score"), cleaned.get("max_score")
        if low is not None and high is not None and high <= low:
            self.add_error("max_score", _("بیشترین امتیاز باید از کمترین امتیاز بیشتر باشد."))
        if high is not None and high > 100:
            self.add_error("max_score", _("امتیاز حداکثر ۱۰۰ است."))
        return cleaned


QuestionFormSet = forms.inlineformset_factory(
    Questionnaire,
    Question,
    form=QuestionForm,
    extra=3,
    can_delete=True,
    min_num=1,
    validate_min=True,
)


class ProjectForm(EditVersionMixin, forms.ModelForm):
    start = JalaliDateField(label=_("تاریخ شروع"))
    end = JalaliDateField(label=_("تاریخ پایان"), required=False)

    class Meta:
        model = Project
        fields = ["name", "contact", "start", "end", "status", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(
            Q(pk__in=Contact.objects.visible_to(user)) | Q(pk=self.instance.contact_id)
        )
        self.fields["contact"].widget = AutocompleteSelect(reverse("contacts:autocomplete"))
        self.fields["contact"].widget.choices = self.fields["contact"].choices

    def clean_name(self) -> str:
        return normalize_persian(self.cleaned_data["name"])


class SurveyForm(forms.ModelForm):
    """A questionnaire answered on a call: a score per question (radio buttons over its
    range), the date, the channel and notes."""

    date = JalaliDateField(label=_("تاریخ"))

    class Meta:
        model = SurveyResponse
        fields = ["date", "channel", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questionnaire.questions.all())
        if "channel" in self.fields:  # not in the customer portal's form
            self.fields["channel"].queryset = Channel.objects.active()
            self.fields["channel"].empty_label = _("— نوع ارتباط —")
        for question in self.questions:
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.text,
                choices=[(score, str(score)) for score in question.scores],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": _("امتیاز این پرسش را بدهید.")},
            )

    @property
    def question_fields(self):
        return [self[f"q{question.pk}"] for question in self.questions]

    def scores(self) -> dict[int, int]:
        return {question.pk: self.cleaned_data[f"q{question.pk}"] for question in self.questions}
