from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError

from peyvand.core.forms import SECRET_SAVED
from peyvand.tax.client import Credentials, MoadianError
from peyvand.tax.models import MoadianSettings
from peyvand.tax.taxid import TaxIdError, normalize_memory_id

MAX_PEM_BYTES = 64 * 1024


def _pem_of(text: str, upload) -> str:
    if upload is not None:
        if upload.size > MAX_PEM_BYTES:
            raise ValidationError("پرونده بزرگ‌تر از ۶۴ کیلوبایت است؛ پرونده PEM نیست.")
        try:
            text = upload.read().decode("ascii")
        except UnicodeDecodeError:
            raise ValidationError("پرونده متن PEM نیست.") from None
    text = (text or "").strip()
    return text + "\n" if text else ""


class MoadianSettingsForm(forms.ModelForm):
    """The Moadian settings. The private key and its password are never rendered back
    (the widgets show «ذخیره شده …»); left empty, the stored ones are kept."""

    private_key_text = forms.CharField(
        label="کلید خصوصی (PEM)",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "dir": "ltr", "autocomplete": "off", "data-latin": True}
        ),
    )
    private_key_file = forms.FileField(label="یا پرونده کلید خصوصی", required=False)
    private_key_password = forms.CharField(
        label="رمز کلید خصوصی (اگر دارد)",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    certificate_text = forms.CharField(
        label="گواهی امضا (PEM)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr", "data-latin": True}),
    )
    certificate_file = forms.FileField(label="یا پرونده گواهی", required=False)
    custom_base_url = forms.URLField(
        label="نشانی سامانه",
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr"}),
        help_text="فقط برای «نشانی دیگر»، مثلاً سامانه آزمایشی روی همین رایانه.",
    )

    class Meta:
        model = MoadianSettings
        fields = ["enabled", "memory_id", "environment", "custom_base_url"]
        widgets = {
            "memory_id": forms.TextInput(attrs={"dir": "ltr", "maxlength": 6}),
        }

    def __init__(self, *args, clock=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._clock = clock or (lambda: datetime.now(UTC))
        if self.instance.private_key:
            self.fields["private_key_text"].widget.attrs["placeholder"] = SECRET_SAVED
            self.fields["private_key_text"].help_text = SECRET_SAVED
        if self.instance.private_key_password:
            self.fields["private_key_password"].widget.attrs["placeholder"] = SECRET_SAVED
        self.fields["certificate_text"].initial = self.instance.certificate

    def clean_memory_id(self) -> str:
        value = self.cleaned_data.get("memory_id") or ""
        if not value.strip():
            return ""
        try:
            return normalize_memory_id(value)
        except TaxIdError as exc:
            raise ValidationError(exc.message) from None

    def clean(self):
        data = super().clean()
        try:
            key = _pem_of(data.get("private_key_text"), data.get("private_key_file"))
        except ValidationError as error:
            self.add_error("private_key_file", error)
            return data
        try:
            certificate = _pem_of(data.get("certificate_text"), data.get("certificate_file"))
        except ValidationError as error:
            self.add_error("certificate_file", error)
            return data
        self.new_key = key
        key = key or self.instance.private_key
        password = data.get("private_key_password") or ""
        self.new_password = password
        password = password or self.instance.private_key_password
        self.new_certificate = certificate
        if data.get("environment") == MoadianSettings.Environment.CUSTOM and not data.get(
            "custom_base_url"
        ):
            self.add_error("custom_base_url", "برای «نشانی دیگر»، نشانی سامانه را بنویسید.")
        memory_id = data.get("memory_id") or ""
        if data.get("enabled"):
            for name, value, message in (
                ("memory_id", memory_id, "برای ارسال، شناسه یکتای حافظه مالیاتی لازم است."),
                ("private_key_text", key, "برای ارسال، کلید خصوصی لازم است."),
                ("certificate_text", certificate, "برای ارسال، گواهی امضا لازم است."),
            ):
                if not value:
                    self.add_error(name, message)
        if key and certificate and memory_id and not self.errors:
            try:
                credentials = Credentials.from_pem(
                    memory_id=memory_id,
                    private_key_pem=key,
                    certificate_pem=certificate,
                    password=password or None,
                )
                credentials.check_valid_at(self._clock())
            except MoadianError as error:
                field = "certificate_text" if "گواهی" in error.message else "private_key_text"
                self.add_error(field, error.message)
        return data

    def save(self, commit: bool = True) -> MoadianSettings:
        settings = super().save(commit=False)
        if self.new_key:
            settings.private_key = self.new_key
        if self.new_password:
            settings.private_key_password = self.new_password
        settings.certificate = self.new_certificate
        if commit:
            settings.save()
        return settings
