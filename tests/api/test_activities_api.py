"""Tasks, events, calls and notifications over the API, with the pages' rules."""

import datetime

import pytest
from django.utils import timezone

from peyvand.activities.models import Event, Notification, Task
from peyvand.core.dates import format_date
from tests.api.test_api import auth  # noqa: F401 - the fixture
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_a_manager_assigns_a_task_and_the_rep_marks_it_done(client, personas, auth):  # noqa: F811
    response = client.post(
        "/api/v1/tasks",
        {
            "description": "پیگیری پیش‌فاکتور",
            "date": format_date(timezone.localdate()),
            "assignee_id": personas.owner.pk,
            "remind_at": "۱۴۰۵/۰۹/۰۲ ۱۰:۰۰",
        },
        content_type="application/json",
        headers=auth("manager"),
    )
    assert response.status_code == 201, response.content
    task_id = response.json()["id"]
    mine = client.get("/api/v1/tasks", headers=auth("owner")).json()
    assert [item["id"] for item in mine["items"]] == [task_id]
    assert client.get(f"/api/v1/tasks/{task_id}", headers=auth("outsider")).status_code == 404
    done = client.post(f"/api/v1/tasks/{task_id}/done", headers=auth("owner"))
    assert done.json()["status"] == "done" and done.json()["done_at"]
    again = client.post(f"/api/v1/tasks/{task_id}/done", headers=auth("owner"))
    assert again.status_code == 422 and again.json()["detail"] == "این وظیفه پیش‌تر انجام شده بود."


def test_a_rep_cannot_assign_tasks_to_others_and_bad_dates_are_explained(
    client,
    personas,
    auth,  # noqa: F811
):
    response = client.post(
        "/api/v1/tasks",
        {"description": "x", "date": "1405/13/01", "assignee_id": personas.teammate.pk},
        content_type="application/json",
        headers=auth("owner"),
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["date"][0]["message"] == "ماه باید بین ۱ و ۱۲ باشد."
    assert "assignee" in errors
    assert not Task.objects.exists()


def test_events_are_created_and_listed_by_range_with_visibility(client, personas, auth):  # noqa: F811
    day = timezone.localdate()
    response = client.post(
        "/api/v1/events",
        {"title": "جلسه با مهرگان", "date": format_date(day), "start_time": "۰۹:۳۰"},
        content_type="application/json",
        headers=auth("owner"),
    )
    assert response.status_code == 201, response.content
    assert response.json()["start_time"] == "09:30:00"
    params = {"start": day.isoformat(), "end": (day + datetime.timedelta(days=6)).isoformat()}
    mine = client.get("/api/v1/events", params, headers=auth("owner")).json()
    assert [event["title"] for event in mine] == ["جلسه با مهرگان"]
    assert client.get("/api/v1/events", params, headers=auth("teammate")).json() == []
    too_long = {"start": day.isoformat(), "end": (day + datetime.timedelta(days=90)).isoformat()}
    assert client.get("/api/v1/events", too_long, headers=auth("owner")).status_code == 422
    event_id = mine[0]["id"]
    done = client.post(f"/api/v1/events/{event_id}/done", headers=auth("owner")).json()
    assert done["is_done"] is True
    assert Event.objects.get().done_at is not None


def test_calls_are_logged_and_listed(client, personas, auth):  # noqa: F811
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    response = client.post(
        "/api/v1/calls",
        {"kind": "incoming", "number": "۰۹۱۲۱۲۳۴۵۶۷", "started_at": "۱۴۰۵/۰۹/۰۲ ۱۰:۰۰"},
        content_type="application/json",
        headers=auth("owner"),
    )
    assert response.status_code == 201, response.content
    assert response.json()["contact_id"] == contact.pk
    listing = client.get("/api/v1/calls", {"number": "0912 123 4567"}, headers=auth("owner"))
    assert [call["contact_id"] for call in listing.json()["items"]] == [contact.pk]
    call_id = listing.json()["items"][0]["id"]
    assert client.get(f"/api/v1/calls/{call_id}", headers=auth("outsider")).status_code == 404


def test_notifications_are_ones_own_and_are_marked_seen(client, personas, auth):  # noqa: F811
    for title in ("یک", "دو"):
        Notification.objects.create(user=personas.owner, title=title)
    Notification.objects.create(user=personas.teammate, title="دیگری")
    page = client.get("/api/v1/notifications", headers=auth("owner")).json()
    assert [item["title"] for item in page["items"]] == ["دو", "یک"] and page["unseen"] == 2
    first = page["items"][1]["id"]
    marked = client.post(f"/api/v1/notifications/seen?ids={first}", headers=auth("owner")).json()
    assert marked == {"marked": 1, "unseen": 1}
    assert client.post("/api/v1/notifications/seen", headers=auth("owner")).json()["unseen"] == 0
    assert Notification.objects.get(user=personas.teammate).seen_at is None


def test_a_call_to_another_teams_contact_comes_back_without_its_contact(
    client,
    personas,
    auth,  # noqa: F811
):
    contact = ContactFactory(owner=personas.outsider, phones=["+989121234567"])
    response = client.post(
        "/api/v1/calls",
        {"kind": "outgoing", "number": "09121234567", "started_at": "۱۴۰۵/۰۹/۰۲ ۱۰:۰۰"},
        content_type="application/json",
        headers=auth("owner"),
    )
    assert response.status_code == 201, response.content
    assert response.json()["contact_id"] is None
    call_id = response.json()["id"]
    listing = client.get("/api/v1/calls", headers=auth("owner")).json()["items"]
    assert [(call["id"], call["contact_id"]) for call in listing] == [(call_id, None)]
    assert (
        client.get(f"/api/v1/calls/{call_id}", headers=auth("owner")).json()["contact_id"] is None
    )
    # A manager, who sees the contact, reads it.
    seen = client.get(f"/api/v1/calls/{call_id}", headers=auth("manager")).json()
    assert seen["contact_id"] == contact.pk
