from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from peyvand.contacts.models import Contact, ContactAddress, ContactPhone, PhoneBookEntry
from peyvand.core.models import text_condition
from peyvand.core.sequences import text_or_code
from peyvand.core.text import fa_search_key, normalize_persian, typed_search_key


def contact_text(query: str) -> Q:
    """Contacts matching ``query`` by any part of code, name, company, phone, email or
    national ID, whatever the spelling variant or digits typed, or by the number of
    their code («۶۶» → C000066). A trigram index cannot serve one or two characters
    inside words, and scanning a million rows for them would be slow and the matches
    useless: such a query is a code, or a whole word of the name or company («۱۲» finds
    «داروخانه ۱۲ فروردین», through the index on ``short_words``)."""
    return text_or_code(query, field="code", kind="contact")


def contact_search(*, user, query: str) -> QuerySet[Contact]:
    """Visible contacts matching ``query`` (contact_text)."""
    contacts = Contact.objects.visible_to(user).select_related("owner", "source", "grade")
    return contacts.filter(contact_text(query))


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


def phonebook_text(query: str) -> Q:
    """Phone-book entries matching ``query`` by name, company, title, email or any
    number, as the contact search does (the trigram index phonebook_search_trgm). A
    personal list is short: a one- or two-character query is the start of a name, or a
    whole word of the name or company (core.models.text_condition)."""
    if key := typed_search_key(query):
        return Q(search_key__contains=key)
    key = fa_search_key(normalize_persian(query))
    if not key:
        return Q()
    start = Q(search_key__startswith=key)
    words = text_condition(query)
    return start if words is None else start | words


def phonebook_search(*, user, query: str) -> QuerySet[PhoneBookEntry]:
    """Visible phone-book entries (public ones and the user's own) matching ``query``
    (phonebook_text): the global search's source."""
    entries = PhoneBookEntry.objects.visible_to(user).select_related("owner")
    return entries.filter(phonebook_text(query))


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


def contact_with_email(address: str) -> Contact | None:
    """The live contact whose email is ``address`` (any case), else the one with it among
    their other addresses (the accounting department's…): the oldest if several share
    it. Who writes in is found by it (messaging.mail_in; indexes contact_email_lower,
    contactaddress_email_lower)."""
    address = address.strip().lower()
    if not address:
        return None
    main = (
        Contact.objects.exclude(email="")
        .annotate(email_lower=Lower("email"))
        .filter(email_lower=address)
        .order_by("pk")
        .first()
    )
    if main is not None:
        return main
    other = (
        ContactAddress.objects.annotate(value_lower=Lower("value"))
        .filter(kind=ContactAddress.Kind.EMAIL, value_lower=address, contact__deleted_at=None)
        .order_by("contact_id")
        .select_related("contact")
        .first()
    )
    return other.contact if other is not None else None


def contact_with_number(number: str) -> Contact | None:
    """The live contact with this number (E.164, as phones are stored): the oldest if
    several share it. Who calls or texts in is found by it (a call, an SMS)."""
    if not number.startswith("+"):
        return None
    return Contact.objects.filter(phones__number=number).order_by("pk").first()
