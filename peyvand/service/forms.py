from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peyvand.accounts.models import User
from peyvand.accounts.selectors import users_who_can
from peyvand.contacts.models import Contact
from peyvand.core.dates import JalaliDateField
from peyvand.core.forms import AutocompleteSelect, EditVersionMixin, MoneyField
from peyvand.core.text import normalize_persian
from peyvand.core.validators import normalize_mobile, normalize_record_code
from peyvand.customfields.forms import CustomFieldsMixin
from peyvand.lookups.models import Channel, RequestType, Urgency
from peyvand.sales.models import Product
from peyvand.service.models import Complaint, Feedback, Request, ServiceSettings


class RequestForm(EditVersionMixin, CustomFieldsMixin, forms.ModelForm):
    """A request as its creator registers or (until the assignee acts) edits it."""

    class Meta:
        model = Request
        fields = [
            "contact", "channel", "type1", "type2", "type3", "subject", "description",
            "urgency", "tracking_code", "assignee", "confidentiality", "watchers",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "tracking_code": forms.TextInput(attrs={"dir": "ltr"}),
        }
        help_texts = {"tracking_code": _("خالی بماند تا شماره بعدی سری داده شود.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(
            Q(pk__in=Contact.objects.visible_to(user)) | Q(pk=self.instance.contact_id)
        )
        self.fields["contact"].widget = AutocompleteSelect(reverse("contacts:autocomplete"))
        self.fields["contact"].widget.choices = self.fields["contact"].choices
        self.fields["contact"].empty_label = _("— بدون مشتری —")
        self.fields["channel"].queryset = Channel.objects.active_or(self.instance.channel_id)
        for level in (1, 2, 3):
            name = f"type{level}"
            current = getattr(self.instance, f"{name}_id")
            self.fields[name].queryset = RequestType.objects.active_or(current).filter(level=level)
        self.fields["urgency"].queryset = Urgency.objects.active_or(self.instance.urgency_id)
        self.fields["urgency"].empty_label = None
        self.fields["assignee"].queryset = User.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.assignee_id)
        )
        watching = (
            list(self.instance.watchers.values_list("pk", flat=True)) if self.instance.pk else []
        )
        self.fields["watchers"].queryset = users_who_can("service.view_request", watching)
        self.fields["watchers"].widget.attrs["data-pick-many"] = ""
        self.fields["confidentiality"].required = False  # left out: the default
        self.fields["watchers"].help_text = _(
            "از هر تغییر درخواست باخبر می‌شوند و آن را می‌بینند، هر محرمانگی‌ای داشته باشد."
        )
        self.fields["tracking_code"].required = False
        for name in ("channel", "type1", "type2", "type3", "assignee"):
            self.fields[name].empty_label = _("— انتخاب کنید —")
        for name in ServiceSettings.load().hidden_fields:
            # A field this installation does not use; a value it already has stays.
            self.fields.pop(name, None)
        self.add_custom_fields("service.request")

    def clean_description(self) -> str:
        text = normalize_persian(self.cleaned_data["description"]).strip()
        if not text:
            raise forms.ValidationError(_("شرح درخواست را بنویسید."))
        return text

    def clean_subject(self) -> str:
        return normalize_persian(self.cleaned_data.get("subject", "")).strip()

    def clean_confidentiality(self) -> str:
        return self.cleaned_data.get("confidentiality") or Request.Confidentiality.PRIVATE

    def clean_tracking_code(self) -> str:
        code = normalize_record_code(self.cleaned_data.get("tracking_code"))
        if not code:
            # New: the series' next. Saved: the code it has — a code is never wiped (the
            # API's PUT leaves it out when it does not change it).
            return self.instance.tracking_code
        # Codes stay unique across the trash too: a deleted request can come back.
        taken = Request.all_objects.filter(tracking_code=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("این کد پیگیری برای درخواست دیگری ثبت شده است."))
        return code


class TrackForm(forms.Form):
    """The public tracking page: a tracking code and the customer's mobile number."""

    code = forms.CharField(
        label=_("کد پیگیری"),
        max_length=30,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    mobile = forms.CharField(
        label=_("تلفن همراه"),
        max_length=30,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_code(self) -> str:
        return normalize_persian(self.cleaned_data["code"]).strip()

    def clean_mobile(self) -> str:
        return normalize_mobile(self.cleaned_data["mobile"])


class ServiceSettingsForm(forms.ModelForm):
    hidden_fields = forms.MultipleChoiceField(
        label=_("فیلدهای درخواست که به کار نمی‌روند"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("از فرم و صفحه درخواست برداشته می‌شوند؛ مقدارهای ثبت‌شده می‌مانند."),
    )

    hidden_complaint_fields = forms.MultipleChoiceField(
        label=_("فیلدهای شکایت که به کار نمی‌روند"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("از فرم، فهرست و صفحه شکایت برداشته می‌شوند؛ مقدارهای ثبت‌شده می‌مانند."),
    )

    class Meta:
        model = ServiceSettings
        fields = ["hidden_fields", "hidden_complaint_fields", "portal_assignee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["portal_assignee"].queryset = users_who_can(
            "service.change_request", [self.instance.portal_assignee_id]
        )
        self.fields["portal_assignee"].empty_label = _("— ثبت درخواست در پرتال بسته است —")
        self.fields["hidden_fields"].choices = [
            (name, Request._meta.get_field(name).verbose_name)
            for name in ServiceSettings.HIDEABLE_FIELDS
        ]
        self.fields["hidden_complaint_fields"].choices = [
            (name, Complaint._meta.get_field(name).verbose_name)
            for name in ServiceSettings.HIDEABLE_COMPLAINT_FIELDS
        ]


class FeedbackForm(forms.ModelForm):
    date = JalaliDateField(label=_("تاریخ"))
    value = MoneyField(label=_("ارزش (ریال)"), required=False)

    class Meta:
        model = Feedback
        fields = ["kind", "description", "value", "date"]
        widgets = {"kind": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Feedback.Kind.choices  # no «---------» radio

    def clean_description(self) -> str:
        text = normalize_persian(self.cleaned_data["description"])
        if not text:
            raise forms.ValidationError(_("شرح را بنویسید."))
        return text

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("value")
        if value is not None and value < 0:
            self.add_error("value", _("ارزش نمی‌تواند منفی باشد."))
        return cleaned


class ComplaintForm(EditVersionMixin, CustomFieldsMixin, forms.ModelForm):
    """A complaint as it is registered, and edited while it is followed."""

    date = JalaliDateField(label=_("تاریخ شکایت"))

    class Meta:
        model = Complaint
        fields = [
            "contact", "date", "channel", "source", "description", "product", "staff",
            "officer", "actions",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "actions": forms.Textarea(attrs={"rows": 3}),
            "source": forms.RadioSelect,
        }
        error_messages = {
            "description": {"required": _("شرح شکایت مشتری را بنویسید.")},
            "contact": {"required": _("مشتری شاکی را انتخاب کنید.")},
            "officer": {"required": _("مسئول کنترل شکایت را انتخاب کنید.")},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(
            Q(pk__in=Contact.objects.visible_to(user)) | Q(pk=self.instance.contact_id)
        )
        self.fields["contact"].widget = AutocompleteSelect(reverse("contacts:autocomplete"))
        self.fields["contact"].widget.choices = self.fields["contact"].choices
        self.fields["channel"].queryset = Channel.objects.active_or(self.instance.channel_id)
        self.fields["product"].queryset = Product.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.product_id)
        )
        people = User.objects.filter(Q(is_active=True) | Q(pk=self.instance.officer_id))
        self.fields["officer"].queryset = people
        self.fields["staff"].queryset = User.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.staff_id)
        )
        self.fields["source"].choices = Complaint.Source.choices  # no «---------» radio
        for name in ("channel", "product", "staff", "officer"):
            self.fields[name].empty_label = _("— انتخاب کنید —")
        for name in ServiceSettings.load().hidden_complaint_fields:
            # A field this installation does not use; a value it already has stays.
            self.fields.pop(name, None)
        self.add_custom_fields("service.complaint")

    def clean_description(self) -> str:
        text = normalize_persian(self.cleaned_data["description"]).strip()
        if not text:
            raise forms.ValidationError(_("شرح شکایت مشتری را بنویسید."))
        return text

    def clean_actions(self) -> str:
        return normalize_persian(self.cleaned_data.get("actions", "")).strip()
