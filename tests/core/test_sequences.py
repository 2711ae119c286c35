import threading

import pytest
from django.db import connection, transaction

from peyvand.core.dates import jalali_today
from peyvand.core.models import Sequence
from peyvand.core.sequences import ensure_sequence, next_code


@pytest.mark.django_db
def test_codes_follow_the_pattern_with_the_jalali_year_and_padding():
    ensure_sequence("request", "کد پیگیری درخواست", pattern="R{سال}-{شماره}", padding=4)
    with transaction.atomic():
        first, second = next_code("request"), next_code("request")
    year = jalali_today().year
    assert (first, second) == (f"R{year}-0001", f"R{year}-0002")


@pytest.mark.django_db
def test_a_yearly_series_starts_again_in_a_new_jalali_year():
    ensure_sequence("complaint", "شکایت", pattern="{سال}{شماره}", padding=3)
    Sequence.objects.filter(kind="complaint").update(year=1399, last_number=57)
    with transaction.atomic():
        code = next_code("complaint")
    assert code == f"{jalali_today().year}001"


@pytest.mark.django_db
def test_a_series_that_is_not_yearly_keeps_counting():
    ensure_sequence("contact-test", "مخاطب", pattern="C{شماره}", padding=3, yearly=False)
    Sequence.objects.filter(kind="contact-test").update(year=1399, last_number=57)
    with transaction.atomic():
        assert next_code("contact-test") == "C058"


@pytest.mark.django_db(transaction=True)
def test_next_code_refuses_to_run_outside_a_transaction():
    ensure_sequence("outside", "بیرون")
    with pytest.raises(RuntimeError):
        next_code("outside")


@pytest.mark.django_db
def test_an_unknown_series_is_an_error():
    with transaction.atomic(), pytest.raises(Sequence.DoesNotExist):
        next_code("nope")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_creations_get_fifty_distinct_codes():
    ensure_sequence("race", "مسابقه", pattern="{شماره}", padding=6)
    codes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(50)

    def create() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                codes.append(next_code("race"))
        except BaseException as error:  # reported below, not swallowed
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(codes) == [f"{n:06d}" for n in range(1, 51)]
