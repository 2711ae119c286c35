"""Customers' SMS to our line, read from a fake Kavenegar or SMS.ir over real HTTP (each
serving the provider's documented receive call on loopback), recorded once each in the
customer's conversation, with «لغو» opting the number out."""

import threading
import time
from collections.abc import Iterator

import pytest
from django.db import connection
from django.urls import reverse

from peyvand.activities.models import Notification
from peyvand.messaging import inbound
from peyvand.messaging.fake_providers import FakeKavenegar, FakeSmsIr
from peyvand.messaging.gateways import GatewayError, get_sms_gateway
from peyvand.messaging.models import Message, MessagingSettings, OptOut
from tests.api.test_api import auth  # noqa: F401 - the fixture
from tests.factories import ContactFactory

KEY = "inbound-SECRET-5e6f7a8b"
LINE = "30004505000017"

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["kavenegar", "smsir"])
def provider(request, settings) -> Iterator[FakeKavenegar | FakeSmsIr]:
    fake_class = FakeKavenegar if request.param == "kavenegar" else FakeSmsIr
    with fake_class(api_key=KEY) as fake:
        settings.SMS_BACKEND = request.param
        settings.SMS_API_KEY = KEY
        settings.SMS_SENDER = LINE
        settings.SMS_BASE_URL = fake.base_url
        settings.SMS_TIMEOUT = 2.0
        yield fake


def test_each_provider_hands_a_received_sms_over_once(provider):
    provider.inbound("09121234567", "سلام، پیش‌فاکتور رسید", line=LINE)
    provider.inbound("+989351112233", "۱۱", line=LINE)
    with get_sms_gateway() as gateway:
        first = gateway.receive()
        again = gateway.receive()
    assert [(sms.text, sms.line) for sms in first] == [
        ("سلام، پیش‌فاکتور رسید", LINE),
        ("۱۱", LINE),
    ]
    # Both providers spell the sender their own way (SMS.ir: 912… as a number).
    assert [sms.sender.removeprefix("0").removeprefix("+98") for sms in first] == [
        "9121234567",
        "9351112233",
    ]
    assert len({sms.provider_id for sms in first}) == 2
    assert again == []


def test_a_customers_reply_joins_their_conversation_and_tells_their_owner(
    provider, client, personas
):
    customer = ContactFactory(name="فروشگاه آرمان", phones=["+989121234567"], owner=personas.owner)
    provider.inbound("09121234567", "لطفاً فردا تماس بگیرید", line=LINE)

    assert inbound.receive_sms() == 1

    message = Message.objects.get()
    assert (message.direction, message.status, message.channel) == ("in", "received", "sms")
    assert (message.contact, message.owner, message.to) == (
        customer,
        customer.owner,
        "+989121234567",
    )
    assert message.sender == LINE
    note = Notification.objects.get(user=customer.owner)
    assert note.title == "پیامک از فروشگاه آرمان"
    assert note.url == message.get_absolute_url()

    # On the contact's page, among the messages, and on its own page.
    client.force_login(customer.owner)
    page = client.get(customer.get_absolute_url()).content.decode()
    assert "پیامک از مشتری" in page and "لطفاً فردا تماس بگیرید" in page
    detail = client.get(message.get_absolute_url()).content.decode()
    assert "فرستنده" in detail and "۰۹۱۲ ۱۲۳ ۴۵۶۷" in detail and "دریافت شد" in detail
    listed = client.get(reverse("messaging:list"), {"direction": "in"}).content.decode()
    assert "پیامک (دریافتی)" in listed


def test_an_unknown_number_goes_to_the_user_the_settings_name(provider, personas):
    config = MessagingSettings.load()
    config.inbound_owner = personas.teammate
    config.save()
    provider.inbound("09190001122", "قیمت یخچال؟", line=LINE)

    assert inbound.receive_sms() == 1

    message = Message.objects.get()
    assert message.contact is None and message.owner == personas.teammate
    assert Notification.objects.get(user=personas.teammate).title == "پیامک از 0919 000 1122"


@pytest.mark.parametrize("text", ["لغو", "لغو۱۱", " ۱۱ ", "STOP", "لغو 11."])
def test_an_opt_out_word_records_the_wish(provider, text, personas):
    customer = ContactFactory(phones=["+989121234567"])
    provider.inbound("09121234567", text, line=LINE)

    inbound.receive_sms()

    opt_out = OptOut.objects.get(address="+989121234567")
    assert (opt_out.channel, opt_out.contact) == ("sms", customer)
    assert Notification.objects.get().title.endswith("از دریافت پیامک انصراف داد")


def test_a_reply_that_mentions_cancelling_is_only_a_reply(provider, personas):
    ContactFactory(phones=["+989121234567"])
    provider.inbound("09121234567", "سفارش را لغو کنید لطفاً", line=LINE)

    inbound.receive_sms()

    assert not OptOut.objects.exists()
    assert Message.objects.get().body == "سفارش را لغو کنید لطفاً"


def test_a_received_sms_recorded_again_is_recorded_once(provider, personas):
    """A run repeated after a crash, or a second worker, hands the same SMS in twice."""
    provider.inbound("09121234567", "سلام", line=LINE)
    with get_sms_gateway() as gateway:
        (sms,) = gateway.receive()
        backend = gateway.name
    anyone = personas.manager
    assert inbound.record_sms(sms, backend=backend, unknown_owner=anyone) is True
    assert inbound.record_sms(sms, backend=backend, unknown_owner=anyone) is False
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
def test_two_workers_reading_at_once_record_each_sms_once(provider, personas):
    for n in range(60):
        provider.inbound(f"0912000{n:04d}", f"پیام {n}", line=LINE)
    counts: list[int] = []
    start = threading.Barrier(2)

    def worker():
        start.wait()
        try:
            counts.append(inbound.receive_sms())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 60
    assert Message.objects.filter(direction="in").count() == 60


def test_a_wrong_key_is_logged_and_loses_nothing(provider, settings, caplog, personas):
    provider.inbound("09121234567", "سلام", line=LINE)
    settings.SMS_API_KEY = "wrong-key"

    assert inbound.receive_sms() == 0

    assert "Received SMS unavailable" in caplog.text
    assert KEY not in caplog.text and "wrong-key" not in caplog.text
    settings.SMS_API_KEY = KEY
    assert inbound.receive_sms() == 1  # still waiting at the provider


def test_kavenegar_without_a_line_says_so_in_persian(settings):
    with FakeKavenegar(api_key=KEY) as fake:
        settings.SMS_BACKEND = "kavenegar"
        settings.SMS_API_KEY = KEY
        settings.SMS_SENDER = ""
        settings.SMS_BASE_URL = fake.base_url
        with get_sms_gateway() as gateway, pytest.raises(GatewayError) as error:
            gateway.receive()
    assert "خط فرستنده کاوه‌نگار" in error.value.message


def test_with_no_user_to_own_an_unknown_number_nothing_is_taken(provider, caplog):
    provider.inbound("09121234567", "سلام", line=LINE)

    assert inbound.receive_sms() == 0

    assert "no active user manages messaging" in caplog.text
    assert [m["read"] for m in provider.inbox] == [False]  # still at the provider


def test_the_console_backend_receives_nothing(settings):
    settings.SMS_BACKEND = "console"
    assert inbound.receive_sms() == 0


def test_a_reply_typed_with_persian_digits_or_spaces_is_still_an_opt_out_word():
    assert inbound.is_opt_out("لغو ۱۱")
    assert inbound.is_opt_out("لغو\u200c۱۱!")
    assert not inbound.is_opt_out("لغو سفارش")
    assert not inbound.is_opt_out("")


def test_the_api_lists_a_received_sms_with_its_direction(provider, client, personas, auth):  # noqa: F811
    ContactFactory(phones=["+989121234567"], owner=personas.owner)
    provider.inbound("09121234567", "سلام، رسید", line=LINE)
    inbound.receive_sms()

    listed = client.get("/api/v1/messages", {"direction": "in"}, headers=auth("teammate")).json()
    assert [(m["direction"], m["status"], m["to"], m["body"]) for m in listed["items"]] == [
        ("in", "received", "+989121234567", "سلام، رسید")
    ]
    others = client.get("/api/v1/messages", {"direction": "out"}, headers=auth("teammate"))
    assert others.json()["items"] == []
    hidden = client.get("/api/v1/messages", {"direction": "in"}, headers=auth("outsider"))
    assert hidden.json()["items"] == []


def test_a_received_sms_is_new_for_its_owner_until_they_open_it(provider, client, personas):
    customer = ContactFactory(phones=["+989121234567"], owner=personas.owner)
    provider.inbound("09121234567", "فاکتور را بفرستید", line=LINE)
    inbound.receive_sms()
    message = Message.objects.get()
    new = {"new": "yes"}

    # A teammate sees it (their team's customer) and opening it leaves it new.
    client.force_login(personas.teammate)
    assert client.get(reverse("messaging:list"), new).context["page"].items == []
    assert client.get(message.get_absolute_url()).status_code == 200
    message.refresh_from_db()
    assert message.seen_at is None

    client.force_login(personas.owner)
    assert client.get(reverse("messaging:list"), new).context["page"].items == [message]
    panel = client.get(customer.get_absolute_url()).content.decode()
    assert "تازه</span>" in panel
    client.get(message.get_absolute_url())
    message.refresh_from_db()
    assert message.seen_at is not None
    assert client.get(reverse("messaging:list"), new).context["page"].items == []
    seen = client.get(reverse("messaging:list"), {"new": "no", "direction": "in"})
    assert seen.context["page"].items == [message]


def test_a_full_answer_is_followed_at_once_by_the_next(provider):
    for n in range(130):
        provider.inbound(f"0912000{n:04d}", f"پیام {n}", line=LINE)
    with get_sms_gateway() as gateway:
        received = gateway.receive()
    assert [sms.text for sms in received] == [f"پیام {n}" for n in range(130)]
    assert all(message["read"] for message in provider.inbox)


def test_the_owner_answers_from_the_received_sms_to_the_number_that_wrote(
    provider, client, personas
):
    # The customer writes from their second phone: the answer goes there.
    customer = ContactFactory(
        name="سحر نوری", phones=["+989121234567", "+989351112233"], owner=personas.owner
    )
    provider.inbound("09351112233", "موجودی دارید؟", line=LINE)
    inbound.receive_sms()
    received = Message.objects.get()
    client.force_login(personas.owner)
    page = client.get(reverse("messaging:reply", args=[received.pk])).content.decode()
    assert "موجودی دارید؟" in page and 'name="channel"' not in page

    # A placeholder we do not know is refused in Persian, the text kept.
    refused = client.post(reverse("messaging:reply", args=[received.pk]), {"body": "{نامک} سلام"})
    assert refused.status_code == 200
    assert "{نامک}" in refused.content.decode() and "شناخته نیست" in refused.content.decode()

    response = client.post(
        reverse("messaging:reply", args=[received.pk]), {"body": "{نام} عزیز، بله موجود است."}
    )
    assert response.status_code == 302 and response.url == customer.get_absolute_url()
    answer = Message.objects.get(direction="out")
    assert (answer.to, answer.contact, answer.owner, answer.channel) == (
        "+989351112233",
        customer,
        personas.owner,
        "sms",
    )
    assert answer.body == "سحر نوری عزیز، بله موجود است."

    # Only a received message is answered; one the reader may not see is not found.
    assert client.get(reverse("messaging:reply", args=[answer.pk])).status_code == 404
    client.force_login(personas.outsider)
    assert client.get(reverse("messaging:reply", args=[received.pk])).status_code == 404


def test_what_a_dead_worker_took_is_caught_up_once(provider, personas):
    """A worker takes SMS from the provider and dies before recording them: the hourly
    catch-up asks what the provider still holds (Kavenegar's read ones, SMS.ir's archive
    of the last two days) and records only what is missing."""
    yesterday = int(time.time()) - 86_400
    provider.inbound("09121234567", "اولی", line=LINE, at=yesterday)
    provider.inbound("09121234568", "دومی", line=LINE, at=yesterday + 60)
    with get_sms_gateway() as gateway:
        assert len(gateway.receive()) == 2  # taken by a worker that then died
    provider.inbound("09121234569", "سومی", line=LINE, at=yesterday + 120)
    assert inbound.receive_sms() == 1  # the next run records only what is new to it

    assert inbound.catch_up_sms() == 2
    assert inbound.catch_up_sms() == 0  # recorded once, whatever the number of runs
    texts = sorted(Message.objects.filter(direction="in").values_list("body", flat=True))
    assert texts == ["اولی", "دومی", "سومی"]
