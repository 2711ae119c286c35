"""Payment terms on proformas and invoices: cash, on credit for N days, by cheques, or by
an instalment plan in Jalali months whose last instalment absorbs the rounding; the
invoice is owed on the customer's account instalment by instalment."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from peyvand.core.dates import from_jalali, to_jalali
from peyvand.finance.models import Account, Entry
from peyvand.sales import services
from peyvand.sales.models import Invoice, Quote
from peyvand.sales.terms import InstalmentPlan, add_jalali_months, instalment_schedule
from tests.factories import ContactFactory
from tests.finance.money import receive
from tests.sales.test_quotes import line, quote_data


def jalali(text: str) -> datetime.date:
    return from_jalali(*map(int, text.split("/")))


def test_jalali_months_keep_the_day_or_take_the_months_last():
    assert add_jalali_months(jalali("1405/01/31"), 1) == jalali("1405/02/31")
    assert add_jalali_months(jalali("1405/06/31"), 1) == jalali("1405/07/30")
    assert add_jalali_months(jalali("1405/11/30"), 1) == jalali("1405/12/29")  # 1405: not leap
    assert add_jalali_months(jalali("1405/12/15"), 2) == jalali("1406/02/15")


def test_the_last_instalment_absorbs_the_rounding():
    plan = InstalmentPlan(count=3, first_due=jalali("1405/10/01"), down_payment=10_000_000)
    rows = instalment_schedule(total=100_000_001, plan=plan, start=jalali("1405/09/14"))
    assert rows == [
        (jalali("1405/09/14"), 10_000_000),
        (jalali("1405/10/01"), 30_000_000),
        (jalali("1405/11/01"), 30_000_000),
        (jalali("1405/12/01"), 30_000_001),
    ]
    assert sum(amount for _day, amount in rows) == 100_000_001


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        (InstalmentPlan(count=0, first_due=datetime.date(2026, 12, 30)), "instalment_count"),
        (InstalmentPlan(count=61, first_due=datetime.date(2026, 12, 30)), "instalment_count"),
        (InstalmentPlan(count=3, first_due=datetime.date(2026, 11, 1)), "first_instalment"),
        (
            InstalmentPlan(count=3, first_due=datetime.date(2026, 12, 30), down_payment=5_000),
            "down_payment",
        ),
    ],
)
def test_impossible_plans_are_refused_in_persian(plan, field):
    with pytest.raises(ValidationError) as refused:
        instalment_schedule(total=5_000, plan=plan, start=datetime.date(2026, 12, 5))
    assert field in refused.value.message_dict


def test_a_rep_sells_on_sixty_day_credit_and_the_invoice_is_due_then(client, personas):
    contact = ContactFactory(owner=personas.owner)
    client.force_login(personas.owner)
    data = quote_data(
        contact,
        line(0, description="تابلو برق", unit_price="50,000,000", vat_applies=None),
        payment_terms="credit",
        credit_days="۶۰",
    )
    assert client.post(reverse("sales:quote_create"), data).status_code == 302
    quote = Quote.objects.get()
    assert (quote.payment_terms, quote.credit_days) == ("credit", 60)
    assert "اعتباری (مدت‌دار)، ۶۰ روزه" in client.get(quote.get_absolute_url()).content.decode()
    services.quote_set_status(quote=quote, by=personas.owner, status=Quote.Status.ACCEPTED)
    invoice = services.quote_to_invoice(quote=quote, by=personas.owner)
    assert invoice.due_date == invoice.date + datetime.timedelta(days=60)
    assert invoice.payment_status == Invoice.PaymentStatus.UNPAID
    assert invoice.entries.get().due_date == invoice.due_date


def test_credit_without_days_is_refused_and_the_form_keeps_what_was_typed(client, personas):
    contact = ContactFactory(owner=personas.owner)
    client.force_login(personas.owner)
    data = quote_data(
        contact, line(0, description="کابل ویژه", unit_price="1000"), payment_terms="credit"
    )
    page = client.post(reverse("sales:quote_create"), data).content.decode()
    assert "برای فروش اعتباری، مهلت پرداخت را به روز بنویسید." in page
    assert 'value="کابل ویژه"' in page
    assert not Quote.objects.exists()


def test_an_instalment_plan_is_owed_instalment_by_instalment(client, personas):
    contact = ContactFactory(owner=personas.owner)
    client.force_login(personas.owner)
    today = to_jalali(datetime.date.today())
    first = add_jalali_months(datetime.date.today(), 1)
    data = quote_data(
        contact,
        line(0, description="یو پی اس ۱۰", unit_price="90,000,001", vat_applies=None),
        payment_terms="installments",
        down_payment="۱۰٬۰۰۰٬۰۰۰",
        instalment_count="۴",
        first_instalment=to_jalali(first).strftime("%Y/%m/%d"),
    )
    assert client.post(reverse("sales:quote_create"), data).status_code == 302, today
    quote = Quote.objects.get()
    rows = [(row.due_date, row.amount) for row in quote.instalments.all()]
    assert rows[0] == (quote.date, 10_000_000)
    assert [amount for _day, amount in rows[1:]] == [20_000_000, 20_000_000, 20_000_000, 20_000_001]
    assert rows[-1][0] == add_jalali_months(first, 3)
    # The edit form shows the plan as it was typed.
    edit = client.get(reverse("sales:quote_edit", args=[quote.pk]))
    assert edit.context["form"]["instalment_count"].value() == 4
    services.quote_set_status(quote=quote, by=personas.owner, status=Quote.Status.ACCEPTED)
    invoice = services.quote_to_invoice(quote=quote, by=personas.owner)
    assert invoice.due_date == rows[-1][0]
    entries = list(invoice.entries.order_by("due_date", "id"))
    assert [(e.due_date, e.debit) for e in entries] == rows
    assert entries[1].description.endswith("قسط 2 از 5")  # stored Latin, shown «۲ از ۵»
    assert Account.objects.get(contact=contact).balance == 90_000_001
    # A payment settles the down payment, then the first instalment.
    receive(contact, personas.manager, 25_000_000)
    invoice.refresh_from_db()
    assert invoice.paid == 25_000_000
    assert [e.open_amount for e in Entry.objects.filter(invoice=invoice).order_by("due_date")] == [
        0, 5_000_000, 20_000_000, 20_000_000, 20_000_001,
    ]  # fmt: skip


def test_a_customers_usual_payment_method_is_the_new_proformas_terms(client, personas):
    contact = ContactFactory(owner=personas.owner, payment_method="installments")
    client.force_login(personas.owner)
    form = client.get(reverse("sales:quote_create"), {"contact": contact.pk}).context["form"]
    assert form["payment_terms"].value() == "installments"


def test_a_grades_rules_are_a_new_proformas_terms(client, personas):
    from peyvand.lookups.models import Grade

    grade = Grade.objects.create(name="همکار", payment_method="credit", credit_days=45)
    contact = ContactFactory(owner=personas.owner, grade=grade)
    client.force_login(personas.owner)
    form = client.get(reverse("sales:quote_create"), {"contact": contact.pk}).context["form"]
    assert (form["payment_terms"].value(), form["credit_days"].value()) == ("credit", 45)


def test_past_the_credit_limit_the_rep_confirms_and_nothing_typed_is_lost(client, personas):
    contact = ContactFactory(owner=personas.owner, credit_limit=10_000_000)
    client.force_login(personas.owner)
    data = quote_data(contact, line(0, description="یو پی اس ویژه", unit_price="12,000,000"))
    page = client.post(reverse("sales:quote_create"), data).content.decode()
    assert "سقف اعتبار این مشتری ۱۰٬۰۰۰٬۰۰۰ ریال است" in page
    assert 'type="checkbox" name="confirm_credit_limit"' in page
    assert 'value="یو پی اس ویژه"' in page
    assert not Quote.objects.exists()
    data["confirm_credit_limit"] = "on"
    assert client.post(reverse("sales:quote_create"), data).status_code == 302
    assert Quote.objects.get().total > 10_000_000
