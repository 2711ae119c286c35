import pytest
from django.db import transaction

from peyvand.contacts.models import Contact
from peyvand.core.dates import jalali_today
from peyvand.core.models import Sequence
from peyvand.core.sequences import ensure_sequence, next_code, next_codes
from peyvand.core.services import record_delete
from tests.concurrency import at_once
from tests.factories import ContactFactory, UserFactory

# The records a test series numbers: contacts' codes (any model and field would do).
CONTACTS = {"model": Contact, "field": "code"}


@pytest.mark.django_db
def test_codes_follow_the_pattern_with_the_jalali_year_and_padding():
    ensure_sequence("request", "کد پیگیری درخواست", pattern="R{سال}-{شماره}", padding=4)
    with transaction.atomic():
        first, second = next_code("request", **CONTACTS), next_code("request", **CONTACTS)
    year = jalali_today().year
    assert (first, second) == (f"R{year}-0001", f"R{year}-0002")


@pytest.mark.django_db
def test_a_yearly_series_starts_again_in_a_new_jalali_year():
    ensure_sequence("complaint", "شکایت", pattern="{سال}{شماره}", padding=3)
    Sequence.objects.filter(kind="complaint").update(year=1399, last_number=57)
    with transaction.atomic():
        code = next_code("complaint", **CONTACTS)
    assert code == f"{jalali_today().year}001"


@pytest.mark.django_db
def test_a_series_that_is_not_yearly_keeps_counting():
    ensure_sequence("contact-test", "مخاطب", pattern="C{شماره}", padding=3, yearly=False)
    Sequence.objects.filter(kind="contact-test").update(year=1399, last_number=57)
    with transaction.atomic():
        assert next_code("contact-test", **CONTACTS) == "C058"


@pytest.mark.django_db(transaction=True)
def test_next_code_refuses_to_run_outside_a_transaction():
    ensure_sequence("outside", "بیرون")
    with pytest.raises(RuntimeError):
        next_code("outside", **CONTACTS)


@pytest.mark.django_db
def test_an_unknown_series_is_an_error():
    with transaction.atomic(), pytest.raises(Sequence.DoesNotExist):
        next_code("nope", **CONTACTS)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_creations_get_fifty_distinct_codes():
    ensure_sequence("race", "مسابقه", pattern="{شماره}", padding=6)

    def create() -> str:
        with transaction.atomic():
            return next_code("race", **CONTACTS)

    codes = at_once(*[create] * 50)
    assert all(isinstance(code, str) for code in codes), codes
    assert sorted(codes) == [f"{n:06d}" for n in range(1, 51)]


@pytest.mark.django_db
def test_a_series_steps_over_codes_that_records_hold_the_trash_included():
    """Issue 21: a code typed by hand on the series' path made every later automatic
    code fail the unique constraint (a 500), forever: the failed transaction rolled the
    counter back."""
    ensure_sequence("contact-path", "مخاطب", pattern="C{شماره}", padding=3, yearly=False)
    owner = UserFactory()
    ContactFactory(code="C001", owner=owner)
    record_delete(record=ContactFactory(code="C002", owner=owner), by=owner)
    ContactFactory(code="C004", owner=owner)
    with transaction.atomic():
        codes = [next_code("contact-path", **CONTACTS) for _ in range(3)]
    assert codes == ["C003", "C005", "C006"]
    assert Sequence.objects.get(kind="contact-path").last_number == 6


@pytest.mark.django_db
def test_a_bulk_reservation_steps_over_codes_held_and_typed_in_the_same_batch():
    ensure_sequence("contact-bulk", "مخاطب", pattern="C{شماره}", padding=3, yearly=False)
    ContactFactory(code="C002")
    with transaction.atomic():
        codes = next_codes("contact-bulk", 3, reserved={"C003"}, **CONTACTS)
    assert codes == ["C001", "C004", "C005"]
    assert Sequence.objects.get(kind="contact-bulk").last_number == 5


@pytest.mark.django_db
def test_a_long_run_of_taken_codes_is_crossed_in_a_few_queries(django_assert_max_num_queries):
    ensure_sequence("contact-run", "مخاطب", pattern="R{شماره}", padding=4, yearly=False)
    owner = UserFactory()
    Contact.objects.bulk_create(
        Contact(code=f"R{number:04d}", name="x", owner=owner) for number in range(1, 1201)
    )
    with transaction.atomic(), django_assert_max_num_queries(8):
        assert next_code("contact-run", **CONTACTS) == "R1201"
