from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from peyvand.lookups.models import LookupItem


class LookupInUse(Exception):
    pass


def lookup_save(*, item: LookupItem) -> LookupItem:
    item.save()
    return item


@transaction.atomic
def lookup_delete(*, item: LookupItem) -> None:
    """Deletes an unused item. An item that records point at cannot be deleted (the
    foreign keys are PROTECT); the manager deactivates it instead."""
    try:
        item.delete()
    except (ProtectedError, RestrictedError) as error:
        raise LookupInUse from error
