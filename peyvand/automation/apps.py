import datetime

from django.apps import AppConfig


def _deliveries_due() -> bool:
    from peyvand.automation.models import WebhookDelivery
    from peyvand.automation.webhooks import due

    return (
        due().exists()
        or WebhookDelivery.objects.filter(status=WebhookDelivery.Status.SENDING).exists()
    )


def _runs_due() -> bool:
    from peyvand.automation.models import Rule, RuleRun

    return (
        RuleRun.objects.filter(status__in=[RuleRun.Status.PENDING, RuleRun.Status.RUNNING]).exists()
        or Rule.objects.filter(is_active=True, trigger=Rule.Trigger.DATE).exists()
    )


class AutomationConfig(AppConfig):
    """Above the domain apps: it hears about records through core's history event and
    registrations, never by the domains importing it."""

    name = "peyvand.automation"
    label = "automation"
    verbose_name = "خودکارسازی"

    def ready(self) -> None:
        from peyvand.automation import rules, submissions, tasks, webhooks
        from peyvand.core import events
        from peyvand.core.history import RECORD_CHANGED
        from peyvand.core.scheduler import PeriodicJob, register_periodic
        from peyvand.core.timeline import register_timeline_source
        from peyvand.messaging.services import MESSAGE_RECEIVED

        events.subscribe(RECORD_CHANGED, webhooks.record_changed)
        events.subscribe(RECORD_CHANGED, rules.record_changed)
        events.subscribe(MESSAGE_RECEIVED, rules.message_received)
        # Retries as they fall due, and deliveries a killed worker left «sending»; a new
        # event wakes a worker itself (webhooks.wake_worker).
        register_periodic(
            PeriodicJob(
                "automation.webhooks",
                datetime.timedelta(minutes=1),
                tasks.send_webhooks,
                _deliveries_due,
            )
        )
        # The dates of date rules as they pass, and runs a killed worker left «running»;
        # an event wakes a worker itself (rules.wake_worker).
        register_periodic(
            PeriodicJob(
                "automation.rules", datetime.timedelta(minutes=1), tasks.scan_rule_dates, _runs_due
            )
        )
        register_timeline_source(rules.timeline_items)
        register_timeline_source(submissions.submission_items)
