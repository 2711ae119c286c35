import re

from django.db.models import QuerySet

from peyvand.contacts.models import Category, Contact, Region
from peyvand.core.text import fa_search_key, normalize_persian
from peyvand.core.trees import subtree

# +98…, 0098…, or a bare 98 in front of a whole mobile number (98 912 345 6789).
_INTERNATIONAL_PREFIX = re.compile(r"^(?:\+98|0098|98(?=9\d{9}$))")


def national_phone_key(key: str) -> str:
    """Phones are searchable in national digits (0912…); a query typed with the
    country code (+98 912…, 0098 912…) is turned into that form."""
    return _INTERNATIONAL_PREFIX.sub("0", key) if key[-1:].isdigit() else key


def contact_search(*, user, query: str) -> QuerySet[Contact]:
    """Visible contacts matching ``query`` by any part of code, name, company, phone,
    email or national ID, whatever the spelling variant or digits typed."""
    contacts = Contact.objects.visible_to(user).select_related("owner", "source")
    key = fa_search_key(normalize_persian(query))
    if not key:
        return contacts
    return contacts.filter(search_key__contains=national_phone_key(key))


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
