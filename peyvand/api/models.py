from django.db import models
from django.utils import timezone


class IdempotentRequest(models.Model):
    """A creating POST sent with an ``Idempotency-Key``: what it created and answered,
    replayed to a repeat of it (api.idempotency). Kept IDEMPOTENCY_HOURS."""

    # Whose key: a hash of the bearer token, or the signed-in user of a session call.
    scope = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    # A hash of the path and the body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="one_request_per_key")]

    def __str__(self) -> str:
        return self.key
