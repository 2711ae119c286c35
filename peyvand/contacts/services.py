from django.db import transaction

from peyvand.contacts.models import Contact
from peyvand.core.history import log_change
from peyvand.core.models import ChangeRecord
from peyvand.core.sequences import ensure_sequence, next_code

CODE_SEQUENCE = "contact"


def ensure_contact_sequence() -> None:
    ensure_sequence(CODE_SEQUENCE, "کد مخاطبین", pattern="C{شماره}", padding=6, yearly=False)


@transaction.atomic
def contact_create(*, contact: Contact, by) -> Contact:
    """Saves a new contact; an empty code takes the next of the contact series."""
    if not contact.code:
        ensure_contact_sequence()
        contact.code = next_code(CODE_SEQUENCE)
    if not contact.owner_id:
        contact.owner = by
    contact.save()
    log_change(contact, user=by, action=ChangeRecord.Action.CREATED)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, before: dict, by) -> Contact:
    contact.save()
    log_change(contact, user=by, action=ChangeRecord.Action.CHANGED, before=before)
    return contact
