"""The sign-in page is the company's: its name in the title and heading, its logo."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from peyvand.core.models import SiteSettings

pytestmark = pytest.mark.django_db


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (20, 80, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_login_page_carries_the_companys_name_not_the_host(client):
    settings_row = SiteSettings.load()
    settings_row.company_name = "بازرگانی نیک‌اندیش"
    settings_row.save()
    page = client.get(reverse("accounts:login")).content.decode()
    assert re.search(r"<title>ورود \| بازرگانی نیک‌اندیش</title>", page)
    assert '<h1 class="h4 text-center text-primary fw-bold mb-1">بازرگانی نیک‌اندیش</h1>' in page
    assert "testserver" not in page
    assert "login-logo" not in page  # no logo set


def test_the_login_page_shows_the_companys_logo_when_set(client):
    settings_row = SiteSettings.load()
    settings_row.logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    settings_row.save()
    page = client.get(reverse("accounts:login")).content.decode()
    logo = r'<img class="login-logo[^"]*" src="data:image/png;base64,[^"]+" alt="">'
    assert re.search(logo, page)


def test_other_pages_before_sign_in_also_carry_the_companys_name(client):
    settings_row = SiteSettings.load()
    settings_row.company_name = "بازرگانی نیک‌اندیش"
    settings_row.save()
    page = client.get(reverse("service:track")).content.decode()
    assert "<title>پیگیری درخواست و شکایت | بازرگانی نیک‌اندیش</title>" in page
