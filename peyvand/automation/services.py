"""Writes of the automation app: webhook subscriptions and rules."""

from django.db import transaction
from django.utils import timezone

from peyvand.automation.models import FormField, Rule, WebhookSubscription, new_secret


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


# What a date rule's scan depends on: changed while on, it starts again from now.
SCAN_FIELDS = ("is_active", "trigger", "trigger_field", "date_offset", "list_key", "conditions")


@transaction.atomic
def rule_save(*, rule: Rule, by, link_base: str) -> Rule:
    """Saves a rule. A date rule acts only on dates that pass while it is on as it is
    now: switched on, or its date, offset or conditions changed, it starts from now.
    ``link_base`` is this Peyvand's address as the saver reached it. What the worker
    keeps on the rule (the round-robin's last assignee) is not written back."""
    stored = Rule.objects.select_for_update().filter(pk=rule.pk).first() if rule.pk else None
    rescan = stored is None or any(
        getattr(stored, name) != getattr(rule, name) for name in SCAN_FIELDS
    )
    if rule.is_active and rescan:
        rule.scanned_until = timezone.now()
    rule.link_base = link_base
    if stored is None:
        rule.save()
    else:
        kept = {"last_assignee", "created_at"} | (set() if rescan else {"scanned_until"})
        rule.save(
            update_fields=[
                field.name
                for field in Rule._meta.concrete_fields
                if not field.primary_key and field.name not in kept
            ]
        )
    return rule


@transaction.atomic
def rule_switch(*, rule: Rule, on: bool, by, link_base: str) -> Rule:
    rule.is_active = on
    return rule_save(rule=rule, by=by, link_base=link_base)


@transaction.atomic
def field_move(*, field: FormField, up: bool) -> None:
    """Swaps a field with its neighbour above (or below), numbering the form's fields
    afresh so equal numbers never leave the order to chance."""
    fields = list(FormField.objects.select_for_update().filter(form_id=field.form_id))
    at = next(index for index, item in enumerate(fields) if item.pk == field.pk)
    other = at - 1 if up else at + 1
    if 0 <= other < len(fields):
        fields[at], fields[other] = fields[other], fields[at]
    for order, item in enumerate(fields, start=1):
        item.order = order
    FormField.objects.bulk_update(fields, ["order"])
