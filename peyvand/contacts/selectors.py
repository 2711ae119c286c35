from contextlib import suppress

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from peyvand.contacts.models import Category, Contact, Region
from peyvand.core.text import fa_search_key, normalize_persian
from peyvand.core.trees import subtree
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


def contacts_for_list(
    *,
    user,
    query: str = "",
    owner_id: int | None = None,
    category_id: int | None = None,
    region_id: int | None = None,
) -> QuerySet[Contact]:
    """The contact list: visible, searched, filtered; a category or region filter takes
    the node's whole subtree (استان اصفهان includes its cities)."""
    contacts = contact_search(user=user, query=query).select_related("category", "region")
    if owner_id:
        contacts = contacts.filter(owner_id=owner_id)
    if category_id:
        contacts = contacts.filter(category__in=subtree(Category, category_id).values("pk"))
    if region_id:
        contacts = contacts.filter(region__in=subtree(Region, region_id).values("pk"))
    return contacts.order_by("-created_at", "-id")
