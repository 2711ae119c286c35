"""The display rule (core.digits) reaches every output a person reads: pages, PDFs,
e-mails, SMS, the notification poll and Excel headers — one kind of digit in each, phone
numbers in the order they are dialled."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from peyvand.activities import services as activities
from peyvand.activities.models import Task
from peyvand.activities.reminders import notify
from peyvand.core.digits import LRI, PDI
from peyvand.core.xlsx import SheetWriter
from peyvand.messaging import services as messaging
from peyvand.messaging.models import Channel, Message
from peyvand.sales import services as sales
from peyvand.sales.models import Product, Quote, QuoteLine
from tests.factories import ContactFactory, LeadFactory
from tests.messaging.fixtures import kavenegar, run_worker, smtp_server  # noqa: F401
from tests.sales.test_official_layout import buyer, company, pdf_text  # noqa: F401

LATIN_DIGIT = re.compile("[0-9]")


def spaceless(text: str) -> str:
    """pdftotext lays a right-to-left line out again and moves its spaces («خرید  ۲۰دستگاه»):
    the words are compared in order without them."""
    return re.sub(r"\s+", "", text)


@pytest.mark.django_db
def test_a_proforma_pdf_has_persian_digits_only_and_the_buyer_phone_in_order(
    client,
    personas,
    company,  # noqa: F811
    buyer,  # noqa: F811
):
    ups = Product.objects.create(code="P-10", name="یو پی اس 10", unit="دستگاه", price=690_000)
    lines = [
        QuoteLine(product=ups, description="یو پی اس 10", quantity=1, unit_price=690_000),
        QuoteLine(description="خرید 20 دستگاه", quantity=20, unit="عدد", unit_price=15_000),
    ]
    quote = sales.quote_save(quote=Quote(contact=buyer), lines=lines, by=personas.owner)
    client.force_login(personas.owner)

    text = pdf_text(client.get(reverse("sales:quote_pdf", args=[quote.pk])).content)

    assert "خرید۲۰دستگاه" in spaceless(text)
    assert "یوپیاس۱۰" in spaceless(text)
    assert "۰۲۱ ۸۸۷۷ ۶۶۵۵" in text  # the buyer's phone, groups in dialling order
    assert "۱/۱" in spaceless(text)  # the page counter, «۱ / ۱»
    assert not LATIN_DIGIT.search(text), LATIN_DIGIT.findall(text)


@pytest.mark.django_db
def test_the_lead_list_pdf_prints_a_number_with_its_plus_in_front(client, personas):
    contact = ContactFactory(owner=personas.owner, name="رضا کیانی", phones=["+989127776543"])
    LeadFactory(owner=personas.owner, contact=contact, title="خرید 20 دستگاه")
    client.force_login(personas.owner)

    response = client.get(reverse("core:list_export", args=["leads", "pdf"]))
    text = pdf_text(response.content)

    assert "خرید۲۰دستگاه" in spaceless(text)
    assert "+۹۸۹۱۲۷۷۷۶۵۴۳" in text and "۹۸۹۱۲۷۷۷۶۵۴۳+" not in text
    assert not LATIN_DIGIT.search(text), LATIN_DIGIT.findall(text)


@pytest.mark.django_db
def test_a_missed_call_task_shows_the_number_isolated_on_the_task_list(client, personas):
    task = Task(assignee=personas.owner, description="تماس بی‌پاسخ از 0935 111 2233")
    activities.task_save(task=task, by=personas.owner)
    client.force_login(personas.owner)

    page = client.get(reverse("activities:task_list")).content.decode()

    assert f"تماس بی‌پاسخ از {LRI}۰۹۳۵ ۱۱۱ ۲۲۳۳{PDI}" in page
    assert "0935" not in page


@pytest.mark.django_db
def test_the_notification_poll_answers_in_the_readers_digits(client, personas):
    notify(user=personas.owner, title="سرنخ L140500025 ثبت شد", body="مبلغ 690,000 ریال")
    client.force_login(personas.owner)

    poll = client.get(reverse("activities:notification_poll"), {"after": 0}).json()
    [fresh] = poll["fresh"]
    assert fresh["title"] == f"سرنخ {LRI}L۱۴۰۵۰۰۰۲۵{PDI} ثبت شد"
    assert fresh["body"] == "مبلغ ۶۹۰٬۰۰۰ ریال"  # the thousands comma read in Persian

    personas.owner.digits = "latin"
    personas.owner.save(update_fields=["digits"])
    [fresh] = client.get(reverse("activities:notification_poll")).json()["fresh"]
    assert fresh["title"] == "سرنخ L140500025 ثبت شد"


@pytest.mark.django_db
def test_excel_headers_and_sheet_names_have_persian_digits_and_cells_keep_types():
    file = io.BytesIO()
    with SheetWriter(file, title="فروش 1405", headers=["سال 1405", "مبلغ"]) as sheet:
        sheet.write_row(["کد L12", 1405])
    book = openpyxl.load_workbook(io.BytesIO(file.getvalue()))
    assert book.active.title == "فروش ۱۴۰۵"
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("سال ۱۴۰۵", "مبلغ")
    assert rows[1] == ("کد L12", 1405)  # the cells as they are: a number stays a number


@pytest.mark.django_db(transaction=True)
def test_an_email_reads_persian_digits_in_both_parts_outside_its_links(
    smtp_server,  # noqa: F811
    personas,
):
    messaging.message_queue(
        channel=Channel.EMAIL,
        to="negar@example.com",
        subject="پیش فاکتور 1405/00002",
        body=(
            "پیش فاکتور 1405/00002 را در https://crm.example/q/12 ببینید.\n"
            "تلفن پشتیبانی: 021 8877 6655"
        ),
        by=personas.owner,
    )

    run_worker()

    [(_from, _to, mail)] = smtp_server.messages
    assert mail["Subject"] == "پیش فاکتور ۱۴۰۵/۰۰۰۰۲"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    for part in (text, html):
        assert "پیش فاکتور ۱۴۰۵/۰۰۰۰۲ را در https://crm.example/q/12 ببینید." in part
        assert f"{LRI}۰۲۱ ۸۸۷۷ ۶۶۵۵{PDI}" in part
    # The stored message keeps Latin digits: what the API and the search read.
    assert Message.objects.get().body.startswith("پیش فاکتور 1405/00002")


@pytest.mark.django_db(transaction=True)
def test_an_sms_goes_with_persian_digits_and_a_sign_in_code_as_it_is(
    kavenegar,  # noqa: F811
    personas,
):
    messaging.message_queue(
        channel=Channel.SMS,
        to="09121234567",
        body="درخواست 140500008 ثبت شد: https://crm.example/t/8",
        by=personas.owner,
    )
    messaging.message_queue(
        channel=Channel.SMS,
        to="09121234568",
        body="کد ورود شما: 482913",
        by=personas.owner,
        secret_label="کد ورود پرتال",
    )

    run_worker()

    bodies = sorted(sms["body"] for sms in kavenegar.received)
    assert bodies == [
        "درخواست ۱۴۰۵۰۰۰۰۸ ثبت شد: https://crm.example/t/8",
        "کد ورود شما: 482913",
    ]


@pytest.mark.django_db
def test_csv_headers_have_the_readers_digits_and_cells_stay_as_stored():
    from peyvand.core.display import DisplayPreferences, activate, deactivate
    from peyvand.core.exports import Column, csv_response

    columns = [Column("سال 1405", lambda row: row), Column("مبلغ", lambda row: 1405)]
    for digits, header in (("fa", "سال ۱۴۰۵"), ("latin", "سال 1405")):
        token = activate(DisplayPreferences(digits=digits))
        try:
            response = csv_response(["کد L12"], columns, "فروش")
        finally:
            deactivate(token)  # the rows are written after the view, outside the preferences
        lines = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()
        assert lines == [f"{header},مبلغ", "کد L12,1405"]
