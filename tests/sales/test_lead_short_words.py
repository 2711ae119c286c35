"""A one- or two-character query finds leads with it as a whole word of their subject or
contact person (issue 26, point 4), and still finds a lead by the number of its code;
the list says what a short query looks for."""

import pytest
from django.urls import reverse

from peyvand.core.dates import jalali_today
from peyvand.core.sequences import ensure_sequence
from peyvand.sales.lists import LEADS
from tests.factories import ContactFactory, LeadFactory
from tests.lists import query

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(personas):
    ensure_sequence("lead", "سرنخ‌ها", pattern="L{سال}{شماره}", padding=5)
    owner = personas.owner
    contact = ContactFactory(owner=owner, name="فروشگاه نور")

    def add(code, title, **fields):
        return LeadFactory(owner=owner, contact=contact, code=code, title=title, **fields)

    year = jalali_today().year
    return {
        "word": add("L000001", "خرید ۱۲ دستگاه"),
        "person": add("L000002", "نصب", person_name="آقای ب"),
        "code": add(f"L{year}00012", "قرارداد نگهداری"),
        "longer": add("L000003", "خرید ۱۲۰ دستگاه"),
        "inside": add("L000004", "بسته ب۱۲"),
    }


def titles(user, text: str) -> set[str]:
    rows = LEADS.rows(user, query(q=text, status="all"))
    return set(rows.values_list("title", flat=True))


def test_a_short_query_finds_a_whole_word_of_the_subject_and_the_code(personas, leads):
    owner = personas.owner
    assert titles(owner, "۱۲") == {"خرید ۱۲ دستگاه", "قرارداد نگهداری"}
    assert titles(owner, "ب") == {"نصب"}  # the contact person's word, not «بسته»
    assert titles(owner, "۱۲۰") == {"خرید ۱۲۰ دستگاه"}  # three characters: the search key


def test_the_lead_list_says_a_short_query_looks_for_whole_words(client, personas, leads):
    client.force_login(personas.owner)
    response = client.get(reverse("sales:lead_list"), {"q": "۱۲", "status": "all"})
    page = response.content.decode()
    assert "کلمه‌های کامل" in page
    found = {lead.title for lead in response.context["page"].items}
    assert found == {"خرید ۱۲ دستگاه", "قرارداد نگهداری"}
