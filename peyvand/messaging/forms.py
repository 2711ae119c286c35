from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from peyvand.core.attachments import check_upload
from peyvand.core.dates import JALALI_MONTHS, JalaliDateTimeField, days_in_jalali_month
from peyvand.core.forms import EditVersionMixin, KeptSecretsMixin
from peyvand.core.models import Attachment
from peyvand.core.registry import conversation_kinds
from peyvand.core.text import to_latin_digits
from peyvand.messaging.gateways import ConsoleGateway
from peyvand.messaging.models import (
    BULK_CHANNELS,
    BaleSettings,
    Channel,
    ContactGroup,
    Mailbox,
    MessageTemplate,
    MessagingSettings,
    Occasion,
    SmsSettings,
    SmtpSettings,
)
from peyvand.messaging.text import UnknownPlaceholder, check_placeholders


def placeholders_checked(form: forms.Form, *names: str) -> None:
    for name in names:
        try:
            check_placeholders(form.cleaned_data.get(name) or "")
        except UnknownPlaceholder as error:
            form.add_error(name, str(error))


class ComposeForm(forms.Form):
    """What the user writes: SMS or email, from a template or by hand, now or later."""

    channel = forms.ChoiceField(label=_("نوع پیام"), choices=Channel.choices, initial=Channel.SMS)
    template = forms.ModelChoiceField(
        label=_("الگو"),
        queryset=MessageTemplate.objects.none(),
        required=False,
        empty_label=_("— بدون الگو —"),
    )
    subject = forms.CharField(label=_("موضوع ایمیل"), max_length=200, required=False)
    body = forms.CharField(
        label=_("متن"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("جای‌نگهدارها مانند {نام} برای هر گیرنده پر می‌شوند."),
    )
    scheduled_at = JalaliDateTimeField(
        label=_("زمان ارسال"),
        required=False,
        help_text=_("خالی یعنی همین حالا."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = MessageTemplate.objects.filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        placeholders_checked(self, "subject", "body")
        if cleaned.get("channel") == Channel.EMAIL and not cleaned.get("subject"):
            self.add_error("subject", _("موضوع ایمیل را بنویسید."))
        return cleaned


class ReplyForm(ComposeForm):
    """An answer to a customer's SMS or email: by the same channel, to whom wrote (the
    channel is fixed; an email's subject starts as «Re: » theirs)."""

    def __init__(self, *args, channel: str = Channel.SMS, subject: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["channel"]
        if channel == Channel.EMAIL:
            self.fields["subject"].required = True
            self.fields["subject"].initial = subject
        else:
            del self.fields["subject"]
        self.fields["template"].queryset = MessageTemplate.objects.filter(
            is_active=True, channel=channel
        )


class BroadcastForm(ComposeForm):
    title = forms.CharField(
        label=_("عنوان ارسال"),
        max_length=150,
        help_text=_("برای پیدا کردن این ارسال در فهرست، مثلاً «تبریک نوروز ۱۴۰۵»."),
    )
    field_order = ["title", "channel", "template", "subject", "body", "scheduled_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = BULK_CHANNELS


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["name", "channel", "subject", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}

    def clean(self):
        cleaned = super().clean()
        placeholders_checked(self, "subject", "body")
        return cleaned


class ContactGroupForm(EditVersionMixin, forms.ModelForm):
    class Meta:
        model = ContactGroup
        fields = ["name", "description"]


class MessagingSettingsForm(forms.ModelForm):
    class Meta:
        model = MessagingSettings
        fields = [
            "quiet_start",
            "quiet_end",
            "birthday_enabled",
            "birthday_template",
            "birthday_hour",
            "birthday_sender",
            "inbound_owner",
            "email_signature",
        ]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "email_signature": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        placeholders_checked(self, "email_signature")
        if cleaned.get("birthday_enabled"):
            if not cleaned.get("birthday_template"):
                self.add_error(
                    "birthday_template", _("برای تبریک خودکار، الگوی پیامک را انتخاب کنید.")
                )
            if not cleaned.get("birthday_sender"):
                self.add_error(
                    "birthday_sender", _("کاربری را که تبریک‌ها به نامش ثبت شود انتخاب کنید.")
                )
        return cleaned


A_LEAP_YEAR = 1403  # 30 Esfand 1403 existed

# Occasions a manager usually wants, to start from: (title, month, day, hour, body).
OCCASION_PRESETS: dict[str, tuple[str, int, int, int, str]] = {
    "nowruz": (
        "تبریک نوروز",
        1,
        1,
        9,
        "{نام} عزیز، نوروزتان پیروز! سال نو را به شما و خانواده‌تان شادباش می‌گوییم. {نام_شرکت_ما}",
    ),
    "teacher": (
        "روز معلم",
        2,
        12,
        9,
        "{نام} گرامی، روز معلم را به شما تبریک می‌گوییم. {نام_شرکت_ما}",
    ),
    "engineer": (
        "روز مهندس",
        12,
        5,
        9,
        "{نام} گرامی، روز مهندس بر شما مبارک. {نام_شرکت_ما}",
    ),
    "yalda": (
        "شب یلدا",
        9,
        30,
        16,
        "{نام} عزیز، یلدایتان مبارک؛ بلندترین شب سال برایتان پر از گرما و شادی باشد. {نام_شرکت_ما}",
    ),
}


class OccasionForm(EditVersionMixin, forms.ModelForm):
    class Meta:
        model = Occasion
        fields = [
            "title",
            "channel",
            "group",
            "month",
            "day",
            "hour",
            "subject",
            "body",
            "is_active",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "hour": _("به وقت تهران، ۰ تا ۲۳؛ پیامک‌ها در ساعت سکوت تا صبح نگه داشته می‌شوند."),
            "day": _("۳۰ اسفند در سال‌های غیرکبیسه ۲۹ اسفند فرستاده می‌شود."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = BULK_CHANNELS
        self.fields["group"].queryset = ContactGroup.objects.visible_to(user)
        self.fields["day"].widget.attrs.update({"min": 1, "max": 31})
        self.fields["hour"].widget.attrs.update({"min": 0, "max": 23})

    def clean(self):
        cleaned = super().clean()
        placeholders_checked(self, "subject", "body")
        month, day = cleaned.get("month"), cleaned.get("day")
        if month and day:
            # The longest the month can be: Esfand has 30 days in a leap year.
            longest = days_in_jalali_month(A_LEAP_YEAR, month)
            if day > longest:
                self.add_error(
                    "day",
                    _("%(month)s %(days)s روز دارد.")
                    % {"month": JALALI_MONTHS[month - 1], "days": longest},
                )
        if cleaned.get("channel") == Channel.EMAIL and not cleaned.get("subject"):
            self.add_error("subject", _("موضوع ایمیل را بنویسید."))
        return cleaned


class DraftForm(forms.Form):
    """A message written for the user (a proforma to its customer, a request's tracking
    code…) and shown for editing before it goes to the outbox."""

    to = forms.CharField(
        label=_("گیرنده"), max_length=254, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    subject = forms.CharField(label=_("موضوع ایمیل"), max_length=200, required=False)
    body = forms.CharField(label=_("متن"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, channel: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        if channel == "sms":
            del self.fields["subject"]
            self.fields["to"].label = _("تلفن همراه گیرنده")
        else:
            self.fields["subject"].required = True
            self.fields["to"].label = _("ایمیل گیرنده")


def _opens_field(label: str, nothing: str, **kwargs) -> forms.ChoiceField:
    """What a customer's new message may open: the conversation kinds that can be
    opened (core.registry), or nothing."""
    kinds = [(kind.label, kind.title) for kind in conversation_kinds.values() if kind.open]
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", nothing)]
        + [(name, _("ثبت %(kind)s تازه") % {"kind": title}) for name, title in kinds],
        **kwargs,
    )


class MailboxForm(KeptSecretsMixin, forms.ModelForm):
    """A company mailbox: the server, the sign-in (the password is never shown back:
    left empty, the saved one stays), and what a new email opens."""

    secret_fields = ("password",)

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "is_active",
            "owner",
            "opens",
            "assignee",
            "request_type",
        ]
        widgets = {
            "address": forms.EmailInput(attrs={"dir": "ltr"}),
            "host": forms.TextInput(attrs={"dir": "ltr"}),
            "username": forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
            "folder": forms.TextInput(attrs={"dir": "ltr"}),
        }

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opens"] = _opens_field(
            _("ایمیل تازه"),
            _("فقط در گفتگوی مشتری بنشیند"),
            help_text=_(
                "ایمیلی که پاسخ پیام‌های ما نیست و کد پیگیری ندارد؛ پاسخ‌های خودکار و"
                " برگشتی‌ها هیچ‌گاه چیزی ثبت نمی‌کنند."
            ),
        )
        if users is not None:
            self.fields["owner"].queryset = users
            self.fields["assignee"].queryset = users

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("password"):
            self.add_error("password", _("رمز عبور صندوق را وارد کنید."))
        return cleaned


class BaleSettingsForm(KeptSecretsMixin, forms.ModelForm):
    """The company's Bale bot: its token (never shown back: left empty, the saved one
    stays), who its messages are for, what «ثبت درخواست» opens."""

    secret_fields = ("token",)

    class Meta:
        model = BaleSettings
        fields = ["is_active", "token", "owner", "opens", "assignee"]

    def __init__(self, *args, users=None, environment_token: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opens"] = _opens_field(
            _("«ثبت درخواست» در ربات"), _("در ربات درخواست ثبت نشود")
        )
        if users is not None:
            self.fields["owner"].queryset = users
            self.fields["assignee"].queryset = users
        if environment_token:
            self.fields["token"].disabled = True
            self.fields["token"].help_text = _(
                "توکن از متغیر محیطی BALE_BOT_TOKEN خوانده می‌شود و بر این صفحه مقدم است."
            )
        elif not self.instance.token:
            self.fields["token"].help_text = _(
                "توکن را از «بات‌فادر»، ربات سازندهٔ ربات‌ها در بله، بگیرید."
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_active"):
            if not cleaned.get("token") and not self.fields["token"].disabled:
                self.add_error("token", _("برای فعال کردن ربات، توکن آن را وارد کنید."))
            if not cleaned.get("owner"):
                self.add_error("owner", _("مسئول پیام‌های بله را انتخاب کنید."))
        return cleaned


class SmsSettingsForm(KeptSecretsMixin, forms.ModelForm):
    """The company's SMS provider: which one, its API key (never shown back), the line.
    Read only when the environment sets SMS_BACKEND (it wins)."""

    secret_fields = ("api_key",)

    class Meta:
        model = SmsSettings
        fields = ["backend", "api_key", "sender"]
        widgets = {"sender": forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"})}

    def __init__(self, *args, from_environment: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["api_key"].label = _("کلید API (کلید وب‌سرویس)")
        if from_environment:
            for field in self.fields.values():
                field.disabled = True

    def clean_sender(self) -> str:
        line = to_latin_digits(self.cleaned_data.get("sender") or "").strip()
        if line and not line.isdigit():
            raise ValidationError(_("خط فرستنده فقط رقم است، مانند ۱۰۰۰۴۳۴۶."))
        return line

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("backend", ConsoleGateway.name) != ConsoleGateway.name:
            if not cleaned.get("api_key"):
                self.add_error("api_key", _("کلید API سامانه پیامک را وارد کنید."))
            if not cleaned.get("sender") and "sender" not in self.errors:
                self.add_error("sender", _("خط فرستنده را وارد کنید."))
        return cleaned


class SmtpSettingsForm(KeptSecretsMixin, forms.ModelForm):
    """The outgoing mail server: address, port, encryption, sign-in (the password never
    shown back), the From of emails from no mailbox. Read only when the environment
    sets EMAIL_HOST (it wins)."""

    secret_fields = ("password",)

    class Meta:
        model = SmtpSettings
        fields = ["host", "port", "security", "username", "password", "from_email"]
        widgets = {
            "host": forms.TextInput(attrs={"dir": "ltr"}),
            "username": forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
            "from_email": forms.EmailInput(attrs={"dir": "ltr"}),
        }

    def __init__(self, *args, from_environment: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if from_environment:
            for field in self.fields.values():
                field.disabled = True

    def clean_host(self) -> str:
        return (self.cleaned_data.get("host") or "").strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("host"):
            if not cleaned.get("from_email") and "from_email" not in self.errors:
                self.add_error("from_email", _("نشانی فرستنده ایمیل‌ها را وارد کنید."))
            if cleaned.get("username") and not cleaned.get("password"):
                self.add_error("password", _("رمز عبور این نام کاربری را وارد کنید."))
        return cleaned


class _FilesInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input, each checked by core.attachments' rules; cleaned to
    (file, its kind) pairs."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _FilesInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        kept = []
        for upload in uploads:
            upload = super().clean(upload, initial)
            try:
                kept.append((upload, check_upload(upload)))
            except ValidationError as error:
                raise ValidationError(f"«{upload.name}»: {error.messages[0]}") from None
        return kept


class RecordMessageForm(ComposeForm):
    """A message to the customer about one of their records (a request, a complaint):
    by SMS, email or Bale; an email may carry uploaded files and the record's own."""

    files = FilesField(label=_("فایل‌های پیوست"), required=False)
    record_files = forms.ModelMultipleChoiceField(
        label=_("پیوست‌های همین پرونده"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, record_files=None, **kwargs):
        super().__init__(*args, **kwargs)
        if record_files is not None:
            self.fields["record_files"].queryset = record_files
        if not self.fields["record_files"].queryset.exists():
            del self.fields["record_files"]

    def clean(self):
        cleaned = super().clean()
        carries = cleaned.get("files") or cleaned.get("record_files")
        if carries and cleaned.get("channel") != Channel.EMAIL:
            self.add_error("files", _("فایل فقط با ایمیل فرستاده می‌شود."))
        return cleaned
