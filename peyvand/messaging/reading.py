"""Whether reading customers' messages works (a mailbox, the Bale bot: ``ReadState``):
the reason it failed is kept on its settings page and told to its owner once, when it
starts failing, not every minute; it is cleared once reading works again."""

import logging

from django.utils import timezone

from peyvand.activities.reminders import notify
from peyvand.messaging.models import ReadState

logger = logging.getLogger("peyvand.messaging")


def reading_failed(source: ReadState, reason: str, *, title: str, url: str) -> None:
    logger.warning("%s unreadable: %s", source, reason)
    now = timezone.now()
    first = source.failing_since is None
    source.last_error, source.checked_at = reason, now
    source.failing_since = source.failing_since or now
    type(source).objects.filter(pk=source.pk).update(
        last_error=reason, checked_at=now, failing_since=source.failing_since
    )
    owner = getattr(source, "owner", None)
    if first and owner is not None:
        notify(user=owner, title=title, body=reason, url=url)


def reading_worked(source: ReadState) -> None:
    source.last_error, source.failing_since, source.checked_at = "", None, timezone.now()
    type(source).objects.filter(pk=source.pk).update(
        last_error="", failing_since=None, checked_at=source.checked_at
    )
