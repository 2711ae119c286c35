"""Domain events: a lower app says what happened ("sales.invoice_issued"), and the upper
apps that act on it subscribe in their ``AppConfig.ready()`` — the same direction as
``core.registry``, for writes instead of pages. Handlers run at once, inside the
publisher's transaction: what they write commits or rolls back with the event's cause,
and an error in one refuses the whole write.

Events and their keyword arguments are listed where they are published."""

from collections import defaultdict
from collections.abc import Callable

_handlers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(event: str, handler: Callable) -> None:
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def publish(event: str, **data) -> None:
    for handler in _handlers.get(event, ()):
        handler(**data)
