"""A complete API for contacts (issue 29, point 5): PUT, PATCH, DELETE and restore from
the recycle bin, with HTTP's concurrency control: a GET's ETag sent back as If-Match
makes a stale write 412 instead of a lost update (the same check as a PUT's
``updated_at``, which answers 409)."""

import pytest
from django.test import Client

from peyvand.accounts.models import ApiToken
from peyvand.contacts.models import Contact
from peyvand.core.models import ChangeRecord
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {ApiToken.issue(user)[1]}"}


def url(contact) -> str:
    return f"/api/v1/contacts/{contact.pk}"


@pytest.fixture
def api(personas):
    return Client(headers=bearer(personas.owner))


@pytest.fixture
def customer(personas):
    return ContactFactory(
        owner=personas.owner, name="علی کریمی", company="صنایع مهرگان", email="ali@example.ir",
        phones=["+989121112233"],
    )  # fmt: skip


def test_patch_changes_only_what_is_sent(api, customer):
    answer = api.patch(url(customer), {"company": "صنایع نوین"}, content_type="application/json")
    assert answer.status_code == 200, answer.json()
    customer.refresh_from_db()
    assert (customer.company, customer.name, customer.email) == (
        "صنایع نوین", "علی کریمی", "ali@example.ir",
    )  # fmt: skip
    assert list(customer.phones.values_list("number", flat=True)) == ["+989121112233"]
    [line] = ChangeRecord.objects.get(object_id=customer.pk, action="changed").changes
    assert (line["field"], line["old"], line["new"]) == ("company", "صنایع مهرگان", "صنایع نوین")


def test_put_replaces_the_contact_and_its_phones_and_bad_input_is_said_in_persian(api, customer):
    body = {"name": "علی کریمی", "phones": [{"kind": "mobile", "number": "09357778899"}]}
    answer = api.put(url(customer), body, content_type="application/json")
    assert answer.status_code == 200
    customer.refresh_from_db()
    assert customer.company == "" and customer.mobile == "+989357778899"
    refused = api.patch(url(customer), {"email": "نه-ایمیل"}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"]["email"][0]["message"] == "یک ایمیل آدرس معتبر وارد کنید."


def test_an_etag_sent_back_as_if_match_refuses_a_write_made_stale_meanwhile(
    api, customer, personas
):
    read = api.get(url(customer))
    etag = read["ETag"]
    assert (
        etag.startswith('"')
        and api.get(url(customer), headers={"If-None-Match": etag}).status_code == 304
    )

    # Someone else saves it after this client read it.
    other = Client(headers=bearer(personas.teammate))
    assert (
        other.patch(
            url(customer), {"job": "مدیر خرید"}, content_type="application/json"
        ).status_code
        == 200
    )

    stale = api.patch(
        url(customer), {"company": "صنایع نوین"}, content_type="application/json",
        headers={"If-Match": etag},
    )  # fmt: skip
    assert stale.status_code == 412
    assert "شغل" in stale.json()["detail"] or "مدیر خرید" in stale.json()["detail"]
    assert stale["ETag"] != etag
    customer.refresh_from_db()
    assert customer.company == "صنایع مهرگان"  # nothing lost, nothing written
    fresh = api.patch(
        url(customer), {"company": "صنایع نوین"}, content_type="application/json",
        headers={"If-Match": stale["ETag"]},
    )  # fmt: skip
    assert fresh.status_code == 200
    # The body's updated_at is the same check: 409.
    old = read.json()["updated_at"]
    assert (
        api.patch(
            url(customer), {"job": "x", "updated_at": old}, content_type="application/json"
        ).status_code
        == 409
    )
    unreadable = api.put(url(customer), {"name": "x"}, content_type="application/json",
                         headers={"If-Match": "yesterday"})  # fmt: skip
    assert unreadable.status_code == 400 and "If-Match" in unreadable.json()["detail"]


def test_delete_goes_to_the_trash_and_restore_brings_it_back(api, customer, personas):
    etag = api.get(url(customer))["ETag"]
    Contact.objects.filter(pk=customer.pk).update(job="تغییر")  # a save the client missed…
    customer.refresh_from_db()
    api.patch(url(customer), {"job": "مدیر"}, content_type="application/json")
    assert api.delete(url(customer), headers={"If-Match": etag}).status_code == 412
    assert Contact.objects.filter(pk=customer.pk).exists()

    assert api.delete(url(customer)).status_code == 204
    assert not Contact.objects.filter(pk=customer.pk).exists()
    assert api.get(url(customer)).status_code == 404
    restore = f"/api/v1/trash/contacts.contact/{customer.pk}/restore"
    assert api.post(restore).status_code == 403  # a rep does not empty or restore the trash
    boss = Client(headers=bearer(personas.manager))
    assert boss.post("/api/v1/trash/nothing.here/1/restore").status_code == 404
    restored = boss.post(restore)
    assert restored.status_code == 200
    assert restored.json() == {"type": "contacts.contact", "id": customer.pk, "name": "علی کریمی"}
    assert api.get(url(customer)).status_code == 200


def test_an_outsider_can_neither_see_nor_change_nor_delete(customer, personas):
    outsider = Client(headers=bearer(personas.outsider))
    assert (
        outsider.patch(url(customer), {"job": "x"}, content_type="application/json").status_code
        == 404
    )
    assert outsider.delete(url(customer)).status_code == 404
