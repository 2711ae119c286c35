"""Customers talk to the company's Bale bot (issue 28): the real gateway over HTTP to a
fake Bale Bot API on loopback (peyvand.messaging.fake_bale)."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from peyvand.accounts.roles import MANAGER, SUPPORT
from peyvand.lookups.models import Urgency
from peyvand.messaging import bale, outbox, services
from peyvand.messaging.fake_bale import FakeBale
from peyvand.messaging.models import BaleSettings, Channel, Message, MessengerLink
from peyvand.service.models import Request
from tests.factories import ContactFactory, UserFactory

CHAT = 5_551_234


@pytest.fixture
def fake_bale(settings):
    with FakeBale() as fake:
        settings.BALE_BOT_TOKEN = fake.token
        settings.BALE_BASE_URL = fake.base_url
        settings.SMS_TIMEOUT = 2.0
        yield fake


@pytest.fixture
def bot(db, fake_bale) -> BaleSettings:
    Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 3})
    config = BaleSettings.load()
    config.is_active = True
    config.owner = UserFactory(username="desk", role=MANAGER)
    config.opens = "service.request"
    config.assignee = UserFactory(username="agent", role=SUPPORT)
    config.bot_username = "peyvand_bot"
    config.save()
    return config


def sent_texts(fake: FakeBale) -> list[str]:
    outbox.deliver_due()
    return [item["text"] for item in fake.sent]


def received() -> list[Message]:
    return list(Message.objects.filter(channel=Channel.BALE, direction="in").order_by("pk"))


def test_an_unknown_customer_is_heard_and_asked_for_their_number(fake_bale, bot):
    fake_bale.customer_writes(CHAT, "سلام، قیمت یخچال را می‌خواهم", name="بهار")

    assert bale.receive_bale() == 1

    [message] = received()
    assert (message.to, message.body, message.owner) == (
        str(CHAT),
        "سلام، قیمت یخچال را می‌خواهم",
        bot.owner,
    )
    assert bot.owner.notifications.filter(title="پیام بله از بهار").exists()
    [answer] = fake_bale.sent if sent_texts(fake_bale) else [None]
    assert answer["chat_id"] == CHAT
    assert answer["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    # Confirmed to Bale, and handled once however often it is read.
    assert bale.receive_bale() == 0
    assert fake_bale.pending() == 0
    assert len(received()) == 1


def test_sharing_their_own_number_links_the_chat_to_the_contact(fake_bale, bot):
    contact = ContactFactory(phones=["+989121234567"])
    fake_bale.customer_shares_phone(CHAT + 1, "989121234567", own=False)  # someone else's card
    fake_bale.customer_shares_phone(CHAT, "989121234567")

    bale.receive_bale()

    assert MessengerLink.objects.get(chat_id=str(CHAT + 1)).contact is None
    link = MessengerLink.objects.get(chat_id=str(CHAT))
    assert (link.phone, link.contact) == ("+989121234567", contact)
    texts = sent_texts(fake_bale)
    assert any("فقط شماره همراه خودتان" in text for text in texts)
    assert any("شماره شما ثبت شد" in text for text in texts)
    # Now the contact's messages go to that chat too.
    message = services.message_to_contact(
        contact=contact, channel=Channel.BALE, body="سفارش شما ارسال شد.", by=contact.owner
    )
    assert message.to == str(CHAT)
    assert "سفارش شما ارسال شد." in sent_texts(fake_bale)


def test_a_linked_customer_registers_a_request_and_asks_its_status(fake_bale, bot):
    contact = ContactFactory(phones=["+989121234567"])
    fake_bale.customer_shares_phone(CHAT, "+989121234567")
    fake_bale.customer_writes(CHAT, bale.NEW_REQUEST)
    fake_bale.customer_writes(CHAT, "دستگاه کارت‌خوان روشن نمی‌شود\nلطفاً کسی تماس بگیرد.")
    bale.receive_bale()

    request = Request.objects.get()
    assert request.contact == contact
    assert request.subject == "دستگاه کارت‌خوان روشن نمی‌شود"
    assert request.assignee == bot.assignee
    [customer_message] = received()[-1:]
    assert customer_message.related == request
    code = "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in request.tracking_code)
    assert f"درخواست شما با کد پیگیری {code} ثبت شد." in sent_texts(fake_bale)

    other = Request.objects.create(
        tracking_code="999999999", contact=ContactFactory(), description="x",
        urgency=request.urgency, assignee=request.assignee, deadline=request.deadline,
        owner=request.owner,
    )  # fmt: skip
    for asked in (code, other.tracking_code):
        fake_bale.customer_writes(CHAT, bale.REQUEST_STATUS)
        fake_bale.customer_writes(CHAT, asked)
    bale.receive_bale()
    texts = sent_texts(fake_bale)
    assert any(text.startswith(f"درخواست {code}: در دست انجام؛ مهلت انجام") for text in texts)
    assert "درخواستی با این کد برای شماره شما پیدا نشد." in texts


def test_staff_answer_from_the_record_into_the_chat(client, fake_bale, bot):
    ContactFactory(phones=["+989121234567"], owner=UserFactory(username="rep", role=SUPPORT))
    fake_bale.customer_shares_phone(CHAT, "+989121234567")
    fake_bale.customer_writes(CHAT, "فاکتور من کی می‌رسد؟")
    bale.receive_bale()
    [question] = received()

    client.force_login(question.owner)
    page = client.get(reverse("messaging:reply", args=[question.pk]))
    assert page.status_code == 200
    answer = client.post(
        reverse("messaging:reply", args=[question.pk]),
        {"body": "فردا ارسال می‌شود.", "scheduled_at_0": "", "scheduled_at_1": ""},
    )
    assert answer.status_code == 302
    sent_texts(fake_bale)
    assert fake_bale.sent[-1]["chat_id"] == CHAT
    assert fake_bale.sent[-1]["text"] == "فردا ارسال می‌شود."
    ours = Message.objects.get(channel=Channel.BALE, direction="out", in_reply_to=question)
    assert ours.status == Message.Status.SENT and ours.backend == "bale"


def test_a_wrong_token_is_reported_in_persian(settings, fake_bale, bot):
    settings.BALE_BOT_TOKEN = "999:wrong"
    fake_bale.customer_writes(CHAT, "سلام")

    assert bale.receive_bale() == 0
    bot.refresh_from_db()
    assert "توکن ربات بله نادرست است" in bot.last_error
    assert "999:wrong" not in bot.last_error
    assert bot.owner.notifications.filter(title__contains="بله خوانده نمی‌شوند").count() == 1
    with pytest.raises(bale.GatewayError, match="توکن ربات بله نادرست است"):
        bale.check_bot("999:wrong")
    assert fake_bale.pending() == 1  # nothing confirmed: read once the token is right


def test_the_bale_page_keeps_the_token_secret_and_tests_the_bot(client, settings, fake_bale, db):
    settings.BALE_BOT_TOKEN = ""  # from the page, not the environment
    manager = UserFactory(username="boss", role=MANAGER)
    client.force_login(manager)
    fields = {"is_active": "on", "token": fake_bale.token, "owner": str(manager.pk), "opens": ""}

    page = client.post(
        reverse("messaging:bale_settings"), fields | {"action": "test"}, follow=True
    ).content.decode()
    config = BaleSettings.load()
    assert config.token == fake_bale.token and config.bot_username == "peyvand_bot"
    assert "ربات @peyvand_bot پاسخ داد." in page
    assert fake_bale.token not in page and "ذخیره شده" in page
    # Saved again without typing it: kept. A wrong one: told in Persian, not echoed.
    client.post(reverse("messaging:bale_settings"), fields | {"token": ""})
    assert BaleSettings.load().token == fake_bale.token
    page = client.post(
        reverse("messaging:bale_settings"),
        fields | {"token": "42:nope", "action": "test"},
        follow=True,
    ).content.decode()
    assert "توکن ربات بله نادرست است" in page and "42:nope" not in page
    # Switched on without a token or an owner: the form says so and keeps the rest.
    BaleSettings.objects.update(token="")
    page = client.post(
        reverse("messaging:bale_settings"), {"is_active": "on", "token": "", "opens": ""}
    ).content.decode()
    assert "توکن آن را وارد کنید" in page and "مسئول پیام‌های بله را انتخاب کنید" in page


def test_the_environments_token_wins(client, settings, fake_bale, bot):
    BaleSettings.objects.update(token="from-the-page", is_active=False)
    assert bale.bale_token() == fake_bale.token  # BALE_BOT_TOKEN, set by the fixture
    client.force_login(bot.owner)
    page = client.get(reverse("messaging:bale_settings")).content.decode()
    assert "BALE_BOT_TOKEN" in page


def test_our_sms_reach_a_linked_customer_in_bale_too_or_only_as_they_choose(
    fake_bale, bot, kavenegar
):
    contact = ContactFactory(phones=["+989121234567"])
    fake_bale.customer_shares_phone(CHAT, "+989121234567")
    bale.receive_bale()
    link = MessengerLink.objects.get(chat_id=str(CHAT))
    assert link.notify == MessengerLink.Notify.ALSO  # beside SMS, as the bot told them

    def notify(body: str, **extra) -> list[tuple[str, str]]:
        before = Message.objects.filter(direction="out").count()
        services.message_queue(
            channel=Channel.SMS, to=contact.mobile, body=body, by=bot.owner, contact=contact,
            **extra,
        )  # fmt: skip
        outbox.deliver_due()
        made = Message.objects.filter(direction="out").order_by("pk")[before:]
        return [(m.channel, m.status) for m in made]

    sent = Message.Status.SENT
    assert notify("درخواست شما ثبت شد.") == [("bale", sent), ("sms", sent)]
    assert fake_bale.sent[-1]["text"] == "درخواست شما ثبت شد."
    assert kavenegar.received[-1]["body"] == "درخواست شما ثبت شد."
    # A sign-in code stays SMS: a secret goes where it was asked for, nowhere else.
    assert notify("کد ورود: ۱۲۳۴", secret_label="کد ورود پرتال") == [("sms", sent)]

    # The customer chooses in the bot: «اطلاع‌رسانی‌ها» › «فقط در بله».
    fake_bale.customer_writes(CHAT, bale.NOTIFICATIONS)
    bale.receive_bale()
    asked = sent_texts(fake_bale)[-1]
    assert "اکنون در بله و با پیامک به شما می‌رسد" in asked
    assert fake_bale.sent[-1]["reply_markup"] == bale.KEYBOARDS["notify"]
    fake_bale.customer_writes(CHAT, "فقط در بله")
    bale.receive_bale()
    assert "از این پس اطلاع‌رسانی‌ها فقط در بله به شما می‌رسد." in sent_texts(fake_bale)
    link.refresh_from_db()
    assert link.notify == MessengerLink.Notify.ONLY
    sms_before = len(kavenegar.received)
    assert notify("پیش‌فاکتور شما آماده است.") == [("bale", sent)]
    assert len(kavenegar.received) == sms_before

    # «فقط با پیامک»: Bale gets nothing of ours but its answers.
    fake_bale.customer_writes(CHAT, bale.NOTIFICATIONS)
    fake_bale.customer_writes(CHAT, "فقط با پیامک")
    bale.receive_bale()
    outbox.deliver_due()
    assert notify("یادآوری قرار فردا") == [("sms", sent)]


def test_a_customers_photo_and_file_are_kept_and_a_huge_one_is_named(fake_bale, bot, settings):
    from peyvand.core.attachments import attachments_of

    settings.ATTACHMENT_MAX_MB = 1
    contact = ContactFactory(phones=["+989121234567"])
    fake_bale.customer_shares_phone(CHAT, "+989121234567")
    fake_bale.customer_writes(CHAT, bale.NEW_REQUEST)
    fake_bale.customer_writes(CHAT, "کارت‌خوان روشن نمی‌شود")
    bale.receive_bale()
    request = Request.objects.get()

    picture = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(picture, "JPEG")  # Bale sends photos as JPEG
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    fake_bale.customer_sends_file(CHAT, "x", picture.getvalue(), photo=True, caption="عکس صفحه")
    fake_bale.customer_sends_file(CHAT, "رسید خرید.pdf", pdf)
    fake_bale.customer_sends_file(CHAT, "فیلم.mp4", b"x", size=50 * 1024 * 1024)
    bale.receive_bale()

    photo, document, huge = received()[-3:]
    assert photo.body == "عکس صفحه" and document.body == "(فایل: رسید خرید.pdf)"
    assert [a.name for a in photo.attachments.all()] == ["photo.jpg"]
    assert [a.name for a in document.attachments.all()] == ["رسید خرید.pdf"]
    with document.attachments.get().file.open("rb") as handle:
        assert handle.read() == pdf
    assert not huge.attachments.exists()
    assert "پیوست «فیلم.mp4» جدا نگه داشته نشد: حجم فایل بیش از حد مجاز است." in huge.body
    # Not the request's messages (it was opened already): the files are on the contact.
    assert sorted(attachments_of(contact).values_list("original_name", flat=True)) == [
        "photo.jpg",
        "رسید خرید.pdf",
    ]
    assert fake_bale.calls.count("getFile") == 2  # the huge one was never fetched
    assert request.contact == contact
