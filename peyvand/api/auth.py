from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from peyvand.accounts.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash(token), user__is_active=True)
            .first()
        )
        if api_token is None:
            return None
        # One write per minute at most: enough to see which tokens are alive.
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


# A bearer token for integrations; the browser session (with CSRF) for the docs page.
api_auth = [BearerToken(), django_auth]
