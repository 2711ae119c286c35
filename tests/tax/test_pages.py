"""The Moadian pages: the settings (the key never shown back, Persian errors that keep
what was typed), the invoice's state and the list of invoices not accepted."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peyvand.core.models import SiteSettings
from peyvand.tax.models import MoadianSettings, TaxSubmission
from peyvand.tax.services import submission_queue
from tests.tax.conftest import make_pair
from tests.tax.helpers import current_pair, issue, legal_customer, product

URL = "/settings/moadian/"


@pytest.fixture
def web(db) -> Client:
    """Django's test client (``client`` is the Moadian client in this folder)."""
    return Client()


@pytest.fixture(scope="module")
def pair():
    return current_pair()


def _post(web, **fields):
    data = {"memory_id": "A11216", "environment": "sandbox", "enabled": "on"} | fields
    return web.post(URL, data)


def test_a_manager_saves_the_settings_and_the_key_is_never_shown_back(web, personas, pair):
    web.force_login(personas.manager)
    response = _post(
        web,
        memory_id="a11216",
        private_key_text=pair.key_pem,
        private_key_password="",
        certificate_text=pair.certificate_pem,
    )
    assert response.status_code == 302
    row = MoadianSettings.load()
    assert row.enabled and row.memory_id == "A11216" and row.private_key == pair.key_pem
    body = web.get(URL).content.decode()
    key_body = pair.key_pem.splitlines()[1]
    assert key_body not in body
    assert "ذخیره شده — برای تغییر، دوباره وارد کنید" in body

    # Saved again without the key: the stored one is kept.
    assert _post(web, certificate_text=pair.certificate_pem).status_code == 302
    assert MoadianSettings.load().private_key == pair.key_pem


def test_a_key_of_another_certificate_is_refused_in_persian(web, personas, pair):
    other = make_pair("دیگری", valid_from=datetime.now(UTC) - timedelta(days=1))
    web.force_login(personas.manager)
    response = _post(web, private_key_text=other.key_pem, certificate_text=pair.certificate_pem)
    assert response.status_code == 200
    body = response.content.decode()
    assert "کلید خصوصی با گواهی امضای سامانه مودیان جور نیست" in body
    assert "شرکت" not in MoadianSettings.load().certificate  # nothing saved
    assert not MoadianSettings.load().enabled
    assert "BEGIN CERTIFICATE" in body  # what was typed is kept (the certificate)


def test_an_expired_certificate_and_a_bad_memory_id_are_refused(web, personas):
    old = make_pair(valid_from=datetime(2020, 1, 1, tzinfo=UTC), valid_days=30)
    web.force_login(personas.manager)
    body = _post(
        web, private_key_text=old.key_pem, certificate_text=old.certificate_pem
    ).content.decode()
    assert "منقضی شده است" in body
    body = _post(web, memory_id="A1-216").content.decode()
    assert "شناسهٔ یکتای حافظهٔ مالیاتی باید ۶ نویسه" in body
    assert not MoadianSettings.objects.filter(enabled=True).exists()


def test_a_sales_user_cannot_open_the_settings(web, personas):
    web.force_login(personas.owner)
    assert web.get(URL).status_code == 403


def _queued(personas, count: int):
    MoadianSettings.objects.update_or_create(pk=1, defaults={"memory_id": "A11216"})
    SiteSettings.objects.update_or_create(pk=1, defaults={"economic_code": "14003778990"})
    customer = legal_customer(personas.owner)
    made = []
    for number in range(count):
        invoice = issue(customer, personas.owner, [(product(f"G{number}"), 1, 1_000, 0)])
        made.append(submission_queue(invoice=invoice))
    return made


def test_the_invoice_page_shows_the_tax_id_the_state_and_the_reasons(web, personas):
    [submission] = _queued(personas, 1)
    TaxSubmission.objects.filter(pk=submission.pk).update(
        status=TaxSubmission.Status.REJECTED,
        errors=[{"code": "0303301", "message": "شناسه کالا/خدمت 13 رقم نیست"}],
    )
    web.force_login(personas.owner)
    body = web.get(reverse("sales:invoice_detail", args=[submission.invoice_id])).content
    body = body.decode()
    persian_tax_id = submission.tax_id.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert persian_tax_id in body
    assert "رد</span>" in body and "شناسه کالا/خدمت ۱۳ رقم نیست" in body
    assert "ارسال دوباره" in body

    # The teammate-less outsider sees neither the invoice nor it in the list.
    web.force_login(personas.outsider)
    assert persian_tax_id not in web.get(reverse("tax:submission_list")).content.decode()
    web.force_login(personas.owner)
    assert persian_tax_id in web.get(reverse("tax:submission_list")).content.decode()


def test_the_resend_button_queues_a_fixed_rejection(web, personas):
    [submission] = _queued(personas, 1)
    TaxSubmission.objects.filter(pk=submission.pk).update(status=TaxSubmission.Status.REJECTED)
    web.force_login(personas.owner)
    response = web.post(reverse("tax:submission_resend", args=[submission.pk]), follow=True)
    assert "دوباره در صف ارسال" in response.content.decode()
    again = TaxSubmission.objects.get(pk=submission.pk)
    assert again.status == TaxSubmission.Status.QUEUED and again.tax_id != submission.tax_id


@pytest.mark.parametrize("rows", [1, 6])
def test_the_list_query_count_is_pinned(web, personas, rows):
    _queued(personas, rows)
    web.force_login(personas.manager)
    url = reverse("tax:submission_list")
    web.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = web.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("در صف") == rows
    assert "COUNT(" not in " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert len(queries) == LIST_QUERIES, [q["sql"] for q in queries.captured_queries]


# Session, user, the site settings (base.html), the submissions (one query, their invoices
# and customers joined), and the visible-invoices subquery's team lookups.
LIST_QUERIES = 6


def test_the_dashboard_counts_the_rejected_invoices_its_reader_sees(web, personas):
    rejected = _queued(personas, 3)[:2]
    TaxSubmission.objects.filter(pk__in=[s.pk for s in rejected]).update(
        status=TaxSubmission.Status.REJECTED
    )
    web.force_login(personas.owner)
    page = web.get(reverse("reports:dashboard")).content.decode()
    assert "سامانه مودیان ۲ فاکتور را رد کرده است" in page
    assert reverse("tax:submission_list") in page
    web.force_login(personas.outsider)
    assert "فاکتور را رد کرده است" not in web.get(reverse("reports:dashboard")).content.decode()


def test_the_official_invoice_prints_its_tax_id_once_accepted(web, personas):
    [submission] = _queued(personas, 1)
    persian_tax_id = submission.tax_id.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    web.force_login(personas.owner)
    url = reverse("sales:invoice_print", args=[submission.invoice_id])
    assert persian_tax_id not in web.get(url).content.decode()  # queued: may yet be refused
    TaxSubmission.objects.filter(pk=submission.pk).update(status=TaxSubmission.Status.ACCEPTED)
    page = web.get(url).content.decode()
    assert f'<th>شماره مالیاتی</th><td><bdi dir="ltr" class="ltr-code">{persian_tax_id}' in page
