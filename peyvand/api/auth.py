from django.utils import timezone
from ninja.security import APIKeyQuery, HttpBearer, django_auth

from peyvand.accounts.models import ApiToken


def user_for_token(key: str):
    """The active user an API token belongs to, or None."""
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash(key), user__is_active=True)
        .first()
    )
    if api_token is None:
        return None
    # One write per minute at most: enough to see which tokens are alive.
    now = timezone.now()
    if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.user


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class QueryToken(APIKeyQuery):
    """The same token as ``?token=…``: what a PBX's dialplan (Asterisk's CURL()) can send."""

    param_name = "token"

    def authenticate(self, request, key: str | None):
        user = user_for_token(key) if key else None
        if user is not None:
            request.user = user
        return user


# A bearer token for integrations; the browser session (with CSRF) for the docs page.
api_auth = [BearerToken(), django_auth]
# The PBX webhook: a token in the header or in the address.
pbx_auth = [BearerToken(), QueryToken()]
