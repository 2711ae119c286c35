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


def customer_condition(text: str) -> Q | None:
    """Rows whose customer's name, company or phone holds ``text`` — the customers as a
    subquery, so a list page's query count stays the same whatever is typed — or None
    when the text is too short to look for. It only narrows: rows stay within the
    list's visibility."""
    key = national_phone_key(fa_search_key(text))
    if len(key) < MIN_SEARCH_LENGTH:
        return None
    return Q(contact__in=Contact.objects.filter(search_key__contains=key).order_by().values("pk"))


# Why a row matched through its customer (core.lists Search.shown), after the row's own.
CUSTOMER_SHOWN = (
    (_("مشتری"), lambda row: row.contact.name),
    (_("شرکت"), lambda row: row.contact.company),
    (_("تلفن مشتری"), lambda row: row.contact.phones_text.split("|")),
)
