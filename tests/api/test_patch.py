"""PATCH on the API (issue 29, point 5): only the fields sent change, through the page's
own form (the same rules, the same Persian messages); the rest of the record, its
custom fields and its watchers stay as they are; If-Match guards it as PUT."""

import pytest
from django.test import Client

from peyvand.accounts.models import ApiToken
from peyvand.lookups.models import Urgency
from peyvand.sales.models import Lead
from peyvand.sales.services import lead_save
from peyvand.service.models import Request
from peyvand.service.services import request_register
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {ApiToken.issue(user)[1]}"}


def test_a_lead_patch_changes_only_what_is_sent(personas):
    api = Client(headers=bearer(personas.owner))
    contact = ContactFactory(owner=personas.owner)
    lead = lead_save(
        lead=Lead(title="خرید دستگاه", contact=contact, stars=3, expected_value=5_000_000,
                  notes="تماس صبح"),
        by=personas.owner,
    )  # fmt: skip
    url = f"/api/v1/leads/{lead.pk}"
    etag = api.get(url)["ETag"]
    answer = api.patch(
        url, {"expected_value": "۷٬۰۰۰٬۰۰۰"}, content_type="application/json",
        headers={"If-Match": etag},
    )  # fmt: skip
    assert answer.status_code == 200, answer.json()
    lead.refresh_from_db()
    assert (lead.expected_value, lead.title, lead.stars, lead.notes, lead.contact) == (
        7_000_000, "خرید دستگاه", 3, "تماس صبح", contact,
    )  # fmt: skip
    stale = api.patch(url, {"stars": 1}, content_type="application/json",
                      headers={"If-Match": etag})  # fmt: skip
    assert stale.status_code == 412
    refused = api.patch(url, {"title": ""}, content_type="application/json")
    assert refused.status_code == 422 and "title" in refused.json()["errors"]
    assert Lead.objects.get(pk=lead.pk).stars == 3


def test_a_request_patch_keeps_its_watchers_and_the_workflow_rule(personas):
    api = Client(headers=bearer(personas.owner))
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    item = request_register(
        request=Request(description="خرابی چاپگر", subject="چاپگر", urgency=urgency,
                        assignee=personas.teammate),
        by=personas.owner, watchers=[personas.manager],
    )  # fmt: skip
    url = f"/api/v1/requests/{item.pk}"
    answer = api.patch(url, {"subject": "چاپگر طبقه دوم"}, content_type="application/json")
    assert answer.status_code == 200, answer.json()
    item.refresh_from_db()
    assert (item.subject, item.description) == ("چاپگر طبقه دوم", "خرابی چاپگر")
    assert list(item.watchers.all()) == [personas.manager]
    # Someone else's request: not theirs to change.
    other = Client(headers=bearer(personas.outsider))
    assert other.patch(url, {"subject": "x"}, content_type="application/json").status_code == 404
