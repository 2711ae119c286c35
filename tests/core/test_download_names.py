"""Downloaded files have Persian names with the Jalali day in Persian digits and the
half-space kept (core.exports.download_name), sent with an ASCII fallback in
``filename=`` and the UTF-8 name in ``filename*=`` (core.exports.content_disposition)."""

import datetime
import re
from urllib.parse import unquote

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.http import content_disposition_header

from peyvand.core.background_exports import queue_export, run_export
from peyvand.core.exports import ascii_download_name, content_disposition, download_name
from peyvand.core.models import ExportJob, ImportJob
from peyvand.sales.models import Quote, QuoteLine
from peyvand.sales.services import quote_save
from tests.factories import ContactFactory, LeadFactory

# 13 Azar 1405, mid-morning in Tehran.
NOW = datetime.datetime(2026, 12, 4, 7, 0, tzinfo=datetime.UTC)
DAY = "۱۴۰۵-۰۹-۱۳"
ZWNJ = "\u200c"
JALALI = "[۰-۹]{4}-[۰-۹]{2}-[۰-۹]{2}"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def sent_name(response) -> str:
    """The UTF-8 name a browser saves the file under (RFC 6266's filename*). Reads the
    file to its end and closes it, as a browser would (a streamed one holds a file open)."""
    if response.streaming:
        b"".join(response.streaming_content)
    response.close()
    header = response["Content-Disposition"]
    return unquote(re.search(r"filename\*=utf-8''([^;]+)", header).group(1))


def fallback_name(response) -> str:
    return re.search(r'filename="([^"]*)"', response["Content-Disposition"]).group(1)


# The helper ---------------------------------------------------------------------------


def test_a_name_carries_the_title_and_the_jalali_day_in_persian_digits(clock):
    assert download_name("مخاطبین", "xlsx") == f"مخاطبین {DAY}.xlsx"
    assert download_name("پیام‌ها", "csv", day=datetime.date(2025, 3, 20)) == (
        "پیام‌ها ۱۴۰۳-۱۲-۳۰.csv"
    )


def test_the_half_space_is_kept_and_no_character_a_file_name_cannot_hold_remains():
    name = download_name('پیش‌فاکتور 1405/00002 "ویژه"  : تست?', "pdf", dated=False)
    assert name == "پیش‌فاکتور ۱۴۰۵-۰۰۰۰۲ -ویژه- - تست-.pdf"
    assert ZWNJ in name
    assert not re.search(r'[\\/:*?"<>|]', name)


def test_the_header_has_an_ascii_fallback_and_the_utf8_name():
    name = f"مخاطبین {DAY}.xlsx"
    header = content_disposition(name)
    assert header.startswith('attachment; filename="peyvand-1405-09-13.xlsx"; ')
    assert header.isascii()
    assert unquote(header.split("filename*=utf-8''")[1]) == name
    # Django's own helper sends a non-ASCII name without any fallback: why ours exists.
    assert 'filename="' not in content_disposition_header(True, name)


def test_an_ascii_name_is_sent_as_it_is_and_inline_is_kept():
    assert content_disposition("peyvand.ics", as_attachment=False) == (
        'inline; filename="peyvand.ics"'
    )
    assert ascii_download_name("صورت‌حساب نور ۱۴۰۵-۰۱-۰۱ تا ۱۴۰۵-۰۹-۱۳.pdf") == (
        "peyvand-1405-01-01-1405-09-13.pdf"
    )
    assert ascii_download_name("مخاطبین.vcf", "contacts") == "contacts.vcf"


# Each kind of download ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["xlsx", "csv", "pdf"])
def test_a_lists_excel_csv_and_pdf_are_named_in_persian(client, personas, clock, file_format):
    ContactFactory(owner=personas.owner, name="فرش کاشان")
    client.force_login(personas.owner)
    response = client.get(reverse("core:list_export", args=["contacts", file_format]))
    assert response.status_code == 200
    assert sent_name(response) == f"مخاطبین {DAY}.{file_format}"
    assert fallback_name(response) == f"peyvand-1405-09-13.{file_format}"


@pytest.mark.django_db
def test_the_leads_list_is_named_after_the_list(client, personas, clock):
    client.force_login(personas.owner)
    response = client.get(reverse("core:list_export", args=["leads", "xlsx"]))
    assert sent_name(response) == f"سرنخ‌ها {DAY}.xlsx"


@pytest.mark.django_db
def test_vcards_are_named_in_persian(client, personas, clock):
    ContactFactory(owner=personas.owner, phones=["+989123456789"])
    client.force_login(personas.owner)
    response = client.get(reverse("contacts:export", args=["vcf"]))
    assert sent_name(response) == f"مخاطبین {DAY}.vcf"


@pytest.mark.django_db
def test_a_proforma_pdf_is_named_by_its_title_and_number(client, personas, clock):
    lead = LeadFactory(owner=personas.owner)
    quote = quote_save(
        quote=Quote(lead=lead, contact=lead.contact),
        lines=[QuoteLine(description="خدمات", unit_price=1000)],
        by=personas.owner,
    )
    client.force_login(personas.owner)
    response = client.get(reverse("sales:quote_pdf", args=[quote.pk]))
    year, number = quote.number.split("/")
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    assert sent_name(response) == f"پیش فاکتور {year}-{number}.pdf".translate(persian)
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["xlsx", "pdf"])
def test_a_report_is_named_by_its_title_and_period(client, personas, clock, file_format):
    client.force_login(personas.manager)
    response = client.get(reverse("reports:export", args=["followups", file_format]))
    assert response.status_code == 200
    name = sent_name(response)
    assert re.fullmatch(
        rf"[^\d]+ {JALALI} تا {JALALI}\.{file_format}",
        name,
    ), name
    assert not re.search(r"[0-9]", name)


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["statement_pdf", "statement_xlsx"])
def test_a_customer_statement_is_named_by_the_customer(client, personas, clock, file_format):
    contact = ContactFactory(owner=personas.owner, name="فروشگاه نور")
    client.force_login(personas.manager)
    response = client.get(reverse(f"finance:{file_format}", args=[contact.pk]))
    assert response.status_code == 200
    assert sent_name(response).startswith("صورت‌حساب فروشگاه نور")
    assert ZWNJ in sent_name(response)


@pytest.mark.django_db(transaction=True)
def test_a_background_export_is_named_in_persian(client, personas, clock):
    ContactFactory(owner=personas.owner)
    job = queue_export(user=personas.owner, kind="contacts", params="")
    run_export(job)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    client.force_login(personas.owner)
    response = client.get(reverse("core:export_download", args=[job.pk]))
    assert sent_name(response) == f"مخاطبین {DAY}.xlsx"


@pytest.mark.django_db
def test_an_imports_leftover_rows_are_named_after_the_imported_file(client, personas, clock):
    job = ImportJob.objects.create(
        user=personas.owner,
        target="contacts.contact",
        original_name="مشتریان تهران.xlsx",
        headers=["نام"],
    )
    job.file.save("x.xlsx", ContentFile(b"PK"), save=True)
    client.force_login(personas.owner)
    response = client.get(reverse("core:import_issues", args=[job.pk]))
    assert sent_name(response) == f"ردیف‌های واردنشده از مشتریان تهران {DAY}.xlsx"
