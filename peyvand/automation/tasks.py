"""The worker's side of automation: webhooks (automation.webhooks) and rules
(automation.rules)."""

from django_tasks import task

from peyvand.automation import rules, webhooks


@task()
def send_webhooks() -> int:
    """Sends every due delivery; several may run at once on several workers."""
    return webhooks.send_due()


@task()
def run_rules() -> int:
    """Runs every pending rule run; several may run at once on several workers."""
    return rules.run_due()


@task()
def scan_rule_dates() -> int:
    """Starts the runs of date rules whose dates have passed, then runs them."""
    started = rules.scan_dates()
    return started + rules.run_due()
