from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peyvand.accounts import permissions as permission_registry
from peyvand.accounts import selectors, services, two_factor
from peyvand.accounts.forms import (
    ApiTokenForm,
    LoginForm,
    PreferencesForm,
    RoleForm,
    TeamForm,
    UserForm,
)
from peyvand.accounts.models import Team, User
from peyvand.core.access import own_url
from peyvand.core.display import site_settings_for
from peyvand.core.images import image_data_uri


class LoginView(auth_views.LoginView):
    """The password step. A user with two-factor sign-in (or who must have it) is not
    logged in here: the session holds a pending sign-in for the code step, or for
    setting up the authenticator (accounts.two_factor)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """No page asked for (``next``): the user's start page (a saved view of a list),
        else the کارتابل."""
        user = getattr(self, "signing_in", None) or self.request.user
        return own_url(self.request, getattr(user, "start_page", "")) or (
            super().get_default_redirect_url()
        )

    def get_context_data(self, **kwargs):
        """The company's name heads the page, with its logo. Django's LoginView names the
        site by its host («site_name» from the request's domain), which is no one's name."""
        context = super().get_context_data(**kwargs)
        company = site_settings_for(self.request)
        context["site_name"] = company.company_name
        context["company_logo"] = image_data_uri(company.logo)
        return context

    def form_valid(self, form):
        user = form.get_user()
        self.signing_in = user
        if not two_factor.needs_second_step(user):
            return super().form_valid(form)
        return redirect(
            two_factor.begin(
                self.request, user, backend=user.backend, next_url=self.get_success_url()
            )
        )


login = LoginView.as_view()
logout = auth_views.LogoutView.as_view()


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page; the change itself is accounts.services' (it also revokes the API
    tokens). This browser stays signed in, the user's other sessions end."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        services.password_change(user=form.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)
        return redirect(self.get_success_url())


password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)


# A token created on the preferences page, held in the session until the page shows
# its key, once (as two_factor.NEW_CODES holds new recovery codes).
NEW_API_TOKEN = "accounts_new_api_token"  # noqa: S105 - a session key, not a secret


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(
        request.POST or None, instance=request.user, site=site_settings_for(request)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("ترجیحات ذخیره شد."))
        return redirect("accounts:preferences")
    return _preferences_page(request, form=form)


def _preferences_page(
    request: HttpRequest, *, form: PreferencesForm, token_form: ApiTokenForm | None = None
) -> HttpResponse:
    context = {
        "form": form,
        "today": timezone.localdate(),
        "two_factor_enabled": two_factor.is_enabled(request.user),
        "api_tokens": selectors.api_tokens_of(request.user),
        "token_form": token_form or ApiTokenForm(),
        "new_token": request.session.pop(NEW_API_TOKEN, None),
        "token_days": settings.API_TOKEN_DAYS,
    }
    return render(request, "accounts/preferences.html", context)


@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    """The user makes an API token for an integration; its key is shown once, next."""
    token_form = ApiTokenForm(request.POST)
    if not token_form.is_valid():
        form = PreferencesForm(instance=request.user, site=site_settings_for(request))
        return _preferences_page(request, form=form, token_form=token_form)
    token, key = services.api_token_issue(
        user=request.user, name=token_form.cleaned_data["name"], by=request.user
    )
    request.session[NEW_API_TOKEN] = {"name": token.name, "key": key}
    return redirect(reverse("accounts:preferences") + "#api-tokens-card")


@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The user revokes one of their tokens, or a manager of users anyone's."""
    token = selectors.get_api_token_for_user(request.user, pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("توکن «%(name)s» باطل شد.") % {"name": token.name})
    if token.user_id == request.user.pk:
        return redirect(reverse("accounts:preferences") + "#api-tokens-card")
    return redirect(reverse("accounts:user_edit", args=[token.user_id]) + "#api-tokens-card")


@require_POST
def end_other_sessions(request: HttpRequest) -> HttpResponse:
    """The user signs out on every other browser; this one stays signed in."""
    services.end_sessions(user=request.user, by=request.user)
    update_session_auth_hash(request, request.user)
    messages.success(request, _("از همه دستگاه‌های دیگر خارج شدید."))
    return redirect("accounts:preferences")


manage_users = permission_required("accounts.manage_users", raise_exception=True)


@manage_users
@require_POST
def user_end_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager signs a user out everywhere (a lost laptop, someone who left)."""
    user = get_object_or_404(User, pk=pk)
    services.end_sessions(user=user, by=request.user)
    update_session_auth_hash(request, user)  # a manager signing themself out stays in here
    messages.success(request, _("«%(name)s» از همه دستگاه‌ها خارج شد.") % {"name": user})
    return redirect("accounts:user_edit", pk=user.pk)


@manage_users
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.prefetch_related("groups", "teams").order_by("-is_active", "username")
    return render(request, "accounts/user_list.html", {"users": users})


@manage_users
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(User, pk=pk) if pk else User()
    form = UserForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.user_save(
            user=form.save(commit=False),
            password=form.cleaned_data["password"],
            groups=form.cleaned_data["groups"],
            teams=form.cleaned_data["teams"],
            by=request.user,
        )
        messages.success(request, _("کاربر «%(name)s» ذخیره شد.") % {"name": form.instance})
        return redirect("accounts:user_list")
    context = {"form": form, "object": instance}
    if instance.pk:
        context["two_factor"] = two_factor.status(instance)
        context["history"] = selectors.user_history(instance)
        context["api_tokens"] = selectors.api_tokens_of(instance)
    return render(request, "accounts/user_form.html", context)


@manage_users
def team_list(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.prefetch_related("members")
    return render(request, "accounts/team_list.html", {"teams": teams})


@manage_users
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(Team, pk=pk) if pk else Team()
    form = TeamForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.team_save(team=form.save(commit=False), members=form.cleaned_data["members"])
        messages.success(request, _("گروه «%(name)s» ذخیره شد.") % {"name": form.instance})
        return redirect("accounts:team_list")
    return render(request, "accounts/team_form.html", {"form": form, "object": instance})


@manage_users
def role_list(request: HttpRequest) -> HttpResponse:
    roles = Group.objects.prefetch_related("permissions__content_type").order_by("name")
    totals = Counter(module.key for module, _label in permission_registry.DESCRIBED.values())
    rows = [
        (role, [
            (module, len(permissions), totals[module.key])
            for module, permissions in permission_registry.grouped(role.permissions.all())
        ])
        for role in roles
    ]  # fmt: skip
    return render(request, "accounts/role_list.html", {"rows": rows})


@manage_users
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(Group, pk=pk) if pk else Group()
    form = RoleForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.role_save(
            role=form.save(commit=False), permissions=form.cleaned_data["permissions"]
        )
        messages.success(request, _("نقش «%(name)s» ذخیره شد.") % {"name": form.instance.name})
        return redirect("accounts:role_list")
    return render(request, "accounts/role_form.html", {"form": form, "object": instance})
