"""Writes of the automation app: webhook subscriptions."""

from django.db import transaction

from peyvand.automation.models import WebhookSubscription, new_secret


@transaction.atomic
def subscription_save(*, subscription: WebhookSubscription, by) -> tuple[WebhookSubscription, str]:
    """Saves a subscription; a new one gets its secret, returned once (else "")."""
    created = subscription.pk is None
    if created:
        subscription.secret = new_secret()
    if subscription.is_active:
        subscription.disabled_reason = ""
        subscription.failures_in_row = 0
    subscription.save()
    return subscription, subscription.secret if created else ""


@transaction.atomic
def subscription_new_secret(*, subscription: WebhookSubscription, by) -> str:
    """A new signing secret (the old one stops at once); returned once."""
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret", "updated_at"])
    return subscription.secret
