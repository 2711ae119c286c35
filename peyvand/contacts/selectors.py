import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import QueryDict

from peyvand.contacts.models import Category, Contact, ContactPhone, PhoneBookEntry, Region
from peyvand.core.params import id_list_param, int_param
from peyvand.core.text import fa_search_key, normalize_persian
from peyvand.core.trees import subtree_ids
from peyvand.customfields.forms import CustomFilters
from peyvand.customfields.models import CustomField

# +98…, 0098…, or a bare 98 in front of a whole mobile number (98 912 345 6789).
_INTERNATIONAL_PREFIX = re.compile(r"^(?:\+98|0098|98(?=9\d{9}$))")


MIN_SEARCH_LENGTH = 3


def national_phone_key(key: str) -> str:
    """Phones are searchable in national digits (0912…); a query typed with the
    country code (+98 912…, 0098 912…) is turned into that form."""
    return _INTERNATIONAL_PREFIX.sub("0", key) if key[-1:].isdigit() else key


def _matching(records: QuerySet, query: str, short) -> QuerySet:
    """Records whose search key contains the query (any spelling variant, digits or phone
    prefix). A trigram index cannot serve one or two characters, and scanning a million
    rows for them would be slow and the matches useless: ``short(records, key)`` says
    what such a query means for this kind of record."""
    key = fa_search_key(normalize_persian(query))
    if not key:
        return records
    if len(key) < MIN_SEARCH_LENGTH:
        return short(records, key)
    return records.filter(search_key__contains=national_phone_key(key))


def contact_search(*, user, query: str) -> QuerySet[Contact]:
    """Visible contacts matching ``query`` by any part of code, name, company, phone,
    email or national ID, whatever the spelling variant or digits typed."""
    contacts = Contact.objects.visible_to(user).select_related("owner", "source", "grade")
    # A one- or two-character query is a code.
    return _matching(
        contacts, query, lambda records, _key: records.filter(code__iexact=normalize_persian(query))
    )


# ?sort= values the list offers; each is served by an index.
SORTS = {
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "code": ("code",),
    "-code": ("-code",),
}


@dataclass
class ContactFilters:
    """What the list, its exports, its bulk actions and the API filter by."""

    query: str = ""
    owner: int | None = None
    category: int | None = None  # with its whole subtree
    region: int | None = None  # with its whole subtree
    source: int | None = None
    grade: int | None = None
    status: str = ""
    kind: str = ""  # person or organization
    sort: str = "-created"
    ids: list[int] | None = None  # ticked rows


def contacts_for_list(*, user, filters: ContactFilters) -> QuerySet[Contact]:
    """The contact list: visible, searched, filtered; a category or region filter takes
    the node's whole subtree (استان اصفهان includes its cities)."""
    contacts = contact_search(user=user, query=filters.query).select_related(
        "category", "region", "grade"
    )
    for field in ("owner", "source", "grade"):
        if getattr(filters, field):
            contacts = contacts.filter(**{f"{field}_id": getattr(filters, field)})
    if filters.status:
        contacts = contacts.filter(status=filters.status)
    if filters.kind:
        contacts = contacts.filter(kind=filters.kind)
    if filters.category:
        contacts = contacts.filter(category__in=subtree_ids(Category, filters.category))
    if filters.region:
        contacts = contacts.filter(region__in=subtree_ids(Region, filters.region))
    if filters.ids is not None:
        contacts = contacts.filter(pk__in=filters.ids)
    return contacts.order_by(*SORTS.get(filters.sort, SORTS["-created"]))


def filtered_contacts(
    *, user, params: QueryDict
) -> tuple[QuerySet[Contact], ContactFilters, CustomFilters]:
    """The contact list's search and filters read from a query string: the page, its
    exports, its bulk actions and a message to the listed contacts all read them here,
    so they always act on the same rows."""
    status, kind = params.get("status", ""), params.get("kind", "")
    filters = ContactFilters(
        query=params.get("q", "").strip(),
        **{
            name: int_param(params, name)
            for name in ("owner", "category", "region", "source", "grade")
        },
        status=status if status in Contact.Status.values else "",
        kind=kind if kind in Contact.Kind.values else "",
        sort=params.get("sort", "-created"),
        ids=id_list_param(params, "id") or None,
    )
    custom = CustomFilters(list(CustomField.objects.for_target("contacts.contact")), params)
    return custom.apply(contacts_for_list(user=user, filters=filters)), filters, custom


def contact_duplicates(
    *, national_id: str, numbers: list[str], exclude_pk: int | None = None
) -> list[Contact]:
    """Live contacts that already have this national/legal ID or one of these phone
    numbers, whoever owns them (the caller decides what the user may see of them)."""
    phones = ContactPhone.objects.filter(number__in=numbers).exclude(
        kind=ContactPhone.Kind.INTERNAL  # extensions repeat across companies
    )
    condition = Q(pk__in=phones.values("contact_id"))
    if national_id:
        condition |= Q(national_id=national_id)
    duplicates = Contact.objects.filter(condition)
    if exclude_pk:
        duplicates = duplicates.exclude(pk=exclude_pk)
    return list(duplicates.only("pk", "name", "code", "owner_id", "national_id")[:10])


def phonebook_search(*, user, query: str) -> QuerySet[PhoneBookEntry]:
    """Visible phone-book entries (public ones and the user's own) matching ``query`` by
    name, company, title, email or any number, as the contact search does."""
    entries = PhoneBookEntry.objects.visible_to(user).select_related("owner")
    # A personal list is short: a one- or two-character query is the start of a name.
    return _matching(
        entries, query, lambda records, key: records.filter(search_key__startswith=key)
    )


def staff_directory(*, query: str = ""):
    """Colleagues with their internal extension and mobile (the phone book's third
    part): active users, searched by name, username or extension."""
    from peyvand.accounts.models import User

    users = User.objects.filter(is_active=True).exclude(extension="", mobile="")
    text = normalize_persian(query)
    if text:
        users = users.filter(
            Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
            | Q(username__icontains=text)
            | Q(extension__startswith=text)
        )
    return users.order_by("extension", "last_name", "id")
