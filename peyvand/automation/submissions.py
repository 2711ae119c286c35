"""Forms a manager designs (فرم ساز): the page a visitor fills, and what a submission
makes. A submission finds its contact by mobile, then by email (the same numbers and
addresses the rest of Peyvand matches by), fills only what that contact lacks, makes a
lead, a request or nothing more as the form says, keeps the answers (FormSubmission,
shown on the record's timeline), puts the files on the record, queues the optional
confirmation SMS and tells the «a form sent» rules — all in one transaction.

Spam is kept out without third-party services: a hidden field people do not fill
(``HONEYPOT``), a signed start time (a form sent faster than MIN_SECONDS, or older than
a day, was not filled by a person), and a per-address limit (core.throttle)."""

import datetime
import time

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.activities.reminders import notify
from peyvand.automation import rules
from peyvand.automation.models import Form, FormField, FormSubmission
from peyvand.contacts.models import Contact
from peyvand.contacts.selectors import contact_with_email, contact_with_number
from peyvand.contacts.services import contact_create
from peyvand.core import throttle, timeline
from peyvand.core.attachments import check_upload
from peyvand.core.dates import JalaliDateField, format_date
from peyvand.core.forms import MoneyField
from peyvand.core.history import log_change, snapshot
from peyvand.core.models import Attachment, ChangeRecord, SiteSettings
from peyvand.core.validators import normalize_mobile
from peyvand.messaging.models import Channel
from peyvand.messaging.services import NotSendable, message_queue
from peyvand.messaging.text import placeholder_values, render
from peyvand.sales.models import Lead
from peyvand.sales.services import lead_save
from peyvand.service.models import Request
from peyvand.service.services import request_register

Kind = FormField.Kind
HONEYPOT = "website"  # a field a person never sees, so never fills
STARTED = "started"
MIN_SECONDS = 3
MAX_AGE = datetime.timedelta(days=1)
# Per address and form: enough for a family behind one address, too few for a flood.
LIMIT = 5
WINDOW_SECONDS = 3600
REQUIRED = gettext_lazy("این بخش را پر کنید.")
SMS_LIMIT = 3  # confirmation SMS a day to one number, whatever the forms
CONTACT_KINDS = {Kind.NAME: "name", Kind.MOBILE: "mobile", Kind.EMAIL: "email",
                 Kind.COMPANY: "company"}  # fmt: skip


class MobileField(forms.CharField):
    widget = forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel", "autocomplete": "tel"})

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_mobile(value) if value else ""


def _input(field: FormField) -> forms.Field | None:
    """The Django field of a form field (required is checked by the form, which knows
    whether the field is shown)."""
    # Required as the manager said (the page marks it); a field whose condition hides
    # it is let off by PublicForm.clean.
    common = {
        "label": field.label,
        "help_text": field.help,
        "required": field.required,
        "error_messages": {"required": REQUIRED},
    }
    kind = field.kind
    if kind == Kind.SECTION:
        return None
    if kind in (Kind.NAME, Kind.TEXT, Kind.COMPANY):
        return forms.CharField(max_length=200, **common)
    if kind == Kind.TEXTAREA:
        return forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == Kind.MOBILE:
        return MobileField(**common)
    if kind == Kind.EMAIL:
        return forms.EmailField(
            widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "email"}), **common
        )
    if kind == Kind.NUMBER:
        return forms.DecimalField(
            max_digits=18, decimal_places=4, localize=True,
            widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "decimal"}), **common,
        )  # fmt: skip
    if kind == Kind.MONEY:
        return MoneyField(**(common | {"help_text": field.help or _("به ریال")}))
    if kind == Kind.DATE:
        return JalaliDateField(**common)
    if kind == Kind.CHOICE:
        choices = [(option, option) for option in field.option_list()]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == Kind.MULTI:
        choices = [(option, option) for option in field.option_list()]
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == Kind.YESNO:
        return forms.ChoiceField(
            choices=[("بله", _("بله")), ("خیر", _("خیر"))], widget=forms.RadioSelect, **common
        )
    if kind == Kind.FILE:
        return forms.FileField(**common)
    if kind == Kind.CONSENT:
        return forms.BooleanField(**common)
    raise ValueError(kind)


def _shown_text(field: FormField, value) -> str:
    """An answer as it is kept and shown (Latin digits, as every stored text)."""
    if value in (None, "", [], False):
        return ""
    if field.kind == Kind.MULTI:
        return "، ".join(value)
    if field.kind == Kind.CONSENT:
        return _("پذیرفت")
    if field.kind == Kind.DATE:
        return format_date(value, digits="latin")
    if field.kind == Kind.MONEY:
        return f"{value:,}"
    if field.kind == Kind.FILE:
        return value.name
    if field.kind == Kind.MOBILE and value.startswith("+98"):
        return "0" + value[3:]  # as Iranians write it
    return str(value)


class PublicForm(forms.Form):
    """The visitor's form, built from the manager's fields."""

    def __init__(self, *args, form: Form, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = form
        self.items = list(form.fields.all())
        for field in self.items:
            made = _input(field)
            if made is not None:
                self.fields[field.name] = made
        self.fields[HONEYPOT] = forms.CharField(required=False)
        self.fields[STARTED] = forms.CharField(required=False, widget=forms.HiddenInput)
        if not self.is_bound:
            self.initial[STARTED] = signing.dumps(time.time(), salt="automation.form")

    def rows(self) -> list[tuple[FormField, forms.BoundField | None]]:
        """The page in order: each item with its input (None for a section heading)."""
        return [
            (item, self[item.name] if item.name in self.fields else None) for item in self.items
        ]

    def shown(self, field: FormField, data: dict, depth: int = 0) -> bool:
        """Whether a field is on the page for these answers (its condition met). The
        builder refuses a circle of conditions; ``depth`` stops one all the same."""
        if field.show_if_id is None:
            return True
        other = next((item for item in self.items if item.pk == field.show_if_id), None)
        if other is None:
            return True
        if depth > len(self.items) or not self.shown(other, data, depth + 1):
            return False
        answer = data.get(other.name)
        if field.show_value:
            if isinstance(answer, list):
                return field.show_value in answer
            return _shown_text(other, answer) == field.show_value
        return answer not in (None, "", [], False)

    def clean(self):
        data = super().clean()
        for field in self.items:
            if field.name not in self.fields:
                continue
            if not self.shown(field, data):
                data.pop(field.name, None)
                self.errors.pop(field.name, None)
                continue
            value = data.get(field.name)
            if field.kind == Kind.FILE and value:
                try:
                    check_upload(value)
                except ValidationError as error:
                    self.add_error(field.name, error)
        return data

    def is_spam(self) -> bool:
        """Filled by a program: the hidden field typed in, or sent too fast or too late."""
        if self.data.get(HONEYPOT):
            return True
        try:
            started = signing.loads(
                self.data.get(STARTED, ""), salt="automation.form", max_age=MAX_AGE
            )
        except signing.BadSignature:
            return True
        return time.time() - float(started) < MIN_SECONDS

    def answers(self) -> list[tuple[FormField, object]]:
        data = self.cleaned_data
        return [(field, data.get(field.name)) for field in self.items if field.name in data]


def _contact_for(form: Form, values: dict[str, str], by) -> tuple[Contact | None, bool]:
    """The contact the answers name (by mobile, then by email), or a new one when there
    is a name or a number to make it from. Filled in by a user (``by``), what the found
    contact lacked is completed; a visitor's answers change no existing contact (anyone
    may type a customer's number) — they stay on the submission, for staff to read."""
    contact = None
    if values.get("mobile"):
        contact = contact_with_number(values["mobile"])
    if contact is None and values.get("email"):
        contact = contact_with_email(values["email"])
    if contact is not None and by is None:
        return contact, False
    if contact is not None:
        before = snapshot(contact)
        missing = [name for name in ("email", "company") if values.get(name)
                   and not getattr(contact, name)]  # fmt: skip
        for name in missing:
            setattr(contact, name, values[name])
        if missing:
            contact.save(update_fields=[*missing, "updated_at"])
            log_change(contact, user=form.owner, action=ChangeRecord.Action.CHANGED, before=before)
        return contact, False
    if not (values.get("name") or values.get("mobile") or values.get("email")):
        return None, False
    contact = Contact(
        name=values.get("name") or values.get("mobile") or values.get("email"),
        email=values.get("email", ""),
        company=values.get("company", ""),
        owner=form.owner,
        source=form.source,
    )
    phones = (
        [{"kind": "mobile", "number": values["mobile"], "note": ""}] if values.get("mobile") else []
    )
    return contact_create(contact=contact, phones=phones, by=form.owner), True


def _record_for(form: Form, contact: Contact | None, answers, text: str):
    """What the submission makes: a lead, a request, or nothing more than the contact."""
    targets = {field.target: value for field, value in answers if field.target and value}
    title = str(targets.get("title") or form.title)[:200]
    if form.creates == Form.Creates.LEAD and contact is not None:
        lead = Lead(
            title=title,
            contact=contact,
            source=form.source,
            responsible=form.owner,
            expected_value=targets.get("expected_value") if isinstance(
                targets.get("expected_value"), int) else None,
        )  # fmt: skip
        return lead_save(lead=lead, by=form.owner)
    if form.creates == Form.Creates.REQUEST:
        item = Request(
            subject=title,
            description=text,
            urgency=form.urgency,
            assignee=form.owner,
            contact=contact,
        )
        return request_register(request=item, by=form.owner)
    return contact


@transaction.atomic
def submit(form: Form, public_form: PublicForm, *, by=None) -> FormSubmission:
    """Records a valid submission and everything it makes (see the module docstring)."""
    answers = public_form.answers()
    values = {CONTACT_KINDS[field.kind]: value for field, value in answers
              if field.kind in CONTACT_KINDS and value}  # fmt: skip
    shown = [(field, _shown_text(field, value)) for field, value in answers]
    text = "\n".join(f"{field.label}: {value}" for field, value in shown if value)
    contact, _made = _contact_for(form, values, by)
    record = _record_for(form, contact, answers, text)
    submission = FormSubmission.objects.create(
        form=form,
        answers=[{"label": field.label, "value": value} for field, value in shown if value],
        contact=contact,
        record=record,
        by=by,
    )
    if record is not None:
        for field, value in answers:
            if field.kind == Kind.FILE and value:
                kind = check_upload(value)
                Attachment.objects.create(
                    record=record,
                    file=value,
                    original_name=value.name,
                    mime_type=kind.mime_type,
                    size=value.size,
                    note=_("از فرم «%(form)s»") % {"form": form.name},
                    uploaded_by=form.owner,
                )
    if record is None and form.creates == Form.Creates.LEAD:
        submission.note = _("سرنخ ساخته نشد: نام، تلفن همراه یا ایمیلی در پاسخ‌ها نبود.")
        submission.save(update_fields=["note"])
        notify(
            user=form.owner,
            title=_("فرم «%(name)s» بی سرنخ ماند") % {"name": form.name},
            body=submission.note,
            url=reverse("automation:submission_list", args=[form.pk]),
        )
    elif form.confirm_sms and values.get("mobile"):
        submission.note = _confirm(form, contact, record, values["mobile"])
        submission.save(update_fields=["note"])
    if record is not None:
        rules.form_submitted(form=form, submission=submission, record=record)
    return submission


def _confirm(form: Form, contact: Contact | None, record, mobile: str) -> str:
    """Queues the confirmation SMS to the mobile typed into the form (never to a number
    found elsewhere: a visitor must not make us text someone else), a few a day per
    number; returns why it did not go ("" when it did)."""
    if not throttle.allow(f"form-sms:{mobile}", limit=SMS_LIMIT, window_seconds=86400):
        return _("پیامک تأیید فرستاده نشد: امروز به این شماره بیش از اندازه فرستاده شده است.")
    values = placeholder_values(
        contact=contact,
        sender=form.owner,
        company_name=SiteSettings.load().company_name,
        related=record,
    )
    try:
        message_queue(
            channel=Channel.SMS,
            to=mobile,
            body=render(form.confirm_text, values),
            by=form.owner,
            contact=contact,
            related=record if record is not contact else None,
        )
    except NotSendable as error:
        return _("پیامک تأیید فرستاده نشد: %(why)s") % {"why": error}
    return ""


def submission_items(record, content_type) -> list:
    """A record's timeline: the form submissions that made it, with their answers."""
    rows = (
        FormSubmission.objects.filter(content_type=content_type, object_id=record.pk)
        .select_related("form")
        .order_by("-created_at", "-id")[: timeline.LIMIT]
    )
    return [
        timeline.TimelineItem(
            row.created_at,
            "form",
            row.by,
            row,
            {
                "icon": "ui-checks",
                "label": _("فرم «%(name)s»") % {"name": row.form.title},
                "url": "",
                "text": "\n".join(f"{item['label']}: {item['value']}" for item in row.answers),
            },
        )
        for row in rows
    ]
