from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peyvand.accounts import login_limits, two_factor
from peyvand.accounts import permissions as permission_registry
from peyvand.accounts.models import Team, User
from peyvand.core.models import SiteSettings
from peyvand.core.validators import identifier_form_field


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("نام کاربری یا گذرواژه درست نیست."),
        "inactive": _("این حساب کاربری غیرفعال است."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("نام کاربری")
        self.fields["username"].widget.attrs.update({"dir": "ltr", "autofocus": True})
        self.fields["password"].label = _("گذرواژه")
        self.fields["password"].widget.attrs["dir"] = "ltr"

    def clean(self):
        """Refuses at once while too many logins have failed (for this username or from
        this address); counts each failure."""
        username = self.cleaned_data.get("username", "")
        if login_limits.locked(self.request, username):
            raise forms.ValidationError(login_limits.LOCKED_MESSAGE, code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            login_limits.failed(self.request, username)
            raise


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["calendar", "digits", "pop_up_assignments"]
        widgets = {"calendar": forms.RadioSelect, "digits": forms.RadioSelect}

    def __init__(self, *args, site: SiteSettings | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # «پیش‌فرض سازمان (شمسی)»: which calendar the default is today. The view passes
        # the request's settings (core.display.site_settings_for): no query more.
        site = site or SiteSettings.load()
        self.fields["calendar"].choices = [
            (value, f"{label} ({site.get_calendar_display()})" if value == "default" else label)
            for value, label in self.fields["calendar"].choices
        ]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("نام توکن"),
        max_length=100,
        required=False,
        help_text=_("مثلاً نام برنامه یا سامانه‌ای که با آن کار می‌کند؛ خالی: «توکن API»."),
    )


class UserForm(forms.ModelForm):
    """A manager creates or edits a user; the password is set only when given."""

    password = forms.CharField(
        label=_("گذرواژه"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"dir": "ltr", "autocomplete": "new-password"}),
        help_text=_("برای کاربر جدید الزامی است؛ در ویرایش، خالی بگذارید تا تغییر نکند."),
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("نقش‌ها"),
        queryset=Group.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mobile = identifier_form_field("mobile", label=_("تلفن همراه"), required=False)
    teams = forms.ModelMultipleChoiceField(
        label=_("گروه‌های کاربران"),
        queryset=Team.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "mobile",
            "extension",
            "is_active",
        ]
        widgets = {
            "username": forms.TextInput(attrs={"dir": "ltr"}),
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        if self.instance.pk:
            self.fields["groups"].initial = self.instance.groups.all()
            self.fields["teams"].initial = self.instance.teams.all()
            # Keep the user's inactive teams selectable, or saving would drop them.
            self.fields["teams"].queryset = Team.objects.filter(
                Q(is_active=True) | Q(members=self.instance)
            ).distinct()

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if not self.instance.pk and not password:
            self.add_error("password", _("برای کاربر جدید گذرواژه لازم است."))
        elif password:
            try:
                validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "members", "is_active"]
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.filter(is_active=True)


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Permission) -> str:
        return permission_registry.label(obj)


class RoleForm(forms.ModelForm):
    """A role's name and, among the permissions the registry describes, those it holds.
    The others (internal, see accounts.permissions) are not offered and ``role_save`` keeps
    them as they were."""

    permissions = PermissionChoiceField(
        label=_("اجازه‌ها"),
        queryset=Permission.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Group
        fields = ["name", "permissions"]
        labels = {"name": _("نام نقش")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = permission_registry.described_permissions()

    def permission_groups(self) -> list[tuple[permission_registry.Module, list[tuple]]]:
        """Per module: (permission, its label, whether it is ticked), for the editor."""
        ticked = {str(value) for value in self["permissions"].value() or []}
        permissions = list(self.fields["permissions"].queryset)
        return [
            (
                module,
                [
                    (
                        permission,
                        permission_registry.label(permission),
                        str(permission.pk) in ticked,
                    )
                    for permission in module_permissions
                ],
            )
            for module, module_permissions in permission_registry.grouped(permissions)
        ]


class TwoFactorCodeForm(forms.Form):
    """The second step of signing in: a code for the pending sign-in's user. Like the
    password, a wrong code counts toward the failed-login limits."""

    code = forms.CharField(
        label=_("کد شش‌رقمی برنامه احراز هویت یا یک کد بازیابی"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "dir": "ltr",
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "text",
            }
        ),
    )

    def __init__(self, *args, request, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.device = None

    def clean_code(self):
        username = self.user.get_username()
        if login_limits.locked(self.request, username):
            raise forms.ValidationError(login_limits.LOCKED_MESSAGE, code="locked")
        try:
            self.device = two_factor.verify(self.user, self.cleaned_data["code"])
        except two_factor.TooSoon:
            raise forms.ValidationError(two_factor.TOO_SOON, code="too_soon") from None
        if self.device is None:
            login_limits.failed(self.request, username)
            raise forms.ValidationError(two_factor.WRONG_CODE, code="wrong")
        return self.cleaned_data["code"]


def current_password_field() -> forms.CharField:
    """The user's own password, asked again before a change to how they sign in."""
    return forms.CharField(
        label=_("گذرواژه"),
        strip=False,
        widget=forms.PasswordInput(attrs={"dir": "ltr", "autocomplete": "current-password"}),
    )


def checked_password(user: User, password: str) -> str:
    if not user.check_password(password):
        raise forms.ValidationError(_("گذرواژه درست نیست."), code="wrong")
    return password


class TwoFactorSetupForm(forms.Form):
    """The first code of an authenticator being set up: proof that it was added."""

    code = forms.CharField(
        label=_("کد شش‌رقمی که برنامه نشان می‌دهد"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"dir": "ltr", "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )

    def __init__(self, *args, device, password_of: User | None = None, **kwargs):
        """``password_of``: replacing a working authenticator also asks that user's
        password, so a session left open cannot move the second step to another phone."""
        super().__init__(*args, **kwargs)
        self.device = device
        self.password_of = password_of
        if password_of is not None:
            self.fields["password"] = current_password_field()

    def clean_password(self):
        return checked_password(self.password_of, self.cleaned_data["password"])

    def clean_code(self):
        if not two_factor.check_first_code(self.device, self.cleaned_data["code"]):
            raise forms.ValidationError(
                _("کد درست نیست؛ کد تازه‌ای را که برنامه نشان می‌دهد وارد کنید."), code="wrong"
            )
        return self.cleaned_data["code"]


class TwoFactorDisableForm(forms.Form):
    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["password"] = current_password_field()

    def clean_password(self):
        return checked_password(self.user, self.cleaned_data["password"])
