from contextlib import suppress

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from peyvand.contacts.models import Contact
from peyvand.core.text import fa_search_key, normalize_persian
from peyvand.core.validators import normalize_mobile


def contact_search(*, user, query: str) -> QuerySet[Contact]:
    """Visible contacts matching ``query`` by any part of code, name, company, phone,
    email or national ID, whatever the spelling variant or digits typed."""
    contacts = Contact.objects.visible_to(user).select_related("owner", "source")
    key = fa_search_key(normalize_persian(query))
    if not key:
        return contacts
    condition = Q(search_key__contains=key)
    with suppress(ValidationError):
        # A mobile typed any way (۰۹۱۲…, 0912 …, +98 912…) is stored as E.164.
        condition |= Q(mobile=normalize_mobile(query))
    return contacts.filter(condition)


def contacts_for_list(*, user, query: str = "", owner_id: int | None = None) -> QuerySet[Contact]:
    contacts = contact_search(user=user, query=query)
    if owner_id:
        contacts = contacts.filter(owner_id=owner_id)
    return contacts.order_by("-created_at", "-id")
