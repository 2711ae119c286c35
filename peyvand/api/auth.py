from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import APIKeyQuery, HttpBearer, django_auth

from peyvand.accounts.models import ApiToken


class TokenRefused(AuthenticationError):
    """A token was sent but opens nothing: the answer says why, in Persian (api.py)."""

    def __init__(self, message: str):
        super().__init__(message=message)


def user_for_token(key: str):
    """The active user an API token belongs to. A key that matches no token (never
    issued, or revoked: revoking deletes it) or an expired token is refused with a 401
    that says so, rather than falling through to the other ways of signing in."""
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash(key), user__is_active=True)
        .first()
    )
    if api_token is None:
        raise TokenRefused(
            _(
                "احراز هویت نشد: این توکن معتبر نیست یا باطل شده است؛ با POST"
                " /api/v1/auth/token توکن تازه بگیرید."
            )
        )
    now = timezone.now()
    if api_token.expires_at <= now:
        raise TokenRefused(
            _(
                "احراز هویت نشد: این توکن منقضی شده است؛ با POST /api/v1/auth/token"
                " توکن تازه بگیرید."
            )
        )
    # One write per minute at most: enough to see which tokens are alive.
    if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.user


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = user_for_token(token)
        request.user = user
        return user


class QueryToken(APIKeyQuery):
    """The same token as ``?token=…``: what a PBX's dialplan (Asterisk's CURL()) can send."""

    param_name = "token"

    def authenticate(self, request, key: str | None):
        if not key:
            return None
        user = user_for_token(key)
        request.user = user
        return user


# A bearer token for integrations; the browser session (with CSRF) for the docs page.
api_auth = [BearerToken(), django_auth]
# The PBX webhook: a token in the header or in the address.
pbx_auth = [BearerToken(), QueryToken()]
