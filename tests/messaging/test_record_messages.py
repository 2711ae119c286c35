"""«پیام به مشتری» from a request's page (issue 28): by email with uploaded files and the
record's own, the company's signature, from the support mailbox, into the record's
conversation; mistakes explained in Persian, nothing typed lost."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peyvand.accounts.roles import SUPPORT
from peyvand.core.models import Attachment
from peyvand.core.text import to_persian_digits
from peyvand.lookups.models import Urgency
from peyvand.messaging import outbox
from peyvand.messaging.models import Mailbox, Message, MessagingSettings
from peyvand.service.models import Request
from peyvand.service.services import request_register
from tests.factories import ContactFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", first_name="کاوه", last_name="مرادی", role=SUPPORT)


@pytest.fixture
def request_(agent) -> Request:
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 3})[0]
    contact = ContactFactory(owner=agent, name="زیبا احمدی", email="ziba@example.ir")
    item = Request(description="خرابی", urgency=urgency, assignee=agent, contact=contact)
    return request_register(request=item, by=agent)


def about(request_: Request) -> str:
    return reverse("messaging:about", args=["service.request", request_.pk])


def test_an_email_about_a_request_carries_files_signature_and_comes_from_support(
    client, agent, request_, smtp_server
):
    Mailbox.objects.create(
        name="پشتیبانی", address="support@peyvand.example", host="imap.example.ir",
        username="support", password="x", owner=agent, opens="service.request",
    )  # fmt: skip
    config = MessagingSettings.load()
    config.email_signature = "{نام_فرستنده}\nپشتیبانی پیوند"
    config.save()
    kept = Attachment.objects.create(
        record=request_, file=SimpleUploadedFile("r.pdf", PDF), original_name="راهنما.pdf",
        mime_type="application/pdf", size=len(PDF), uploaded_by=agent,
    )  # fmt: skip
    client.force_login(agent)
    page = client.get(about(request_)).content.decode()
    code = to_persian_digits(request_.tracking_code)
    assert "راهنما.pdf" in page and f'value="درخواست {code}"' in page

    answer = client.post(
        about(request_),
        {
            "channel": "email",
            "subject": f"درخواست {request_.tracking_code}",
            "body": "سلام {نام}، فاکتور اصلاح شد.",
            "files": SimpleUploadedFile("فاکتور.pdf", PDF, content_type="application/pdf"),
            "record_files": [str(kept.pk)],
            "scheduled_at_0": "",
            "scheduled_at_1": "",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == request_.get_absolute_url()
    message = Message.objects.get()
    assert message.related == request_ and message.sender == "support@peyvand.example"
    assert message.body == "سلام زیبا احمدی، فاکتور اصلاح شد.\n\n--\nکاوه مرادی\nپشتیبانی پیوند"
    assert sorted(message.attachments.values_list("name", flat=True)) == [
        "راهنما.pdf",
        "فاکتور.pdf",
    ]
    outbox.deliver_due()
    [(sender, recipients, sent)] = smtp_server.messages
    assert (sender, recipients) == ("support@peyvand.example", ["ziba@example.ir"])
    assert [part.get_filename() for part in sent.iter_attachments()] == [
        "فاکتور.pdf",
        "راهنما.pdf",
    ]
    page = client.get(request_.get_absolute_url()).content.decode()
    assert "فاکتور اصلاح شد" in page


def test_a_refused_file_or_a_file_by_sms_is_explained_and_the_text_kept(client, agent, request_):
    client.force_login(agent)
    fields = {
        "subject": "موضوع",
        "body": "متنی که نوشتم",
        "scheduled_at_0": "",
        "scheduled_at_1": "",
    }
    page = client.post(
        about(request_),
        fields | {"channel": "email", "files": SimpleUploadedFile("run.exe", b"MZ")},
    ).content.decode()
    assert "«run.exe»: این نوع فایل پذیرفته نمی‌شود" in page and "متنی که نوشتم" in page
    page = client.post(
        about(request_),
        fields | {"channel": "sms", "files": SimpleUploadedFile("a.pdf", PDF)},
    ).content.decode()
    assert "فایل فقط با ایمیل فرستاده می‌شود." in page
    assert not Message.objects.exists()


def test_a_record_without_a_customer_or_out_of_sight_sends_nothing(client, agent, request_):
    Request.objects.filter(pk=request_.pk).update(contact=None)
    client.force_login(agent)
    answer = client.get(about(request_), follow=True)
    assert "این پرونده مشتری ندارد" in answer.content.decode()
    client.force_login(UserFactory(username="other", role=SUPPORT))
    assert client.get(about(request_)).status_code == 404
    assert client.get(reverse("messaging:about", args=["contacts.contact", 1])).status_code == 404


def test_from_the_contacts_card_an_email_carries_files_and_a_linked_chat_gets_a_button(
    client, agent, smtp_server
):
    from peyvand.messaging.models import Channel, MessengerLink

    contact = ContactFactory(owner=agent, name="زیبا احمدی", email="ziba@example.ir")
    kept = Attachment.objects.create(
        record=contact, file=SimpleUploadedFile("c.pdf", PDF), original_name="قرارداد.pdf",
        mime_type="application/pdf", size=len(PDF), uploaded_by=agent,
    )  # fmt: skip
    client.force_login(agent)
    send = reverse("messaging:send", args=[contact.pk])
    card = client.get(contact.get_absolute_url()).content.decode()
    assert "?channel=bale" not in card  # no chat with the bot yet
    page = client.get(send + "?channel=email").content.decode()
    assert "قرارداد.pdf" in page and 'enctype="multipart/form-data"' in page

    answer = client.post(
        send,
        {"channel": "email", "subject": "قرارداد", "body": "سلام {نام}، قرارداد پیوست است.",
         "files": SimpleUploadedFile("نقشه.pdf", PDF, content_type="application/pdf"),
         "record_files": [str(kept.pk)], "scheduled_at_0": "", "scheduled_at_1": ""},
    )  # fmt: skip
    assert answer.status_code == 302 and answer["Location"] == contact.get_absolute_url()
    message = Message.objects.get()
    assert message.contact == contact and message.related is None
    outbox.deliver_due()
    [(_sender, recipients, sent)] = smtp_server.messages
    assert recipients == ["ziba@example.ir"]
    assert [part.get_filename() for part in sent.iter_attachments()] == ["نقشه.pdf", "قرارداد.pdf"]

    MessengerLink.objects.create(
        channel=Channel.BALE, chat_id="7001", phone="+989121234567", contact=contact,
        linked_at=message.created_at, notify=MessengerLink.Notify.ONLY,
    )  # fmt: skip
    card = client.get(contact.get_absolute_url()).content.decode()
    assert f"{send}?channel=bale" in card
    assert "در بله با ربات شرکت گفتگو دارد" in card and "اطلاع‌رسانی‌ها: فقط در بله" in card
