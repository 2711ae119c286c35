"""Requests over the API: the workflow's steps as actions, with the pages' rules."""

import pytest

from peyvand.accounts.roles import MANAGER, SUPPORT
from peyvand.lookups.models import Urgency
from peyvand.service.models import Request
from tests.api.test_api import token_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def people(client, db):
    support = UserFactory(username="helpdesk", role=SUPPORT)
    manager = UserFactory(username="chief", role=MANAGER)
    other = UserFactory(username="other-agent", role=SUPPORT)
    return {
        user.username: (user, {"Authorization": f"Bearer {token_for(client, user.username)}"})
        for user in (support, manager, other)
    }


def test_a_request_goes_round_its_workflow_over_the_api(client, people):
    (support, as_support), (manager, as_manager), (_other, as_other) = people.values()
    normal = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    missing = client.post(
        "/api/v1/requests",
        {"description": " ", "urgency_id": normal.pk, "assignee_id": manager.pk},
        content_type=JSON,
        headers=as_support,
    )
    assert missing.status_code == 422
    assert missing.json()["errors"]["description"][0]["message"] == "این فیلد لازم است."
    created = client.post(
        "/api/v1/requests",
        {"description": "چاپگر کاغذ گیر می‌کند", "urgency_id": normal.pk, "assignee_id": manager.pk},
        content_type=JSON,
        headers=as_support,
    )
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["owner_id"] == support.pk and item["tracking_code"] and item["deadline"]
    url = f"/api/v1/requests/{item['id']}"
    assert client.get(url, headers=as_other).status_code == 404
    inbox = client.get("/api/v1/requests", headers=as_manager).json()
    assert [row["id"] for row in inbox["items"]] == [item["id"]]
    assert client.get("/api/v1/requests", {"view": "all"}, headers=as_other).json()["items"] == []
    refused = client.post(f"{url}/done", {"result": "x"}, content_type=JSON, headers=as_support)
    assert refused.status_code == 422
    assert refused.json()["detail"] == "فقط انجام‌دهنده درخواست می‌تواند آن را انجام‌شده اعلام کند."
    done = client.post(
        f"{url}/done", {"result": "غلتک تمیز شد"}, content_type=JSON, headers=as_manager
    )
    assert done.json()["status"] == "done"
    edit = client.put(
        url,
        {"description": "تازه", "urgency_id": normal.pk, "assignee_id": manager.pk},
        content_type=JSON,
        headers=as_support,
    )
    assert edit.status_code == 422 and "دیگر نمی‌توان" in edit.json()["detail"]
    back = client.post(
        f"{url}/reject", {"note": "باز هم گیر کرد"}, content_type=JSON, headers=as_support
    )
    assert back.json()["status"] == "open" and back.json()["rejected_at"]
    client.post(f"{url}/done", {"result": "غلتک عوض شد"}, content_type=JSON, headers=as_manager)
    archived = client.post(f"{url}/archive", headers=as_support)
    assert archived.json()["status"] == "archived"
    assert client.delete(url, headers=as_support).status_code == 422
    assert Request.objects.get().result == "غلتک عوض شد"


def test_gifts_and_discounts_over_the_api(client, people):
    from peyvand.service.models import Feedback
    from tests.factories import ContactFactory

    (support, as_support), _, (_other, as_other) = people.values()
    customer = ContactFactory(owner=support)
    bad = client.post(
        "/api/v1/feedback",
        {"contact_id": customer.pk, "kind": "gift", "description": "", "value": "-1"},
        content_type=JSON,
        headers=as_support,
    )
    assert bad.status_code == 422 and "description" in bad.json()["errors"]
    made = client.post(
        "/api/v1/feedback",
        {
            "contact_id": customer.pk,
            "kind": "discount",
            "description": "۵ درصد",
            "value": "۱۰۰٬۰۰۰",
        },
        content_type=JSON,
        headers=as_support,
    )
    assert made.status_code == 201, made.content
    assert made.json()["value"] == 100_000 and made.json()["owner_id"] == support.pk
    listed = client.get("/api/v1/feedback", {"contact": customer.pk}, headers=as_support).json()
    assert [item["kind"] for item in listed["items"]] == ["discount"]
    assert client.get("/api/v1/feedback", headers=as_other).json()["items"] == []
    refused = client.post(
        "/api/v1/feedback",
        {"contact_id": customer.pk, "kind": "gift", "description": "x"},
        content_type=JSON,
        headers=as_other,
    )
    assert refused.status_code == 404
    assert Feedback.objects.count() == 1


def test_a_complaint_is_followed_up_and_closed_over_the_api(client, people):
    from peyvand.lookups.models import FollowUpResult
    from tests.factories import ContactFactory

    (support, as_support), (manager, as_manager), (_other, as_other) = people.values()
    customer = ContactFactory(owner=support)
    missing = client.post(
        "/api/v1/complaints",
        {"contact_id": customer.pk, "description": " ", "officer_id": manager.pk},
        content_type=JSON,
        headers=as_support,
    )
    assert missing.status_code == 422
    assert missing.json()["errors"]["description"][0]["message"] == "شرح شکایت مشتری را بنویسید."
    created = client.post(
        "/api/v1/complaints",
        {
            "contact_id": customer.pk,
            "description": "نصاب دیر آمد",
            "officer_id": manager.pk,
            "source": "after_sales",
        },
        content_type=JSON,
        headers=as_support,
    )
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["owner_id"] == support.pk and "-" in item["tracking_code"]
    url = f"/api/v1/complaints/{item['id']}"
    assert client.get(url, headers=as_other).status_code == 404
    mine = client.get("/api/v1/complaints", headers=as_manager).json()
    assert [row["id"] for row in mine["items"]] == [item["id"]]
    result = FollowUpResult.objects.get_or_create(name="پیگیری", defaults={"priority": 2})[0]
    logged = client.post(
        f"{url}/followups",
        {"result_id": result.pk, "description": "با مشتری صحبت شد", "next_date": "+1"},
        content_type=JSON,
        headers=as_manager,
    )
    assert logged.status_code == 201, logged.content
    assert logged.json()["complaint_id"] == item["id"] and logged.json()["next_by_id"] == manager.pk
    listed = client.get(f"{url}/followups", headers=as_support).json()["items"]
    assert [row["id"] for row in listed] == [logged.json()["id"]]
    refused = client.post(f"{url}/close", {"result": " "}, content_type=JSON, headers=as_manager)
    assert (
        refused.status_code == 422 and refused.json()["detail"] == "نتیجه نهایی شکایت را بنویسید."
    )
    closed = client.post(
        f"{url}/close", {"result": "عذرخواهی و تخفیف"}, content_type=JSON, headers=as_manager
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    late = client.post(
        f"{url}/followups", {"result_id": result.pk}, content_type=JSON, headers=as_manager
    )
    assert late.status_code == 422 and "بسته شده" in late.json()["detail"]
    gone = client.delete(url, headers=as_support)
    assert gone.status_code == 422 and "به‌جای حذف" in gone.json()["detail"]
    assert client.get(url, headers=as_other).status_code == 404
    assert client.post(f"{url}/reopen", headers=as_other).status_code == 404


def test_an_officer_who_hands_a_complaint_on_gets_a_persian_422_not_a_500(client, people):
    """Found by schemathesis: the service checks the edit again with the new officer,
    and its refusal escaped the endpoint as a server error."""
    from peyvand.service.models import Complaint
    from tests.factories import ContactFactory

    (support, as_support), (_manager, as_manager), (other, _as_other) = people.values()
    customer = ContactFactory(owner=support)
    created = client.post(
        "/api/v1/complaints",
        {"contact_id": customer.pk, "description": "نصاب دیر آمد", "officer_id": support.pk},
        content_type=JSON,
        headers=as_manager,
    )
    assert created.status_code == 201, created.content
    item = created.json()
    handed_on = client.put(
        f"/api/v1/complaints/{item['id']}",
        {"contact_id": customer.pk, "description": "نصاب دیر آمد", "officer_id": other.pk},
        content_type=JSON,
        headers=as_support,
    )
    assert handed_on.status_code == 422, handed_on.content
    assert handed_on.json()["detail"].startswith("فقط ثبت‌کننده یا مسئول کنترل شکایت")
    assert Complaint.objects.get(pk=item["id"]).officer_id == support.pk
