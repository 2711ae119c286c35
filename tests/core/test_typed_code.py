"""A code is found by its number alone (issue 26, «Search»): «۶۶» or «c66» finds C000066,
«۲۵» this year's lead L140500025; a code typed in full is found as ever, a complaint's
with its hyphen too; a pattern a manager changes is searched at once."""

import pytest

from peyvand.accounts.roles import MANAGER
from peyvand.contacts.lists import CONTACTS
from peyvand.core.dates import jalali_today
from peyvand.core.models import Sequence
from peyvand.core.sequences import ensure_sequence
from peyvand.sales.lists import LEADS
from peyvand.service.lists import COMPLAINTS
from tests.factories import ContactFactory, LeadFactory, UserFactory
from tests.lists import query
from tests.test_access import owners_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return UserFactory(role=MANAGER)


def codes(spec, user, text: str, field: str = "code") -> set[str]:
    return set(spec.rows(user, query(q=text, status="all")).values_list(field, flat=True))


def test_a_contact_is_found_by_the_number_of_its_code(manager):
    ensure_sequence("contact", "کد مخاطبین", pattern="C{شماره}", padding=6, yearly=False)
    ContactFactory(code="C000066", name="داروخانه نور")
    ContactFactory(code="C000660", name="دیگری")
    ContactFactory(code="C000006", name="سومی")
    for typed in ("۶۶", "66", "c66", "C66", "c000066", "C000066"):
        assert codes(CONTACTS, manager, typed) == {"C000066"}, typed
    assert codes(CONTACTS, manager, "x66") == set()  # letters the code does not start with
    assert codes(CONTACTS, manager, "۶") == {"C000006"}


def test_a_changed_pattern_is_searched_at_once(manager):
    sequence = ensure_sequence("contact", "کد مخاطبین", pattern="C{شماره}", padding=6)
    ContactFactory(code="M0066")
    assert codes(CONTACTS, manager, "66") == set()
    sequence.pattern, sequence.padding = "M{شماره}", 4
    sequence.save()
    assert codes(CONTACTS, manager, "66") == {"M0066"}


def test_a_lead_is_found_by_its_number_this_year_or_the_two_before(personas):
    ensure_sequence("lead", "سرنخ‌ها", pattern="L{سال}{شماره}", padding=5)
    year = jalali_today().year
    contact = ContactFactory(owner=personas.owner)
    for made in (year, year - 2, year - 3):
        LeadFactory(contact=contact, owner=personas.owner, code=f"L{made}00025")
    assert codes(LEADS, personas.owner, "۲۵") == {f"L{year}00025", f"L{year - 2}00025"}
    assert codes(LEADS, personas.owner, f"L{year - 3}00025") == {f"L{year - 3}00025"}


def test_a_complaint_code_is_found_in_full_with_its_hyphen_and_by_its_number(personas):
    (pk,) = owners_complaint(personas)
    code = COMPLAINTS.model.objects.get(pk=pk).tracking_code
    number = str(int(code.rsplit("-", 1)[1]))
    user = personas.owner
    assert codes(COMPLAINTS, user, code, "tracking_code") == {code}
    assert codes(COMPLAINTS, user, number, "tracking_code") == {code}
    assert Sequence.objects.filter(kind="complaint").exists()
