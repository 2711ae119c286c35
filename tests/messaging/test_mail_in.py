"""Customers' emails read from a real IMAP server (Debian's Dovecot on loopback): each
becomes one received message in its conversation (issue 28)."""

import base64
import os
import signal
import subprocess
import sys
import threading
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from peyvand.accounts.roles import MANAGER, SUPPORT
from peyvand.core.models import Attachment
from peyvand.core.text import to_persian_digits
from peyvand.lookups.models import Urgency
from peyvand.messaging import mail_in
from peyvand.messaging.models import Mailbox, Message
from peyvand.messaging.services import message_queue
from peyvand.service.models import Request
from tests.factories import ContactFactory, UserFactory
from tests.messaging.fixtures import ROOT, run_worker
from tests.servers import wait_until

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def an_email(
    *,
    sender: str = "Maryam Karimi <maryam@example.ir>",
    subject: str = "مشکل در ورود به حساب",
    text: str = "سلام، نمی‌توانم وارد حساب کاربری شوم.",
    html: str | None = None,
    files: tuple[tuple[str, str, bytes], ...] = (),
    headers: dict[str, str] | None = None,
) -> bytes:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = "support@peyvand.example"
    email["Subject"] = subject
    email["Message-ID"] = make_msgid(domain="example.ir")
    for name, value in (headers or {}).items():
        email[name] = value
    email.set_content(text)
    if html is not None:
        email.add_alternative(html, subtype="html")
    for name, kind, data in files:
        main, sub = kind.split("/")
        email.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return email.as_bytes()


@pytest.fixture
def support(db, dovecot, imap_user) -> Mailbox:
    owner = UserFactory(username="support-lead")
    return Mailbox.objects.create(
        name="پشتیبانی",
        address="support@peyvand.example",
        host="127.0.0.1",
        port=dovecot.port,
        security=Mailbox.Security.NONE,
        username=imap_user,
        password=dovecot.password,
        owner=owner,
        opens="service.request",
        assignee=UserFactory(username="agent"),
    )


def received() -> list[Message]:
    return list(Message.objects.filter(direction="in").order_by("pk"))


def test_a_new_email_opens_a_request_with_its_file_and_original(dovecot, support):
    raw = an_email(files=(("رسید.pdf", "application/pdf", PDF),))
    dovecot.deliver(support.username, raw)

    assert mail_in.read_mailboxes() == 1

    [message] = received()
    request = Request.objects.get()
    assert message.related == request
    assert (message.channel, message.to, message.sender) == (
        "email",
        "maryam@example.ir",
        "support@peyvand.example",
    )
    assert message.subject == "مشکل در ورود به حساب"
    assert "نمی‌توانم وارد حساب" in message.body
    assert request.subject == "مشکل در ورود به حساب"
    assert request.assignee == support.assignee
    assert request.owner == support.owner
    assert request.channel.name == "ایمیل"
    # Its agent answers the customer, and is told.
    assert message.owner == support.assignee
    assert support.assignee.notifications.filter(title="ایمیل از Maryam Karimi").exists()
    # The file on the message and on the request; the original, byte for byte.
    [kept] = message.attachments.all()
    assert kept.name == "رسید.pdf"
    on_request = Attachment.objects.get(object_id=request.pk)
    assert on_request.record == request and on_request.original_name == "رسید.pdf"
    with on_request.file.open("rb") as handle:
        assert handle.read() == PDF
    with message.raw.open("rb") as handle:
        assert handle.read().replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
    # The mailbox stays as it was: nothing marked read.
    client = dovecot.client(support.username)
    client.select("INBOX")
    assert b"\\Seen" not in client.fetch("1", "(FLAGS)")[1][0]
    client.logout()


def test_each_email_is_recorded_once_however_often_the_mailbox_is_read(dovecot, support):
    for n in range(3):
        dovecot.deliver(support.username, an_email(subject=f"پرسش {n}"))
    assert mail_in.read_mailboxes() == 3
    assert mail_in.read_mailboxes() == 0
    support.refresh_from_db()
    assert support.last_uid == 3
    # A run that died after recording an email but before moving last_uid past it.
    Mailbox.objects.filter(pk=support.pk).update(last_uid=1)
    assert mail_in.read_mailboxes() == 0
    assert len(received()) == 3 and Request.objects.count() == 3


def test_the_same_email_read_again_after_the_server_renumbered_the_folder(dovecot, support):
    dovecot.deliver(support.username, an_email())
    mail_in.read_mailboxes()
    Mailbox.objects.filter(pk=support.pk).update(uid_validity=1)  # as if renumbered

    assert mail_in.read_mailboxes() == 0
    assert len(received()) == 1


def test_a_reply_to_our_email_joins_the_same_request(dovecot, support, smtp_server):
    dovecot.deliver(support.username, an_email())
    mail_in.read_mailboxes()
    request = Request.objects.get()
    ours = message_queue(
        channel="email",
        to="maryam@example.ir",
        body="لطفاً رمز خود را بازنشانی کنید.",
        subject="پاسخ",
        by=support.assignee,
        related=request,
    )
    our_id = f"<peyvand.{ours.local_id}@mail.peyvand.example>"
    dovecot.deliver(
        support.username,
        an_email(subject="Re: پاسخ", text="درست شد، ممنون.", headers={"In-Reply-To": our_id}),
    )

    assert mail_in.read_mailboxes() == 1
    answer = received()[-1]
    assert answer.related == request
    assert Request.objects.count() == 1


def test_a_subject_with_a_tracking_code_joins_that_request(dovecot, support):
    dovecot.deliver(support.username, an_email())
    mail_in.read_mailboxes()
    request = Request.objects.get()
    persian_code = request.tracking_code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    dovecot.deliver(
        support.username,
        an_email(sender="other@example.ir", subject=f"پیگیری درخواست {persian_code}"),
    )

    mail_in.read_mailboxes()
    assert received()[-1].related == request
    assert Request.objects.count() == 1


def test_an_email_from_a_known_contact_goes_to_that_contact(dovecot, support):
    contact = ContactFactory(email="Maryam@Example.IR")
    Mailbox.objects.filter(pk=support.pk).update(opens="")
    dovecot.deliver(support.username, an_email())

    mail_in.read_mailboxes()
    [message] = received()
    assert message.contact == contact
    assert message.owner == contact.owner
    assert message.related is None
    assert not Request.objects.exists()


def test_auto_replies_and_bounces_are_kept_but_open_nothing(dovecot, support):
    dovecot.deliver(
        support.username,
        an_email(subject="Out of office", headers={"Auto-Submitted": "auto-replied"}),
    )
    dovecot.deliver(
        support.username,
        an_email(sender="MAILER-DAEMON@mail.example.ir", subject="Undelivered Mail"),
    )

    assert mail_in.read_mailboxes() == 2
    assert [m.automatic for m in received()] == [True, True]
    assert not Request.objects.exists()
    assert not support.owner.notifications.exists()


def test_windows_1256_and_an_unknown_charset_are_read(dovecot, support):
    # windows-1256 has the Arabic ي and ك only: stored as the Persian ی and ک.
    body = "سلام، فاكتور را بفرستيد".encode("windows-1256")
    raw = (
        b"From: ali@example.ir\r\nTo: support@peyvand.example\r\nSubject: =?windows-1256?B?"
        + base64.b64encode("فاكتور".encode("windows-1256"))
        + b"?=\r\nMessage-ID: <a1@example.ir>\r\nContent-Type: text/plain; charset=windows-1256"
        b"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
    )
    unknown = (
        b"From: reza@example.ir\r\nTo: support@peyvand.example\r\nSubject: x\r\n"
        b"Message-ID: <a2@example.ir>\r\nContent-Type: text/plain; charset=x-no-such-charset"
        b"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
    )
    dovecot.deliver(support.username, raw)
    dovecot.deliver(support.username, unknown)

    assert mail_in.read_mailboxes() == 2
    first, second = received()
    assert first.subject == "فاکتور"
    assert "فاکتور را بفرستید" in first.body
    assert "فاکتور را بفرستید" in second.body  # windows-1256 tried when the name is unknown


def test_malformed_mime_is_recorded_not_lost(dovecot, support):
    raw = (
        b"From: broken@example.ir\r\nSubject: \xff\xfe\r\nContent-Type: multipart/mixed; "
        b'boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n"
    )
    dovecot.deliver(support.username, raw)

    assert mail_in.read_mailboxes() == 1
    [message] = received()
    with message.raw.open("rb") as handle:
        assert handle.read().replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")


def img_sources(answer) -> list[str]:
    """The Content-Security-Policy's img-src sources (its directives come in any order)."""
    for directive in answer["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        if name == "img-src":
            return sources
    return []


def test_html_is_sanitised_and_remote_images_shown_only_when_asked(client, dovecot, support):
    html = (
        '<p onclick="steal()">سلام <b>فوری</b></p><script>alert(1)</script>'
        '<img src="https://tracker.example/pixel.gif"><a href="javascript:alert(1)">x</a>'
    )
    dovecot.deliver(support.username, an_email(html=html))

    mail_in.read_mailboxes()
    [message] = received()
    assert "<b>فوری</b>" in message.html and message.remote_images == 1
    for unsafe in ("script", "onclick", "tracker.example", "javascript:"):
        assert unsafe not in message.html

    client.force_login(UserFactory(username="boss", role=MANAGER))
    answer = client.get(message.get_absolute_url())
    page = answer.content.decode()
    assert "tracker.example" not in page and "نمایش ۱ تصویر بیرونی" in page
    assert img_sources(answer) == ["'self'", "data:"]
    # Asked for: the image is in, the page's policy lets it load; nothing else unsafe.
    answer = client.get(message.get_absolute_url() + "?images=1")
    page = answer.content.decode()
    assert '<img src="https://tracker.example/pixel.gif">' in page
    assert "فرستنده ممکن است بفهمد ایمیل خوانده شد" in page
    assert "https:" in img_sources(answer)
    for unsafe in ("<script>alert", "onclick", "javascript:alert"):
        assert unsafe not in page


def test_a_refused_file_is_named_in_the_message_and_kept_in_the_original(
    dovecot, support, settings
):
    settings.ATTACHMENT_MAX_MB = 1
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    raw = an_email(
        files=(("big.pdf", "application/pdf", big), ("run.exe", "application/x-msdownload", b"MZ"))
    )
    dovecot.deliver(support.username, raw)

    mail_in.read_mailboxes()
    [message] = received()
    assert not message.attachments.exists()
    assert "«big.pdf»" in message.body and "مگابایت" in message.body
    assert "«run.exe»" in message.body and "پذیرفته نمی‌شود" in message.body


def test_a_refused_password_is_reported_in_persian_once(dovecot_refusing, support):
    dovecot = dovecot_refusing
    Mailbox.objects.filter(pk=support.pk).update(port=dovecot.port, password="wrong")
    support.refresh_from_db()
    dovecot.deliver(support.username, an_email())

    assert mail_in.read_mailboxes() == 0
    assert mail_in.read_mailboxes() == 0
    support.refresh_from_db()
    assert "نام کاربری یا رمز عبور" in support.last_error
    assert support.failing_since is not None
    assert support.owner.notifications.filter(title__contains="خوانده نمی‌شود").count() == 1
    # Mended: read, and the error cleared.
    support.password = dovecot.password
    support.save()
    assert mail_in.read_mailboxes() == 1
    support.refresh_from_db()
    assert (support.last_error, support.failing_since) == ("", None)


def test_a_server_that_does_not_answer_is_reported(db, support):
    from tests.servers import free_port

    Mailbox.objects.filter(pk=support.pk).update(port=free_port())
    support.refresh_from_db()
    with pytest.raises(mail_in.MailboxUnavailable, match="اتصال را نپذیرفت"):
        mail_in.check_mailbox(support)


def test_check_mailbox_says_what_the_folder_holds(dovecot, support):
    dovecot.deliver(support.username, an_email())
    assert "۱" in mail_in.check_mailbox(support) or "1" in mail_in.check_mailbox(support)


@pytest.mark.django_db(transaction=True)
def test_the_agent_answers_from_the_request_and_the_customers_answer_comes_back(
    client, dovecot, imap_user, smtp_server
):
    """Issue 28's journey by email: a customer writes to support → a request with the
    file; the agent answers from the request's conversation; the answer leaves through
    the real SMTP server threaded; the customer's answer to it joins the same request."""
    Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 3})
    agent = UserFactory(username="agent", role=SUPPORT)
    Mailbox.objects.create(
        name="پشتیبانی", address="support@peyvand.example", host="127.0.0.1",
        port=dovecot.port, security=Mailbox.Security.NONE, username=imap_user,
        password=dovecot.password, owner=UserFactory(username="lead", role=MANAGER),
        opens="service.request", assignee=agent,
    )  # fmt: skip
    dovecot.deliver(imap_user, an_email(files=(("رسید.pdf", "application/pdf", PDF),)))
    mail_in.read_mailboxes()
    request = Request.objects.get()
    [first] = received()

    client.force_login(agent)
    page = client.get(request.get_absolute_url()).content.decode()
    assert "گفتگو با مشتری" in page and "نمی‌توانم وارد حساب" in page
    assert reverse("messaging:reply", args=[first.pk]) in page
    form = client.get(reverse("messaging:reply", args=[first.pk])).content.decode()
    # The subject as the form shows it (the reader's digits) names the tracking code.
    code = to_persian_digits(request.tracking_code)
    assert f'value="Re: مشکل در ورود به حساب [{code}]"' in form
    answer = client.post(
        reverse("messaging:reply", args=[first.pk]),
        {
            "subject": f"Re: مشکل در ورود به حساب [{code}]",
            "body": "سلام، رمز شما بازنشانی شد.",
            "scheduled_at_0": "",
            "scheduled_at_1": "",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == request.get_absolute_url()
    run_worker()

    [(mail_from, to, sent)] = smtp_server.messages
    assert (mail_from, to) == ("support@peyvand.example", ["maryam@example.ir"])
    assert sent["In-Reply-To"] == first.message_id
    ours = Message.objects.get(direction="out")
    assert ours.related == request and ours.status == Message.Status.SENT

    # The customer's mail program answers it: In-Reply-To names ours; no code needed.
    dovecot.deliver(
        imap_user,
        an_email(
            subject="Re: پاسخ", text="ممنون، درست شد.", headers={"In-Reply-To": sent["Message-ID"]}
        ),
    )
    assert mail_in.read_mailboxes() == 1
    assert received()[-1].related == request
    assert Request.objects.count() == 1
    page = client.get(request.get_absolute_url()).content.decode()
    assert (
        page.index("نمی‌توانم وارد حساب")
        < page.index("رمز شما بازنشانی شد")
        < page.index("ممنون، درست شد")
    )


def test_the_mailbox_page_never_shows_the_password_and_tests_the_connection(
    client, db, dovecot_refusing, imap_user
):
    dovecot = dovecot_refusing
    manager = UserFactory(username="boss", role=MANAGER)
    client.force_login(manager)
    fields = {
        "name": "فروش",
        "address": "sales@peyvand.example",
        "host": "127.0.0.1",
        "port": str(dovecot.port),
        "security": "none",
        "username": imap_user,
        "password": dovecot.password,
        "folder": "INBOX",
        "is_active": "on",
        "owner": str(manager.pk),
        "opens": "",
        "action": "test",
    }
    answer = client.post(reverse("messaging:mailbox_create"), fields, follow=True)
    page = answer.content.decode()
    mailbox = Mailbox.objects.get()
    assert mailbox.password == dovecot.password
    assert "اتصال برقرار شد" in page
    assert dovecot.password not in page
    assert "ذخیره شده" in page  # the field says a password is kept, not what it is

    # Saved again without typing it: the saved one stays. A wrong one: told in Persian.
    client.post(reverse("messaging:mailbox_edit", args=[mailbox.pk]), fields | {"password": ""})
    mailbox.refresh_from_db()
    assert mailbox.password == dovecot.password
    answer = client.post(
        reverse("messaging:mailbox_edit", args=[mailbox.pk]),
        fields | {"password": "wrong"},
        follow=True,
    )
    page = answer.content.decode()
    assert "آزمایش اتصال ناموفق" in page and "نام کاربری یا رمز عبور" in page
    assert "wrong" not in page
    listing = client.get(reverse("messaging:mailbox_list")).content.decode()
    assert "sales@peyvand.example" in listing and dovecot.password not in listing


def test_a_mailbox_form_with_mistakes_keeps_what_was_typed(client, db):
    manager = UserFactory(username="boss", role=MANAGER)
    client.force_login(manager)
    answer = client.post(
        reverse("messaging:mailbox_create"),
        {"name": "پشتیبانی", "address": "not-an-address", "host": "imap.example.ir",
         "port": "99999", "security": "ssl", "username": "support", "password": "",
         "folder": "INBOX", "owner": str(manager.pk)},
    )  # fmt: skip
    page = answer.content.decode()
    assert answer.status_code == 200 and not Mailbox.objects.exists()
    assert "imap.example.ir" in page and "not-an-address" in page
    assert "رمز عبور صندوق را وارد کنید" in page


READ_MAILBOX = (
    "from peyvand.messaging.mail_in import read_mailbox;"
    "from peyvand.messaging.models import Mailbox;"
    "read_mailbox(Mailbox.objects.get())"
)


def _reader(*, slow: bool = False) -> subprocess.Popen:
    """``read_mailbox`` in a process of its own on this test's PostgreSQL database, as
    the worker runs it."""
    db = connection.settings_dict
    env = os.environ | {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DEBUG": "0",
    }
    return subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "manage.py", "shell", "-c", READ_MAILBOX],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_thousand_emails_two_workers_and_a_killed_one_each_recorded_once(dovecot, imap_user):
    """Issue 28: two workers read the same mailbox at once and a third is killed in
    the middle; every one of 1,000 emails becomes exactly one message and one request."""
    Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 3})
    Mailbox.objects.create(
        name="پشتیبانی", address="support@peyvand.example", host="127.0.0.1",
        port=dovecot.port, security=Mailbox.Security.NONE, username=imap_user,
        password=dovecot.password, owner=UserFactory(username="lead"),
        opens="service.request",
    )  # fmt: skip
    client = dovecot.client(imap_user)
    for n in range(1000):
        status, _answer = client.append(
            "INBOX", "", None, an_email(sender=f"c{n}@example.ir", subject=f"پرسش {n}")
        )
        assert status == "OK"
    client.logout()

    doomed = _reader()
    if not wait_until(lambda: Message.objects.filter(direction="in").count() >= 50, 60):
        doomed.kill()
        pytest.fail(f"no emails read: {doomed.communicate()[1].decode()[-3000:]}")
    doomed.send_signal(signal.SIGKILL)
    doomed.communicate(timeout=10)
    readers = [_reader(), _reader()]
    for reader in readers:
        _out, errors = reader.communicate(timeout=600)
        assert reader.returncode == 0, errors.decode()

    emails = Message.objects.filter(direction="in")
    assert emails.count() == 1000
    assert len(set(emails.values_list("provider_id", flat=True))) == 1000
    assert Request.objects.count() == 1000
    assert set(emails.values_list("subject", flat=True)) == {f"پرسش {n}" for n in range(1000)}
    assert Mailbox.objects.get().last_uid == 1000


def test_an_email_whose_request_cannot_be_opened_is_kept_and_the_owner_told(dovecot, support):
    Urgency.objects.all().delete()
    dovecot.deliver(support.username, an_email())

    assert mail_in.read_mailboxes() == 1
    [message] = received()
    assert message.related is None and not Request.objects.exists()
    told = support.owner.notifications.get(title__contains="درخواست ثبت نشد")
    assert "فوریت" in told.body
    assert mail_in.read_mailboxes() == 0  # not read again every minute


def test_a_bounce_marks_our_email_undelivered_and_tells_its_sender(dovecot, support):
    sender = UserFactory(username="rep")
    ours = Message.objects.create(
        channel="email", to="gone@example.ir", subject="پیش‌فاکتور", body="متن",
        owner=sender, status=Message.Status.SENT, backend="smtp",
    )  # fmt: skip
    report = (
        "From: MAILER-DAEMON@mail.example.ir\r\nTo: support@peyvand.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn1@mail.example.ir>\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mailbox gone@example.ir does not exist.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Final-Recipient: rfc822; gone@example.ir\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <peyvand.{ours.local_id}@mail.peyvand.example>\r\nSubject: x\r\n\r\n"
        "--b--\r\n"
    ).encode()
    dovecot.deliver(support.username, report)
    dovecot.deliver(support.username, report)  # the same report twice: told once

    mail_in.read_mailboxes()

    ours.refresh_from_db()
    assert ours.status == Message.Status.UNDELIVERED
    assert ours.last_error == "ایمیل برگشت خورد: Undelivered Mail Returned to Sender"
    assert sender.notifications.filter(title="ایمیل به gone@example.ir نرسید").count() == 1
    assert not Request.objects.exists()
    assert all(message.automatic for message in received())


@pytest.mark.django_db(transaction=True)
def test_a_rep_emails_a_leads_customer_and_the_answer_joins_the_lead(
    client, dovecot, imap_user, smtp_server
):
    from peyvand.accounts.roles import SALES
    from tests.factories import LeadFactory

    rep = UserFactory(username="rep", role=SALES)
    # The sales address opens nothing: answers join what they answer, or the customer.
    Mailbox.objects.create(
        name="فروش", address="sales@peyvand.example", host="127.0.0.1", port=dovecot.port,
        security=Mailbox.Security.NONE, username=imap_user, password=dovecot.password,
        owner=rep,
    )  # fmt: skip
    lead = LeadFactory(owner=rep, contact__email="maryam@example.ir", contact__name="مریم کریمی")
    client.force_login(rep)
    page = client.get(lead.get_absolute_url()).content.decode()
    about = reverse("messaging:about", args=["sales.lead", lead.pk])
    assert "گفتگو با مشتری" in page and about in page

    answer = client.post(
        about,
        {"channel": "email", "subject": "پیش‌فاکتور", "body": "سلام {نام}، پیش‌فاکتور پیوست است.",
         "files": SimpleUploadedFile("پیش فاکتور.pdf", PDF, content_type="application/pdf"),
         "scheduled_at_0": "", "scheduled_at_1": ""},
    )  # fmt: skip
    assert answer.status_code == 302 and answer["Location"] == lead.get_absolute_url()
    run_worker()
    [(mail_from, to, sent)] = smtp_server.messages
    assert (mail_from, to) == ("sales@peyvand.example", ["maryam@example.ir"])
    assert [part.get_filename() for part in sent.iter_attachments()] == ["پیش فاکتور.pdf"]

    dovecot.deliver(
        imap_user,
        an_email(subject="Re: پیش‌فاکتور", text="قیمت را تأیید می‌کنم.",
                 headers={"In-Reply-To": sent["Message-ID"]}),
    )  # fmt: skip
    assert mail_in.read_mailboxes() == 1
    customers = received()[-1]
    assert customers.related == lead and customers.owner == rep
    assert Request.objects.count() == 0
    page = client.get(lead.get_absolute_url()).content.decode()
    assert page.index("پیش‌فاکتور پیوست است") < page.index("قیمت را تأیید می‌کنم")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a writer thread: PostgreSQL")
def test_idle_reads_an_email_the_moment_the_server_tells_of_it(dovecot, support):
    """No polling runs here: only the IDLE watcher, waiting up to nine minutes a round,
    can have read the second email. (The watcher writes from its own thread while the
    test reads: SQLite's shared in-memory test database locks whole tables.)"""
    stop = threading.Event()
    watcher = threading.Thread(target=mail_in.watch_mailbox, args=(support.pk, stop))
    dovecot.deliver(support.username, an_email(subject="پیش از گوش دادن"))
    watcher.start()
    try:
        # On connecting it reads what came meanwhile, then waits in IDLE.
        assert wait_until(lambda: len(received()) == 1, 30)
        dovecot.deliver(support.username, an_email(subject="در حال گوش دادن"))
        assert wait_until(lambda: len(received()) == 2, 30)
        assert [m.subject for m in received()] == ["پیش از گوش دادن", "در حال گوش دادن"]
        # Switched off: at the server's next word the watcher lets the connection go,
        # reading nothing more.
        Mailbox.objects.filter(pk=support.pk).update(is_active=False)
        dovecot.deliver(support.username, an_email(subject="پس از خاموش کردن"))
        watcher.join(timeout=30)
        assert not watcher.is_alive()
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert len(received()) == 2


def test_an_email_from_a_contacts_other_address_joins_that_contact(dovecot, support):
    from peyvand.contacts.models import ContactAddress

    contact = ContactFactory(name="شرکت کیان", email="info@kian.example")
    ContactAddress.objects.create(
        contact=contact, kind=ContactAddress.Kind.EMAIL, title="حسابداری",
        value="Accounting@Kian.example",
    )  # fmt: skip
    dovecot.deliver(
        support.username, an_email(sender="Hesab <accounting@kian.example>", subject="صورت حساب")
    )
    assert mail_in.read_mailboxes() == 1
    [message] = received()
    assert message.contact == contact
    assert Request.objects.get().contact == contact
