"""The company's identity on the settings page: what the seller's block of an official
invoice prints (issue 24): codes normalised and checked, images checked, errors in
Persian with what the manager typed kept."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from peyvand.core.images import MAX_IMAGE_BYTES, image_data_uri
from peyvand.core.models import SiteSettings
from peyvand.core.text import to_persian_digits

pytestmark = pytest.mark.django_db

GENERAL = {
    "company_name": "پیوند",
    "weekend": ["4"],
    "money_unit": "rial",
    "notification_poll_seconds": "30",
}
IDENTITY = {
    "legal_name": "شرکت پیوند گستر پارس (سهامی خاص)",
    "economic_code": "۱۰۳۸۰۲۸۴۷۹۰",
    "national_id": "۱۰۳۸۰۲۸۴۷۹۰",
    "registration_number": "۴۵۶۷۸",
    "province": "تهران",
    "city": "تهران",
    "address": "خیابان ولیعصر، پلاک ۱۲",
    "postal_code": "۱۲۳۴۵-۶۷۸۹۰",
    "phone": "۰۲۱-۸۸۷۷۶۶۵۵",
}


def image_file(name: str = "logo.png", image_format: str = "PNG", size=(40, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, image_format)
    content_type = "image/png" if image_format == "PNG" else f"image/{image_format.lower()}"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def post(client, data, files=None):
    return client.post(reverse("core:site_settings"), {**GENERAL, **data, **(files or {})})


def test_a_manager_saves_the_company_identity_with_persian_digits(client, personas):
    client.force_login(personas.manager)
    response = post(client, IDENTITY, {"logo": image_file(), "stamp": image_file("s.jpg", "JPEG")})
    assert response.status_code == 302
    saved = SiteSettings.load()
    assert saved.legal_name == IDENTITY["legal_name"]
    assert saved.seller_name == IDENTITY["legal_name"]
    assert saved.economic_code == "10380284790"
    assert saved.national_id == "10380284790"
    assert saved.registration_number == "45678"
    assert saved.postal_code == "1234567890"
    assert saved.phone == "+982188776655"
    assert image_data_uri(saved.logo).startswith("data:image/png;base64,")
    assert image_data_uri(saved.stamp).startswith("data:image/jpeg;base64,")
    # The page shows them back: the codes LTR, the images as previews.
    page = client.get(reverse("core:site_settings")).content.decode()
    assert 'src="data:image/png;base64,' in page
    assert "حذف لوگوی فعلی" in page


def test_a_sole_trader_gives_a_ten_digit_national_code_and_a_mobile(client, personas):
    client.force_login(personas.manager)
    response = post(
        client, {"national_id": "0012345679", "economic_code": "", "phone": "0912 123 4567"}
    )
    assert response.status_code == 302
    saved = SiteSettings.load()
    assert saved.national_id == "0012345679"
    assert saved.phone == "+989121234567"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("national_id", "10380284791", "رقم کنترل"),
        ("national_id", "12345", "شناسه ملی شخص حقوقی ۱۱ رقم"),
        ("economic_code", "123", "کد اقتصادی باید ۱۱ رقم"),
        ("postal_code", "12345", "کد پستی باید ۱۰ رقم باشد"),
        ("phone", "12", "معتبر نیست"),
        ("registration_number", "۴۵-الف", "شماره ثبت فقط از رقم"),
    ],
)
def test_a_bad_code_is_refused_in_persian_and_what_was_typed_stays(
    client, personas, field, value, message
):
    client.force_login(personas.manager)
    response = post(client, {**IDENTITY, field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'value="{to_persian_digits(value)}"' in page  # as typed, in the reader's digits
    assert f'value="{IDENTITY["legal_name"]}"' in page  # the rest is kept too
    assert SiteSettings.load().legal_name == ""  # nothing saved


def test_an_image_must_be_a_small_png_or_jpeg(client, personas):
    client.force_login(personas.manager)
    not_an_image = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    page = post(client, IDENTITY, {"logo": not_an_image}).content.decode()
    assert "PNG یا JPEG" in page
    gif = image_file("logo.gif", "GIF")
    page = post(client, IDENTITY, {"logo": gif}).content.decode()
    assert "فقط تصویر PNG یا JPEG پذیرفته می‌شود" in page
    # Noise does not compress: a picture this size is over the limit as a PNG.
    big = io.BytesIO()
    noise = random.Random(24).randbytes(700 * 700 * 3)  # a fixed seed: the same file each run
    Image.frombytes("RGB", (700, 700), noise).save(big, "PNG")
    assert big.tell() > MAX_IMAGE_BYTES
    too_big = SimpleUploadedFile("big.png", big.getvalue(), content_type="image/png")
    page = post(client, IDENTITY, {"stamp": too_big}).content.decode()
    assert "حجم تصویر باید حداکثر ۱۰۲۴ کیلوبایت باشد" in page
    saved = SiteSettings.load()
    assert not saved.logo and not saved.stamp and saved.legal_name == ""


def test_a_manager_removes_the_stamp(client, personas):
    client.force_login(personas.manager)
    post(client, IDENTITY, {"stamp": image_file()})
    assert SiteSettings.load().stamp
    post(client, {**IDENTITY, "remove_stamp": "on"})
    assert not SiteSettings.load().stamp


def test_only_a_manager_edits_the_company_identity(client, personas):
    client.force_login(personas.owner)
    assert post(client, IDENTITY).status_code == 403
    assert SiteSettings.load().legal_name == ""
