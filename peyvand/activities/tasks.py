"""Background tasks of activities (run by ``manage.py worker``)."""

from django_tasks import task

from peyvand.activities import reminders


@task()
def fire_reminders() -> int:
    """Fires every due reminder, a batch at a time."""
    fired = total = reminders.fire_due()
    while fired == reminders.FIRE_BATCH:
        fired = reminders.fire_due()
        total += fired
    return total
