"""A one- or two-character query finds contacts and phone-book entries that have it as a
whole word of their name or company (issue 26, point 4), through the trigram index on
``short_words``, and still finds a contact by the number of its code."""

import pytest
from django.db import connection
from django.urls import reverse

from peyvand.accounts.roles import MANAGER
from peyvand.contacts import services
from peyvand.contacts.lists import CONTACTS, PHONEBOOK
from peyvand.contacts.models import Contact, PhoneBookEntry
from peyvand.core.sequences import ensure_sequence
from tests.factories import ContactFactory, UserFactory
from tests.lists import query

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(personas):
    ensure_sequence("contact", "کد مخاطبین", pattern="C{شماره}", padding=6, yearly=False)
    owner = personas.owner

    def add(code, name, company=""):
        return ContactFactory(owner=owner, code=code, name=name, company=company)

    return {
        "word": add("C000501", "داروخانه ۱۲ فروردین"),
        "company": add("C000502", "علی رضایی", company="پخش AB"),
        "alef": add("C000503", "کوچه آ"),
        "code": add("C000012", "فروشگاه نور"),  # found by its number
        "longer": add("C000504", "داروخانه ۱۲۰", company="ساختمان 12b"),
        "inside": add("C000505", "آرش ab‌ها"),
    }


def names(user, text: str) -> set[str]:
    return set(CONTACTS.rows(user, query(q=text)).values_list("name", flat=True))


def test_a_two_digit_query_finds_the_whole_number_and_the_code_on_the_page(
    client, personas, contacts
):
    client.force_login(personas.owner)
    response = client.get(reverse("contacts:list"), {"q": "۱۲"})
    found = {contact.name for contact in response.context["page"].items}
    assert found == {"داروخانه ۱۲ فروردین", "فروشگاه نور"}
    assert "کلمه‌های کامل" in response.content.decode()  # what a short query looks for


def test_a_short_query_is_a_whole_word_of_the_name_or_company_in_any_spelling(personas, contacts):
    owner = personas.owner
    assert names(owner, "12") == {"داروخانه ۱۲ فروردین", "فروشگاه نور"}
    assert names(owner, "١٢") == names(owner, "12")  # Arabic-Indic digits
    assert names(owner, "ab") == {"علی رضایی"}  # the company; not «ab‌ها»
    assert names(owner, "AB") == {"علی رضایی"}
    assert names(owner, "آ") == {"کوچه آ"}  # not every name with the letter
    assert names(owner, "ا") == {"کوچه آ"}  # folded as the search key is
    assert names(owner, "۱۲۰") == {"داروخانه ۱۲۰"}  # three characters: the search key


def test_a_renamed_contact_is_found_by_its_new_words(personas, contacts):
    contact = contacts["longer"]
    contact.name = "داروخانه ۱۲"
    contact.save()
    assert names(personas.owner, "۱۲") == {
        "داروخانه ۱۲ فروردین",
        "فروشگاه نور",
        "داروخانه ۱۲",
    }


def test_a_short_word_finds_only_what_the_user_may_see(personas, contacts):
    ContactFactory(owner=personas.outsider, name="انبار ۱۲")
    assert "انبار ۱۲" not in names(personas.owner, "۱۲")
    assert "انبار ۱۲" in names(UserFactory(role=MANAGER), "۱۲")


def test_the_contact_list_reads_a_short_word_through_its_trigram_index(
    personas, contacts, is_postgres
):
    if not is_postgres:
        pytest.skip("reads PostgreSQL's plan")
    manager = UserFactory(role=MANAGER)
    rows = CONTACTS.rows(manager, query(q="۱۲"))
    assert set(rows.values_list("name", flat=True)) == {"داروخانه ۱۲ فروردین", "فروشگاه نور"}
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = rows.explain()
        words_only = Contact.objects.filter(short_words__contains=" 12 ").order_by().explain()
        cursor.execute("RESET enable_seqscan")
    assert "contact_short_words_trgm" in plan, plan
    assert "contact_short_words_trgm" in words_only, words_only


# The phone book -------------------------------------------------------------------------


def entries(user, text: str) -> set[str]:
    return {entry.name for entry in PHONEBOOK.rows(user, query(q=text))}


def test_the_phone_book_finds_a_short_whole_word_and_the_start_of_a_name(personas):
    def add(**fields):
        entry = PhoneBookEntry(owner=personas.owner, **fields)
        return services.phonebook_save(entry=entry, by=personas.owner)

    add(name="لوله‌کش محل")
    add(name="حسابداری", company="ساختمان ۱۲")
    add(name="انبار ۱۲۰")
    add(name="۱۲۳ نگهبانی")
    owner = personas.owner
    assert entries(owner, "۱۲") == {"حسابداری", "۱۲۳ نگهبانی"}  # the word, or the start
    assert entries(owner, "لو") == {"لوله‌کش محل"}  # the start of a name, as before
    assert entries(owner, "مح") == set()  # inside a name: nothing


def test_a_short_word_says_why_only_where_it_is_a_whole_word(client, personas, contacts):
    """«۱۲» found «داروخانه ۱۲ فروردین» by its name: its phone 0912… is not why; the
    company's word is shown when the name does not hold it."""
    named = contacts["word"]
    named.phones_text = "09121234567"
    named.save(update_fields=["phones_text"])
    ContactFactory(owner=personas.owner, name="انبار مرکزی", company="ساختمان ۱۲")
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:list"), {"q": "۱۲"}).content.decode()
    assert "انبار مرکزی" in page and "داروخانه ۱۲ فروردین" in page
    assert "<mark>۱۲</mark></bdi>" in page  # the company: ساختمان ۱۲
    assert page.count("search-why") == 1  # not the phone's «۰۹۱۲»
