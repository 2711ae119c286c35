"""Typed input the review found accepted (issue 21, point 12): negative credit limits,
birthdays centuries ago, names carrying line breaks and direction overrides. Each is
refused or cleaned with a Persian word, in the form, the API and the import alike."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from peyvand.accounts.models import ApiToken
from peyvand.contacts.models import Contact
from peyvand.core.dates import validate_birthday
from peyvand.core.text import clean_typed_text
from tests.contacts.test_views import form_data

pytestmark = pytest.mark.django_db


def test_a_negative_credit_limit_is_refused_and_the_form_kept(client, personas):
    client.force_login(personas.owner)
    response = client.post(reverse("contacts:create"), form_data(credit_limit="-۵۰۰٬۰۰۰"))
    page = response.content.decode()
    assert response.status_code == 200 and "نمی‌تواند منفی باشد" in page
    assert 'value="-۵۰۰٬۰۰۰"' in page and 'value="مریم حسینی"' in page
    assert not Contact.objects.exists()
    client.post(reverse("contacts:create"), form_data(credit_limit="۵۰۰٬۰۰۰"))
    assert Contact.objects.get().credit_limit == 500_000


def test_the_api_refuses_a_negative_credit_limit(client, personas):
    key = ApiToken.issue(personas.owner)[1]
    response = client.post(
        "/api/v1/contacts",
        {"kind": "person", "name": "مریم حسینی", "credit_limit": -1},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 422
    assert "منفی" in str(response.json())
    assert not Contact.objects.exists()


@time_machine.travel("2026-12-04 09:00 +0330", tick=False)
def test_a_birthday_in_the_future_is_refused(client, personas):
    client.force_login(personas.owner)
    response = client.post(reverse("contacts:create"), form_data(birthday="۱۴۵۰/۰۱/۰۱"))
    page = response.content.decode()
    assert response.status_code == 200 and "در آینده" in page
    assert 'value="۱۴۵۰/۰۱/۰۱"' in page
    assert not Contact.objects.exists()
    client.post(reverse("contacts:create"), form_data(birthday="۱۳۰۰/۰۱/۰۱"))
    assert Contact.objects.get().birthday.year == 1921


@time_machine.travel("2026-12-04 09:00 +0330", tick=False)
def test_a_birthday_centuries_ago_is_refused():
    """Jalali input stops at 1300; an Excel date cell in an import does not."""
    with pytest.raises(ValidationError, match="۱۳۰ سال گذشته"):
        validate_birthday(datetime.date(1825, 3, 21))
    validate_birthday(datetime.date(1921, 3, 21))


def test_names_lose_line_breaks_and_direction_overrides_notes_keep_their_lines(client, personas):
    client.force_login(personas.owner)
    client.post(
        reverse("contacts:create"),
        form_data(
            name="علی\r\nکریمی\u202e\u0000",
            company="صنایع\u2066 مهرگان\u2069",
            notes="خط اول\r\nخط دوم\u202e",
        ),
    )
    contact = Contact.objects.get()
    assert contact.name == "علی کریمی"
    assert contact.company == "صنایع مهرگان"
    assert contact.notes == "خط اول\r\nخط دوم"


def test_persian_text_keeps_its_zero_width_non_joiner_and_marks():
    typed = "می\u200cخواهم \u200fپیوند\u200e"
    assert clean_typed_text(typed, multiline=False) == typed
    assert clean_typed_text("a\tb\x0bc\x85d", multiline=False) == "a b cd"


def test_a_password_is_taken_as_typed(client, personas):
    """The login form's password is not cleaned: it must match what was set."""
    personas.owner.set_password("رمز\u202eعبور\t۱")
    personas.owner.save()
    response = client.post(
        reverse("accounts:login"), {"username": "owner", "password": "رمز\u202eعبور\t۱"}
    )
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)  # the worker reads the upload after it commits
def test_an_import_cleans_its_cells_as_the_form_does(client, personas):
    from tests.contacts.test_import import start, upload, xlsx

    client.force_login(personas.owner)
    job = upload(
        client,
        xlsx(
            [["\u202eعلی\r\nکریمی\u2066", "09121234567"]],
            headers=["نام", "تلفن همراه"],
        ),
    )
    assert start(client, job).status == "done"
    assert Contact.objects.get().name == "علی کریمی"
