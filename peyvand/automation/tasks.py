"""The worker's side of the webhooks (automation.webhooks)."""

from django_tasks import task

from peyvand.automation import webhooks


@task()
def send_webhooks() -> int:
    """Sends every due delivery; several may run at once on several workers."""
    return webhooks.send_due()
