import pytest

from peyvand.messaging.models import Message
from tests.api.test_api import auth  # noqa: F401 - the fixture
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_a_rep_queues_an_sms_to_a_contact_and_lists_it(client, personas, auth):  # noqa: F811
    contact = ContactFactory(owner=personas.owner, name="سحر نوری", phones=["+989121234567"])
    response = client.post(
        "/api/v1/messages",
        {"channel": "sms", "contact_id": contact.pk, "body": "{نام} عزیز، سلام"},
        content_type="application/json",
        headers=auth("owner"),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["to"], body["body"], body["status"]) == (
        "+989121234567",
        "سحر نوری عزیز، سلام",
        "queued",
    )
    assert body["status_display"] == "در صف"
    listed = client.get("/api/v1/messages", headers=auth("teammate")).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert client.get("/api/v1/messages", headers=auth("outsider")).json()["items"] == []
    detail = client.get(f"/api/v1/messages/{body['id']}", headers=auth("outsider"))
    assert detail.status_code == 404


def test_a_scheduled_email_and_persian_errors(client, personas, auth):  # noqa: F811
    headers = auth("owner")
    response = client.post(
        "/api/v1/messages",
        {
            "channel": "email",
            "to": "Buyer@Example.com",
            "subject": "دعوت",
            "body": "سلام",
            "scheduled_at": "2030-03-21T09:30:00",
        },
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201
    message = Message.objects.get(pk=response.json()["id"])
    assert message.to == "buyer@example.com"
    assert message.scheduled_at.isoformat() == "2030-03-21T06:00:00+00:00"  # Tehran time

    bad = client.post(
        "/api/v1/messages",
        {"channel": "sms", "to": "0812", "body": "سلام"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    assert "تلفن همراه" in bad.json()["detail"]
    hidden = ContactFactory(owner=personas.outsider, phones=["+989121234567"])
    response = client.post(
        "/api/v1/messages",
        {"channel": "sms", "contact_id": hidden.pk, "body": "سلام"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 404


def test_failed_messages_are_retried_through_the_api(client, personas, auth):  # noqa: F811
    failed = Message.objects.create(
        channel="sms", to="+989121234567", body="x", owner=personas.owner, status="failed"
    )
    response = client.post(f"/api/v1/messages/{failed.pk}/retry", headers=auth("owner"))
    assert response.status_code == 200
    assert response.json()["status"] == "queued"
    again = client.post(f"/api/v1/messages/{failed.pk}/retry", headers=auth("owner"))
    assert again.status_code == 422
    cancel = client.post(f"/api/v1/messages/{failed.pk}/cancel", headers=auth("owner"))
    assert cancel.json()["status"] == "cancelled"
