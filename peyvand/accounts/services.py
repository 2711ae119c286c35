from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peyvand.accounts import two_factor
from peyvand.accounts.models import ApiToken, Team, User
from peyvand.accounts.permissions import described_permissions
from peyvand.core.history import log_event

_API_TOKENS = _("توکن‌های API")
_PASSWORD_CHANGED = _("تغییر گذرواژه")


@transaction.atomic
def user_save(*, user: User, password: str | None, groups, teams, by: User) -> User:
    """A manager saves a user. A new password or a deactivation revokes the user's API
    tokens: whoever held them must not keep the access the change meant to end."""
    was_active = user.pk is not None and User.objects.filter(pk=user.pk, is_active=True).exists()
    if password:
        user.set_password(password)
    user.save()
    user.groups.set(groups)
    user.teams.set(teams)
    if password:
        api_tokens_revoke_all(user=user, by=by, reason=_PASSWORD_CHANGED)
    if was_active and not user.is_active:
        api_tokens_revoke_all(user=user, by=by, reason=_("غیرفعال شدن کاربر"))
    return user


@transaction.atomic
def password_change(*, user: User, password: str) -> None:
    """The user changes their own password (the form has checked the old one). The
    caller keeps its session with update_session_auth_hash; other sessions end, as the
    hash they carry is the old password's, and so do the API tokens."""
    user.set_password(password)
    user.save(update_fields=["password"])
    api_tokens_revoke_all(user=user, by=user, reason=_PASSWORD_CHANGED)


@transaction.atomic
def api_token_issue(*, user: User, name: str, by: User) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its key, to be shown once (to ``by``, its creator)."""
    token, key = ApiToken.issue(user, name=name)
    log_event(
        user,
        user=by,
        field="api_tokens",
        label=str(_API_TOKENS),
        new=str(_("ساخته شد: %(name)s")) % {"name": token.name},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> None:
    user = token.user
    token.delete()
    log_event(
        user,
        user=by,
        field="api_tokens",
        label=str(_API_TOKENS),
        old=token.name,
        new=str(_("باطل شد")) if by == user else str(_("باطل شد به دست مدیر")),
    )


@transaction.atomic
def api_tokens_revoke_all(*, user: User, by: User, reason) -> int:
    """Revokes every API token of ``user``; the history names the reason (a new
    password, signing out everywhere, a deactivation) when there was one to revoke."""
    count, _deleted = ApiToken.objects.filter(user=user).delete()
    if count:
        log_event(
            user,
            user=by,
            field="api_tokens",
            label=str(_API_TOKENS),
            new=str(_("همه باطل شد: %(reason)s")) % {"reason": reason},
        )
    return count


@transaction.atomic
def team_save(*, team: Team, members) -> Team:
    team.save()
    team.members.set(members)
    return team


@transaction.atomic
def role_save(*, role: Group, permissions) -> Group:
    """Saves a role from the role editor: ``permissions`` are those ticked among the ones
    the editor offers; the role keeps the permissions the editor does not show (internal
    ones, see accounts.permissions) as they were."""
    role.save()
    offered = described_permissions().values("pk")
    kept = list(role.permissions.exclude(pk__in=offered))
    role.permissions.set([*kept, *permissions])
    return role


@transaction.atomic
def end_sessions(*, user: User, by: User) -> None:
    """Signs ``user`` out on every browser (a lost laptop or phone, a two-factor reset):
    each of their sessions stops matching at its next request, and their API tokens are
    revoked (a token copied from the lost laptop is as good as its session). The caller
    keeps its own session, if it is one of them, with update_session_auth_hash."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    log_event(
        user,
        user=by,
        field="sessions",
        label=str(_("نشست‌ها")),
        old="",
        new=str(_("خروج از همه دستگاه‌ها"))
        if by == user
        else str(_("خروج از همه دستگاه‌ها به دست مدیر")),
    )
    api_tokens_revoke_all(user=user, by=by, reason=_("خروج از همه دستگاه‌ها"))


# Two-factor sign-in (accounts.two_factor). Each change is a line in the user's history.
_TWO_FACTOR = _("ورود دومرحله‌ای")


def _log_two_factor(user: User, *, by: User, old: str, new: str) -> None:
    log_event(user, user=by, field="two_factor", label=str(_TWO_FACTOR), old=old, new=new)


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=str(_("کدهای بازیابی")))
    codes = two_factor.new_recovery_codes()
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_enable(*, user: User, device: TOTPDevice) -> list[str]:
    """Saves an authenticator whose first code was right (replacing any earlier one)
    with ten new recovery codes; returns the codes, to be shown once."""
    was_enabled = two_factor.is_enabled(user)
    if was_enabled:  # a new phone: whoever holds a session from the old one is out
        end_sessions(user=user, by=user)
    TOTPDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save()
    _set_enabled(user, True)
    codes = _replace_recovery_codes(user)
    _log_two_factor(
        user,
        by=user,
        old=str(_("فعال")) if was_enabled else str(_("غیرفعال")),
        new=str(_("فعال با برنامه تازه")) if was_enabled else str(_("فعال")),
    )
    return codes


@transaction.atomic
def two_factor_new_recovery_codes(*, user: User) -> list[str]:
    """Ten new recovery codes in place of the old ones (used or not)."""
    if not two_factor.is_enabled(user):
        raise PermissionDenied
    codes = _replace_recovery_codes(user)
    _log_two_factor(user, by=user, old="", new=str(_("کدهای بازیابی تازه ساخته شد")))
    return codes


def _set_enabled(user: User, enabled: bool) -> None:
    user.two_factor_enabled = enabled
    user.save(update_fields=["two_factor_enabled"])


def _remove_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _set_enabled(user, False)


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    """The user turns two-factor sign-in off; not when it is required of them."""
    if two_factor.required_for(user):
        raise PermissionDenied
    _remove_devices(user)
    _log_two_factor(user, by=user, old=str(_("فعال")), new=str(_("غیرفعال")))


@transaction.atomic
def two_factor_reset(*, user: User, by: User) -> None:
    """A manager removes a user's authenticator and recovery codes (a lost phone): the
    user is signed out everywhere, then signs in with the password alone, or sets up a
    new authenticator at the next sign-in when it is required of them."""
    _remove_devices(user)
    end_sessions(user=user, by=by)
    _log_two_factor(user, by=by, old="", new=str(_("بازنشانی به دست مدیر")))
