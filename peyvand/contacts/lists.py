"""What other apps' lists (core.lists) ask of customers: the customer picker filter and
the rule by which a list's text finds rows through their customer."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peyvand.contacts.models import Contact
from peyvand.contacts.selectors import MIN_SEARCH_LENGTH, national_phone_key
from peyvand.core.lists import Record
from peyvand.core.text import fa_search_key


def customer_filter(label=None) -> Record:
    """``?contact=<id>``: the customer picker (it answers only customers the user sees),
    labelled «مشتری» unless the list calls them otherwise («طرف حساب»)."""
    return Record(
        name="contact",
        label=label or _("مشتری"),
        field="contact",
        model=Contact,
        url="contacts:autocomplete",
    )


# Past this many matching customers, a list's text looks them up by a subquery.
CUSTOMER_IDS_CAP = 5000


def matching_customers(text: str | None):
    """The customers whose name, company or phone holds ``text``: their ids as a list
    while there are few, else a subquery; None when the text is too short to look for.
    With a list, "row matches OR its customer is one of these ids" lets PostgreSQL
    combine index scans, where the subquery made it walk every row (130 ms at 200,000
    leads for a rare name, 12 ms so); a common word keeps the subquery: the newest rows
    match soon enough. One query either way — also with no text (``pk__in=[0]``), so
    that a list's query count is the same whatever is typed."""
    key = fa_search_key(text or "")
    if len(key) < MIN_SEARCH_LENGTH:
        list(Contact.objects.filter(pk__in=[0]).values_list("pk", flat=True))
        return None
    key = national_phone_key(key)
    customers = Contact.objects.filter(search_key__contains=key).order_by().values("pk")
    ids = list(customers.values_list("pk", flat=True)[: CUSTOMER_IDS_CAP + 1])
    return ids if len(ids) <= CUSTOMER_IDS_CAP else customers


def find_customers(text: str | None, reading) -> None:
    """``Search.prepare`` of a list whose text also finds rows through their customer."""
    reading.sources["customers"] = matching_customers(text)


def customer_condition(reading) -> Q | None:
    """Rows whose customer holds the text (found by ``find_customers``), or None when
    the text is too short to look for. It only narrows: rows stay within the list's
    visibility."""
    customers = reading.sources["customers"]
    return None if customers is None else Q(contact__in=customers)


# Why a row matched through its customer (core.lists Search.shown), after the row's own.
CUSTOMER_SHOWN = (
    (_("مشتری"), lambda row: row.contact.name),
    (_("شرکت"), lambda row: row.contact.company),
    (_("تلفن مشتری"), lambda row: row.contact.phones_text.split("|")),
)
