"""Idempotency keys on creating POSTs (issue 29, point 5): a repeat of a POST with the
same Idempotency-Key creates nothing more and gets the first answer back."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from peyvand.accounts.models import ApiToken
from peyvand.accounts.roles import SALES
from peyvand.activities.models import Task
from peyvand.api.idempotency import forget_old_keys
from peyvand.api.models import IdempotentRequest
from peyvand.contacts.models import Contact
from tests.factories import UserFactory

CONTACT = {"name": "شرکت آرمان", "phones": [{"kind": "mobile", "number": "09121112233"}]}


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {ApiToken.issue(user)[1]}"}


def create_contact(client, headers, key: str | None, body: dict = CONTACT):
    more = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        "/api/v1/contacts", body, content_type="application/json", headers=headers | more
    )


@pytest.mark.django_db
def test_a_repeated_creation_creates_once_and_answers_the_same(client, personas):
    headers = bearer(personas.owner)
    first = create_contact(client, headers, "d6a1-first-try")
    again = create_contact(client, headers, "d6a1-first-try")

    assert (first.status_code, again.status_code) == (201, 201)
    assert Contact.objects.filter(name="شرکت آرمان").count() == 1
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    # Without the header (or with another key) each POST is a new contact, as before.
    assert create_contact(client, headers, None).status_code == 201
    assert create_contact(client, headers, "d6a1-second").status_code == 201
    assert Contact.objects.filter(name="شرکت آرمان").count() == 3


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused_in_persian(client, personas):
    headers = bearer(personas.owner)
    assert create_contact(client, headers, "k1").status_code == 201
    other = create_contact(client, headers, "k1", {**CONTACT, "name": "شرکت دیگر"})
    assert other.status_code == 422
    assert other.json()["detail"] == (
        "این Idempotency-Key پیش‌تر با درخواست دیگری فرستاده شده است؛ برای هر درخواست تازه"
        " کلید تازه بسازید."
    )
    assert not Contact.objects.filter(name="شرکت دیگر").exists()


@pytest.mark.django_db
def test_a_refused_body_leaves_the_key_free_for_the_corrected_one(client, personas):
    headers = bearer(personas.owner)
    refused = create_contact(client, headers, "k2", {**CONTACT, "name": ""})
    assert refused.status_code == 422
    assert create_contact(client, headers, "k2", {**CONTACT, "name": ""}).status_code == 422
    assert create_contact(client, headers, "k2").status_code == 201
    assert IdempotentRequest.objects.get().key == "k2"


@pytest.mark.django_db
def test_keys_are_each_callers_own(client, personas):
    create_contact(client, bearer(personas.owner), "shared-key")
    theirs = create_contact(client, bearer(personas.outsider), "shared-key")
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert set(Contact.objects.values_list("owner__username", flat=True)) == {"owner", "outsider"}


@pytest.mark.django_db
def test_an_action_sent_with_a_key_still_happens(client, personas):
    task = Task.objects.create(
        description="تماس با آرمان", owner=personas.owner, assignee=personas.owner
    )
    response = client.post(
        f"/api/v1/tasks/{task.pk}/done",
        content_type="application/json",
        headers=bearer(personas.owner) | {"Idempotency-Key": "done-1"},
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert not IdempotentRequest.objects.exists()


@pytest.mark.django_db
def test_a_key_that_is_no_line_of_text_is_refused(client, personas):
    response = create_contact(client, bearer(personas.owner), "x" * 256)
    assert response.status_code == 400
    assert response.json()["detail"] == "سرآیند Idempotency-Key باید متنی یک‌خطی تا 255 نویسه باشد."
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_keys_are_forgotten_after_a_day(client, personas):
    create_contact(client, bearer(personas.owner), "old")
    IdempotentRequest.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    create_contact(client, bearer(personas.owner), "new")
    assert forget_old_keys() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_repeats_at_once_create_one_contact():
    """The client's retry arrives while the first request is still running: it waits for
    it and answers the same (the unique key row, PostgreSQL's row locks)."""
    user = UserFactory(username="integration", role=SALES)
    headers = bearer(user)
    answers = []
    start = threading.Barrier(4)

    def post():
        try:
            start.wait()
            answers.append(create_contact(Client(), headers, "same-moment"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [a.status_code for a in answers] == [201] * 4
    assert Contact.objects.count() == 1
    assert len({a.content for a in answers}) == 1
    assert sum(a.has_header("Idempotent-Replayed") for a in answers) == 3
