"""Customers' emails read from a real IMAP server (Debian's Dovecot on loopback): each
becomes one received message in its conversation (issue 28)."""

import base64
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from peyvand.core.models import Attachment
from peyvand.messaging import mail_in
from peyvand.messaging.models import Mailbox, Message
from peyvand.messaging.services import message_queue
from peyvand.service.models import Request
from tests.factories import ContactFactory, UserFactory

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
    assert support.assignee.notifications.filter(title__contains="maryam").exists()
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


def test_html_is_sanitised_and_remote_images_removed(dovecot, support):
    html = (
        '<p onclick="steal()">سلام <b>فوری</b></p><script>alert(1)</script>'
        '<img src="https://tracker.example/pixel.gif"><a href="javascript:alert(1)">x</a>'
    )
    dovecot.deliver(support.username, an_email(html=html))

    mail_in.read_mailboxes()
    [message] = received()
    assert "<b>فوری</b>" in message.html
    for unsafe in ("script", "onclick", "tracker.example", "javascript:"):
        assert unsafe not in message.html


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


def test_a_refused_password_is_reported_in_persian_once(dovecot, support):
    Mailbox.objects.filter(pk=support.pk).update(password="wrong")
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
    with pytest.raises(mail_in.MailboxUnavailable, match="وصل نشد"):
        mail_in.check_mailbox(support)


def test_check_mailbox_says_what_the_folder_holds(dovecot, support):
    dovecot.deliver(support.username, an_email())
    assert "۱" in mail_in.check_mailbox(support) or "1" in mail_in.check_mailbox(support)
