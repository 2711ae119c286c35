"""Every error page is Persian: a Persian <title>, a plain explanation and a way back
home — 400, 403 (also a form without its CSRF token), 404 and 500."""

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()


def assert_persian_page(response, status: int, heading: str) -> str:
    assert response.status_code == status
    page = response.content.decode()
    assert '<html lang="fa" dir="rtl">' in page
    assert title(page).startswith(heading)
    assert not re.search(r"[A-Za-z]", title(page))
    assert "Forbidden" not in page and "Not Found" not in page and "Bad Request" not in page
    assert "Server Error" not in page
    return page


def test_a_form_sent_without_its_token_gets_a_persian_page(personas):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        reverse("accounts:login"), {"username": "owner", "password": "peyvand-demo"}
    )
    page = assert_persian_page(response, 403, "فرم پذیرفته نشد")
    assert "اعتبار صفحه‌ای که آن را فرستاد تمام شده است" in page
    assert "دوباره بفرستید" in page
    assert 'href="/"' in page  # the way back


def test_a_signed_in_form_without_its_token_is_refused_in_persian(personas):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.owner)
    response = browser.post(reverse("accounts:preferences"), {"calendar": "gregorian"})
    assert_persian_page(response, 403, "فرم پذیرفته نشد")
    personas.owner.refresh_from_db()
    assert personas.owner.calendar != "gregorian"


def test_the_same_form_with_its_token_passes(personas):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("accounts:login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(
        reverse("accounts:login"),
        {"username": "owner", "password": "peyvand-demo", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_a_page_the_user_may_not_open_is_a_persian_403(client, personas):
    client.force_login(personas.owner)  # a sales rep, not a user manager
    page = assert_persian_page(client.get(reverse("accounts:user_list")), 403, "دسترسی ندارید")
    assert "اجازه دسترسی به این بخش را ندارید" in page
    assert f'href="{reverse("core:home")}">بازگشت به صفحه‌ی اصلی' in page


def test_an_unknown_address_is_a_persian_404(client, personas):
    client.force_login(personas.owner)
    page = assert_persian_page(client.get("/no-such-page/"), 404, "پیدا نشد")
    assert "صفحه یا پرونده‌ای که می‌خواهید پیدا نشد" in page
    assert f'href="{reverse("core:home")}">بازگشت به صفحه‌ی اصلی' in page


def test_a_bad_request_is_a_persian_400():
    response = Client().get("/", headers={"host": "not-our-host.example"})
    page = assert_persian_page(response, 400, "درخواست پذیرفته نشد")
    assert "این درخواست ناقص یا نادرست بود" in page
    assert 'href="/"' in page


def test_a_fault_of_ours_is_a_persian_500(settings):
    settings.ROOT_URLCONF = "tests.core.error_urls"
    response = Client(raise_request_exception=False).get("/broken/")
    page = assert_persian_page(response, 500, "خطایی در سامانه رخ داد")
    assert "اگر تکرار شد به پشتیبانی خبر دهید" in page
    assert 'href="/"' in page
