"""Products, proformas (VAT, numbering, statuses, PDF) and invoices through HTTP."""

import contextlib
import datetime
import re
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.roles import SUPPORT
from peyvand.core.dates import to_jalali
from peyvand.core.services import record_delete
from peyvand.core.text import to_latin_digits, to_persian_digits
from peyvand.messaging.models import Message
from peyvand.sales.models import FollowUp, Invoice, Lead, Product, Quote, VatRate
from peyvand.sales.pricing import vat_rate_on
from tests.factories import ContactFactory, LeadFactory, UserFactory
from tests.messaging.fixtures import run_worker

worker_test = pytest.mark.django_db(transaction=True)


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects, its compressed object streams inflated (font names live there)."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(stream))
    return b"".join(parts)


def product(**fields) -> Product:
    values = {"code": "P-1", "name": "تابلو برق", "unit": "دستگاه", "price": 1_000_000}
    return Product.objects.create(**(values | fields))


def line(index: int, **fields) -> dict:
    values = {"product": "", "description": "", "quantity": "1", "unit": "", "unit_price": "",
              "discount": "", "vat_applies": "on"} | fields  # fmt: skip
    return {f"lines-{index}-{key}": value for key, value in values.items() if value is not None}


def quote_data(contact, *lines, **fields) -> dict:
    data = {
        "contact": contact.pk,
        "kind": "goods",
        "money_unit": "rial",
        "date": to_jalali(timezone.localdate()).strftime("%Y/%m/%d"),
        "valid_until": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
    }
    for row in lines:
        data |= row
    return data | fields


def test_the_vat_rate_is_the_one_in_force_on_the_documents_date(db):
    assert vat_rate_on(datetime.date(2024, 3, 19)) == Decimal(9)  # 29 Esfand 1402
    assert vat_rate_on(datetime.date(2024, 3, 20)) == Decimal(10)  # 1 Farvardin 1403
    VatRate.objects.create(valid_from=datetime.date(2027, 3, 21), percent=Decimal(12))
    assert vat_rate_on(datetime.date(2027, 3, 21)) == Decimal(12)


def test_a_rep_issues_a_proforma_with_vat_for_a_lead_and_converts_it_to_an_invoice(
    client, personas
):
    lead = LeadFactory(owner=personas.owner)
    panel = product()
    service = product(code="S-1", name="نصب و راه‌اندازی", unit="ساعت", price=150_000,
                      vat_applies=False)  # fmt: skip
    client.force_login(personas.owner)
    form = client.get(reverse("sales:quote_create"), {"lead": lead.pk})
    assert form.context["form"]["contact"].value() == lead.contact.pk
    response = client.post(
        f"{reverse('sales:quote_create')}?lead={lead.pk}",
        quote_data(
            lead.contact,
            line(0, product=panel.pk, quantity="۲", discount="۱۰۰٬۰۰۰"),
            line(1, product=service.pk, quantity="3.5", vat_applies=None),
            line(2, description="حمل", unit_price="۵۰۰٬۰۰۰"),
        ),
    )
    quote = Quote.objects.get()
    assert response.status_code == 302
    assert quote.number == f"{to_jalali(timezone.localdate()).year}/00001"
    assert quote.lead == lead
    assert quote.vat_percent == Decimal(10)
    # 2 × 1,000,000 − 100,000 (+10%), 3.5 × 150,000 (exempt), 500,000 (+10%)
    assert quote.subtotal == 2_000_000 + 525_000 + 500_000
    assert quote.discount_total == 100_000
    assert quote.vat_total == 190_000 + 50_000
    assert quote.total == 3_025_000 - 100_000 + 240_000
    names = [line.description for line in quote.lines.all()]
    assert names == ["تابلو برق", "نصب و راه‌اندازی", "حمل"]
    lead.refresh_from_db()
    assert lead.stage == Lead.Stage.PROPOSAL
    page = client.get(quote.get_absolute_url()).content.decode()
    assert "سه میلیون و یکصد و شصت و پنج هزار ریال" in page

    pdf = client.get(reverse("sales:quote_pdf", args=[quote.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert b"Vazirmatn" in pdf_objects(pdf.content)  # the Persian font is embedded
    assert "attachment" in pdf["Content-Disposition"]

    status_url = reverse("sales:quote_status", args=[quote.pk])
    client.post(status_url, {"status": "sent"})
    client.post(status_url, {"status": "accepted"})
    converted = client.post(reverse("sales:quote_invoice", args=[quote.pk]))
    invoice = Invoice.objects.get()
    assert converted["Location"] == invoice.get_absolute_url()
    assert invoice.quote == quote
    assert invoice.total == quote.total
    assert invoice.vat_percent == quote.vat_percent
    assert invoice.lines.count() == 3
    lead.refresh_from_db()
    assert lead.status == Lead.Status.WON
    client.post(reverse("sales:quote_invoice", args=[quote.pk]))
    assert Invoice.objects.count() == 1  # once only
    assert client.get(reverse("sales:invoice_pdf", args=[invoice.pk])).content.startswith(b"%PDF")


def test_a_bad_proforma_is_explained_in_persian_and_keeps_every_row(client, personas):
    lead = LeadFactory(owner=personas.owner)
    client.force_login(personas.owner)
    response = client.post(
        reverse("sales:quote_create"),
        quote_data(
            lead.contact,
            line(0, description="حمل ویژه", unit_price="۵۰۰", discount="۹۰۰"),
            line(1, description="بسته‌بندی", unit_price="دوازده"),
            line(2, description="", unit_price="100"),
        ),
    )
    page = response.content.decode()
    assert "تخفیف نباید از مبلغ ردیف بیشتر یا منفی باشد." in page
    assert "مبلغ معتبر نیست" in page
    assert "کالا را انتخاب کنید یا شرح ردیف را بنویسید." in page
    assert 'value="حمل ویژه"' in page and 'value="دوازده"' in page
    empty = client.post(reverse("sales:quote_create"), quote_data(lead.contact, line(0)))
    assert "دست‌کم یک ردیف بنویسید." in empty.content.decode()
    assert not Quote.objects.exists()


def test_a_cancelled_proforma_needs_a_reason_and_cannot_become_an_invoice(client, personas):
    lead = LeadFactory(owner=personas.owner)
    client.force_login(personas.owner)
    client.post(
        reverse("sales:quote_create"),
        quote_data(lead.contact, line(0, description="خدمات", unit_price="1000")),
    )
    quote = Quote.objects.get()
    status_url = reverse("sales:quote_status", args=[quote.pk])
    client.post(status_url, {"status": "cancelled", "reason": ""})
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT
    client.post(status_url, {"status": "cancelled", "reason": "مشتری منصرف شد"})
    quote.refresh_from_db()
    assert quote.status == Quote.Status.CANCELLED
    assert quote.cancel_reason == "مشتری منصرف شد"
    client.post(reverse("sales:quote_invoice", args=[quote.pk]))
    assert not Invoice.objects.exists()
    edit = client.post(
        reverse("sales:quote_edit", args=[quote.pk]),
        quote_data(lead.contact, line(0, description="خدمات", unit_price="2000")),
    )
    assert "پیش فاکتور پذیرفته، لغو یا منقضی شده را نمی‌توان ویرایش کرد." in edit.content.decode()


def test_numbering_restarts_each_jalali_year(client, personas, monkeypatch):
    from peyvand.core import sequences

    lead = LeadFactory(owner=personas.owner)
    client.force_login(personas.owner)
    data = quote_data(lead.contact, line(0, description="خدمات", unit_price="1000"))
    client.post(reverse("sales:quote_create"), data)
    client.post(reverse("sales:quote_create"), data)
    year = to_jalali(timezone.localdate()).year
    next_year = to_jalali(timezone.localdate()).replace(year=year + 1, day=1)
    monkeypatch.setattr(sequences, "jalali_today", lambda: next_year)
    client.post(reverse("sales:quote_create"), data)
    numbers = list(Quote.objects.order_by("id").values_list("number", flat=True))
    assert numbers == [f"{year}/00001", f"{year}/00002", f"{year + 1}/00001"]


def test_support_cannot_reach_proformas_or_their_pdf(client, personas):
    lead = LeadFactory(owner=personas.owner)
    client.force_login(personas.owner)
    client.post(
        reverse("sales:quote_create"),
        quote_data(lead.contact, line(0, description="خدمات", unit_price="1000")),
    )
    quote = Quote.objects.get()
    client.force_login(UserFactory(username="helpdesk", role=SUPPORT))
    for url in (
        reverse("sales:quote_list"),
        quote.get_absolute_url(),
        reverse("sales:quote_pdf", args=[quote.pk]),
    ):
        assert client.get(url).status_code == 403
    client.force_login(personas.outsider)  # a rep of another team
    assert client.get(reverse("sales:quote_pdf", args=[quote.pk])).status_code == 404


def test_managers_keep_the_catalogue(client, personas):
    client.force_login(personas.owner)
    assert client.get(reverse("sales:product_list")).status_code == 200
    assert client.get(reverse("sales:product_create")).status_code == 403
    client.force_login(personas.manager)
    response = client.post(
        reverse("sales:product_create"),
        {"code": "P-9", "name": "کابل", "kind": "goods", "unit": "متر", "price": "۴٬۲۰۰٬۰۰۰",
         "vat_applies": "on", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Product.objects.get().price == 4_200_000
    bad = client.post(
        reverse("sales:product_create"),
        {"code": "P-8", "name": "کابل", "kind": "goods", "unit": "متر", "price": "-5"},
    )
    assert "مبلغ نمی‌تواند منفی باشد" in bad.content.decode()


def test_follow_ups_on_a_sent_proforma_remind_its_owner_and_stop_once_it_is_decided(
    client, personas
):
    from tests.sales.test_leads import jalali, result

    lead = LeadFactory(owner=personas.owner)
    client.force_login(personas.owner)
    client.post(
        reverse("sales:quote_create"),
        quote_data(lead.contact, line(0, description="خدمات", unit_price="1000")),
    )
    quote = Quote.objects.get()
    client.post(reverse("sales:quote_status", args=[quote.pk]), {"status": "sent"})
    page = client.get(quote.get_absolute_url())
    entry = reverse("sales:quote_followup_create", args=[quote.pk])
    assert f'data-entry-slot="{entry}"' in page.content.decode()
    row = client.get(entry).content.decode()  # fetched when N opens it
    assert f'hx-post="{entry}"' in row and 'name="next_date"' in row
    today = timezone.localdate()
    data = {
        "result": result("پیگیری").pk,
        "at": f"{jalali(today - datetime.timedelta(days=2))} 10:00",
        "description": "مشتری گفت تا فردا خبر می‌دهد",
        "next_date": jalali(today),
    }
    saved = client.post(entry, data, HTTP_HX_REQUEST="true")
    assert "پیگیری ثبت شد." in saved.content.decode()
    followup = FollowUp.objects.get()
    assert followup.quote == quote and followup.next_by == personas.owner
    home = client.get(reverse("core:home")).content.decode()
    assert quote.get_absolute_url() in home
    due = client.get(reverse("sales:followup_due")).content.decode()
    assert quote.get_absolute_url() in due

    client.post(reverse("sales:quote_status", args=[quote.pk]), {"status": "accepted"})
    followup.refresh_from_db()
    assert followup.settled_at is not None  # decided: nothing left to chase
    again = client.post(entry, data, HTTP_HX_REQUEST="true").content.decode()
    assert "این پیش فاکتور دیگر در جریان نیست" in again
    assert FollowUp.objects.count() == 1
    assert "پیگیری تازه" not in client.get(quote.get_absolute_url()).content.decode()


def test_a_proforma_in_tomans_shows_its_amounts_and_words_in_tomans(client, personas):
    lead = LeadFactory(owner=personas.owner)
    client.force_login(personas.owner)
    client.post(
        reverse("sales:quote_create"),
        quote_data(
            lead.contact,
            line(0, description="خدمات", unit_price="1000000", vat_applies=None),
            money_unit="toman",
        ),
    )
    quote = Quote.objects.get()
    assert quote.total == 1_000_000  # stored in rials
    page = client.get(quote.get_absolute_url()).content.decode()
    assert "۱۰۰٬۰۰۰ تومان" in page and "صد هزار تومان" in page
    pdf = client.get(reverse("sales:quote_pdf", args=[quote.pk]))
    assert pdf.status_code == 200


def _sent_quote_for(client, personas, **contact_fields) -> Quote:
    contact = ContactFactory(owner=personas.owner, name="نگار صادقی", **contact_fields)
    client.force_login(personas.owner)
    client.post(
        reverse("sales:quote_create"),
        quote_data(contact, line(0, description="نصب تابلو", unit_price="2500000")),
    )
    return Quote.objects.get()


@worker_test
def test_a_proforma_goes_by_email_with_its_pdf_attached(client, personas, smtp_server):
    quote = _sent_quote_for(client, personas, email="negar@example.com")
    url = reverse("sales:quote_send", args=[quote.pk, "email"])
    form = client.get(url).context["form"]
    assert form["to"].value() == "negar@example.com"
    assert "پیوست" in form["body"].value()
    data = {"to": "negar@example.com", "subject": "", "body": form["body"].value()}
    refused = client.post(url, data)
    assert "این فیلد لازم است." in refused.content.decode()
    # Kept: read back as typed, in the Latin digits every form stores (shown Persian).
    assert refused.context["form"]["body"].value() == to_latin_digits(data["body"])
    data["subject"] = form["subject"].value()
    assert client.post(url, data).status_code == 302
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT  # a draft that went out
    message = Message.objects.get()
    assert message.related == quote and message.contact == quote.contact

    run_worker()

    ((_from, to, mail),) = smtp_server.messages
    assert to == ["negar@example.com"]
    (attachment,) = list(mail.iter_attachments())
    number = to_persian_digits(quote.number.replace("/", "-"))
    assert attachment.get_filename() == f"پیش فاکتور {number}.pdf"
    assert b"Vazirmatn" in pdf_objects(attachment.get_content())


@worker_test
def test_a_proforma_goes_by_sms_as_a_link_that_opens_its_pdf_without_a_login(
    client, personas, kavenegar
):
    quote = _sent_quote_for(client, personas, phones=["+989121234567"])
    url = reverse("sales:quote_send", args=[quote.pk, "sms"])
    form = client.get(url).context["form"]
    assert form["to"].value() == "+989121234567"
    assert client.post(url, {"to": "۰۹۱۲۱۲۳۴۵۶۷", "body": form["body"].value()}).status_code == 302

    run_worker()

    (sms,) = kavenegar.received
    assert sms["to"] == "09121234567"
    link = re.search(r"http://testserver(/\S+)", sms["body"]).group(1)
    client.logout()
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    assert client.get(link[:-3] + "abc/").status_code == 404  # a tampered link
    record_delete(record=quote, by=personas.owner)  # in the recycle bin: the link stops
    assert client.get(link).status_code == 404


def test_a_bad_recipient_is_explained_and_nothing_is_queued(client, personas):
    quote = _sent_quote_for(client, personas)
    url = reverse("sales:quote_send", args=[quote.pk, "sms"])
    page = client.post(url, {"to": "12345", "body": "متن"})
    assert page.status_code == 200
    assert "شماره" in page.content.decode()
    assert not Message.objects.exists()
    assert client.get(reverse("sales:quote_send", args=[quote.pk, "fax"])).status_code == 404


def test_the_contact_page_sums_up_the_customers_proformas_invoices_and_open_leads(client, personas):
    lead = LeadFactory(owner=personas.owner)
    contact = lead.contact
    client.force_login(personas.owner)
    for price in ("1000000", "2000000", "4000000"):
        client.post(
            reverse("sales:quote_create"),
            quote_data(contact, line(0, description="خدمات", unit_price=price, vat_applies=None)),
        )
    first, _second, third = Quote.objects.order_by("id")
    client.post(reverse("sales:quote_status", args=[first.pk]), {"status": "accepted"})
    client.post(reverse("sales:quote_invoice", args=[first.pk]))
    client.post(
        reverse("sales:quote_status", args=[third.pk]), {"status": "cancelled", "reason": "گران"}
    )
    summary = client.get(contact.get_absolute_url()).context["summary"]
    assert (summary.quotes, summary.quotes_total, summary.quotes_open) == (3, 3_000_000, 1)
    assert (summary.invoices, summary.invoices_total) == (1, 1_000_000)
    assert summary.last_invoice == Invoice.objects.get()
    assert summary.open_leads == 1
    page = client.get(contact.get_absolute_url()).content.decode()
    assert "خلاصه فروش" in page and f"?contact={contact.pk}" in page
    listed = client.get(reverse("sales:quote_list"), {"contact": contact.pk}).context["page"]
    assert len(listed.items) == 3
    other = LeadFactory(owner=personas.owner).contact
    assert (
        client.get(reverse("sales:quote_list"), {"contact": other.pk}).context["page"].items == []
    )
    client.force_login(personas.outsider)  # sees none of them, nor the customer
    page = client.get(reverse("sales:invoice_list"), {"contact": contact.pk})
    assert page.context["page"].items == []
    assert "مشتری: نامعلوم" in page.content.decode()  # the name is not told
    assert contact.name not in page.content.decode()


def test_opening_a_fiscal_year_carries_what_is_still_in_play_and_only_once(
    client, personas, monkeypatch
):
    from peyvand.sales import models as sales_models
    from peyvand.sales.models import FiscalYear

    this_year = sales_models.current_fiscal_year()
    last_year = this_year - 1
    client.force_login(personas.owner)
    open_lead = LeadFactory(owner=personas.owner)
    won_lead = LeadFactory(owner=personas.owner, status=Lead.Status.WON)
    for _ in range(3):
        client.post(
            reverse("sales:quote_create"),
            quote_data(open_lead.contact, line(0, description="خدمات", unit_price="1000")),
        )
    draft, sent, accepted = Quote.objects.order_by("id")
    client.post(reverse("sales:quote_status", args=[sent.pk]), {"status": "sent"})
    client.post(reverse("sales:quote_status", args=[accepted.pk]), {"status": "accepted"})
    Lead.objects.update(fiscal_year=last_year)
    Quote.objects.update(fiscal_year=last_year)
    assert client.get(reverse("sales:fiscal_years")).status_code == 403  # managers only

    client.force_login(personas.manager)
    page = client.get(reverse("sales:fiscal_years"))
    assert f'name="year" value="{this_year}"' in page.content.decode()  # not «1,405»
    opening = page.context["opening"]
    assert (opening.year, opening.quotes, opening.leads) == (this_year, 2, 1)
    too_early = client.post(reverse("sales:fiscal_years"), {"year": this_year + 1}, follow=True)
    next_year = to_persian_digits(str(this_year + 1))  # as the reader sees it (core.digits)
    assert f"سال مالی {next_year} هنوز نرسیده است" in too_early.content.decode()
    done = client.post(reverse("sales:fiscal_years"), {"year": this_year}, follow=True)
    assert "۲ پیش فاکتور و ۱ سرنخ منتقل شد" in done.content.decode()
    assert FiscalYear.objects.get().carried_quotes == 2
    years = dict(Quote.objects.values_list("pk", "fiscal_year"))
    assert years == {draft.pk: this_year, sent.pk: this_year, accepted.pk: last_year}
    assert Lead.objects.get(pk=open_lead.pk).fiscal_year == this_year
    assert Lead.objects.get(pk=won_lead.pk).fiscal_year == last_year
    again = client.post(reverse("sales:fiscal_years"), {"year": this_year}, follow=True)
    assert "پیش‌تر افتتاح شده است" in again.content.decode()
    assert FiscalYear.objects.count() == 1
    assert client.get(reverse("sales:fiscal_years")).context["opening"] is None

    listed = client.get(reverse("sales:quote_list"), {"year": this_year}).context["page"]
    assert {quote.pk for quote in listed.items} == {draft.pk, sent.pk}
    leads = client.get(reverse("sales:lead_list"), {"fiscal_year": last_year, "status": "all"})
    assert [lead.pk for lead in leads.context["page"].items] == [won_lead.pk]


def test_a_customer_groups_price_list_prices_the_lines_the_rep_left_empty(client, personas):
    from peyvand.lookups.models import Grade
    from peyvand.sales.models import PriceList

    dealer = Grade.objects.create(name="همکار")
    panel = product(price=1_000_000)
    cable = product(code="P-2", name="کابل", price=50_000)
    client.force_login(personas.manager)
    url = reverse("sales:price_list_create")
    data = {
        "name": "قیمت همکاران",
        "grade": dealer.pk,
        "discount_percent": "۵",
        "is_active": "on",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-product": panel.pk,
        "items-0-price": "۸۰۰٬۰۰۰",
        "items-1-product": panel.pk,
        "items-1-price": "1",
    }
    twice = client.post(url, data)
    assert "این کالا در فهرست تکرار شده است." in twice.content.decode()
    assert twice.context["form"]["name"].value() == "قیمت همکاران"  # kept
    data |= {"items-1-product": "", "items-1-price": ""}
    assert client.post(url, data).status_code == 302
    assert PriceList.objects.get().items.get().price == 800_000

    customer = ContactFactory(owner=personas.owner, grade=dealer)
    walk_in = ContactFactory(owner=personas.owner)
    client.force_login(personas.owner)
    rows = (
        line(0, product=panel.pk, quantity="2", vat_applies=None),  # list price, 5% off
        line(1, product=cable.pk, quantity="10", vat_applies=None),  # catalogue price, 5% off
        line(2, product=panel.pk, unit_price="900000", discount="0", vat_applies=None),  # typed
        line(3, description="حمل", unit_price="100000", vat_applies=None),  # free: no discount
    )
    client.post(reverse("sales:quote_create"), quote_data(customer, *rows))
    client.post(reverse("sales:quote_create"), quote_data(walk_in, *rows))
    dealer_quote, walk_in_quote = Quote.objects.order_by("id")
    prices = list(dealer_quote.lines.order_by("order").values_list("unit_price", "discount"))
    assert prices == [(800_000, 80_000), (50_000, 25_000), (900_000, 0), (100_000, 0)]
    assert dealer_quote.total == 1_600_000 + 500_000 + 900_000 + 100_000 - 105_000
    prices = list(walk_in_quote.lines.order_by("order").values_list("unit_price", "discount"))
    assert prices == [(1_000_000, 0), (50_000, 0), (900_000, 0), (100_000, 0)]

    assert client.get(reverse("sales:price_list_list")).status_code == 403  # managers keep it


def test_managers_keep_the_vat_rate_table(client, personas):
    client.force_login(personas.manager)
    page = client.get(reverse("sales:vat_rates"))
    assert [str(rate.percent_shown) for rate in page.context["rates"]] == ["10", "9"]
    bad = client.post(reverse("sales:vat_rates"), {"valid_from": "1403/01/01", "percent": "۱۵۰"})
    errors = bad.context["form"].errors
    assert errors["valid_from"] == ["برای این تاریخ پیش‌تر نرخی ثبت شده است."]
    assert errors["percent"] == ["نرخ را بین ۰ و ۱۰۰ و حداکثر با دو رقم اعشار بنویسید."]
    saved = client.post(reverse("sales:vat_rates"), {"valid_from": "1406/01/01", "percent": "۱۲"})
    assert saved.status_code == 302
    assert vat_rate_on(datetime.date(2027, 3, 21)) == Decimal(12)
    client.force_login(personas.owner)
    assert client.get(reverse("sales:vat_rates")).status_code == 403
