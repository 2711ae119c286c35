"""What managers read about the SMS gateway: plain Persian, no settings or backend names."""

import re

import pytest
from django.urls import reverse

from peyvand.messaging.models import Channel, Message
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

JARGON = ("SMS_BACKEND", "SMS_API_KEY", "console", "smtp", "SMTP")


def visible(page: str) -> str:
    """The page's text without its markup (option values, attributes, scripts)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def test_the_settings_page_says_in_words_that_test_sending_sends_nothing(client, personas):
    client.force_login(personas.manager)
    page = client.get(reverse("messaging:settings")).content.decode()
    assert "ارسال آزمایشی" in page
    assert "پیامک واقعاً فرستاده نمی‌شود" in page
    for word in JARGON:
        assert word not in page


def test_the_settings_page_names_a_real_provider(client, personas, kavenegar):
    client.force_login(personas.manager)
    page = client.get(reverse("messaging:settings")).content.decode()
    assert "کاوه‌نگار" in page and "فرستاده می‌شوند" in page
    assert "kavenegar" not in page


def make_message(owner, **fields) -> Message:
    contact = ContactFactory(owner=owner, phones=["+989121234567"])
    values = {
        "channel": Channel.SMS,
        "to": "+989121234567",
        "body": "سلام",
        "owner": owner,
        "contact": contact,
        "status": Message.Status.DELIVERED,
    }
    return Message.objects.create(**(values | fields))


def test_a_test_sent_message_shows_the_test_gateway_in_words_without_its_own_id(client, personas):
    message = make_message(personas.owner, backend="console", provider_id="console-5000")
    client.force_login(personas.owner)
    page = client.get(reverse("messaging:detail", args=[message.pk])).content.decode()
    assert "ارسال آزمایشی" in page
    assert "console" not in page and "۵۰۰۰" not in page


def test_a_provider_sent_message_keeps_the_providers_id_to_quote_to_them(client, personas):
    message = make_message(personas.owner, backend="kavenegar", provider_id="8792343")
    client.force_login(personas.owner)
    page = client.get(reverse("messaging:detail", args=[message.pk])).content.decode()
    assert "کاوه‌نگار" in page and "۸۷۹۲۳۴۳" in page
    assert "kavenegar" not in page


def test_an_email_names_its_gateway_in_persian(client, personas):
    message = make_message(
        personas.owner, channel=Channel.EMAIL, to="a@example.com", subject="سلام", backend="smtp"
    )
    client.force_login(personas.owner)
    page = client.get(reverse("messaging:detail", args=[message.pk])).content.decode()
    assert 'سامانه ارسال</dt><dd class="col-sm-8">ایمیل' in page
    assert "SMTP" not in page and "smtp" not in page
    listing = visible(client.get(reverse("messaging:list")).content.decode())
    assert "SMTP" not in listing and "console" not in listing
