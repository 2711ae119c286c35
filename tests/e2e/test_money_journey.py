"""The money journey of issue 23 in a real browser: a rep issues an invoice on 60-day
credit; finance records two cheques and a transfer; one cheque bounces — the rep and the
manager are alerted and the invoice is open again; the other cheque clears; the customer
signs in to the portal and pays the rest online through the (fake) ZarinPal; the invoice
is paid and the statement PDF, looked at as an image, shows every line and a zero
balance."""

import datetime
import re
import shutil
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peyvand.accounts.roles import FINANCE
from peyvand.activities.models import Notification
from peyvand.core.dates import to_jalali
from peyvand.core.text import to_persian_digits as fa
from peyvand.finance.fake_zarinpal import FakeZarinPal
from peyvand.finance.models import BankAccount, Cheque, Entry, Receipt
from peyvand.portal.models import PortalAccess
from peyvand.sales.models import Invoice, Quote
from peyvand.sales.terms import InstalmentPlan
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_messaging_journey import run_worker
from tests.factories import ContactFactory, UserFactory
from tests.finance.money import issue_invoice

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MERCHANT = "11111111-2222-4333-8444-555555555555"


def sign_in(page, live_server, user) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")


def record(page, contact, *, amount: str, method: str, **fields) -> None:
    """Finance records a receipt through the form."""
    page.goto(f"/finance/receipts/new/in/?contact={contact.pk}")
    page.locator("#id_amount").fill(amount)
    page.locator("#id_method").select_option(label=method)
    for selector, value in fields.items():
        page.locator(f"#id_{selector}").fill(value)
    page.get_by_role("button", name="ثبت", exact=True).click()
    expect(page.get_by_text("ثبت شد.")).to_be_visible()


def move(page, cheque: Cheque, status: str, **fields) -> None:
    page.goto(cheque.get_absolute_url())
    page.locator("#id_status").select_option(label=status)
    for selector, value in fields.items():
        locator = page.locator(f"#id_{selector}")
        if selector == "bank_account":
            locator.select_option(label=value)
        else:
            locator.fill(value)
    page.get_by_role("button", name="ثبت وضعیت").click()
    expect(page.get_by_text(f"وضعیت چک: {status}")).to_be_visible()


def portal_sign_in(page, kavenegar) -> None:
    """The customer signs in to the portal with the code texted to 0912 123 4567."""
    page.context.clear_cookies()
    page.goto("/portal/login/")
    page.locator("#id_mobile").fill("۰۹۱۲۱۲۳۴۵۶۷")
    page.get_by_role("button", name="دریافت کد ورود").click()
    run_worker()
    code = re.search(r"\d{6}", kavenegar.received[-1]["body"]).group()
    page.locator("#id_code").fill(code)
    page.get_by_role("button", name="ورود").click()


def test_an_invoice_on_credit_is_paid_by_cheques_a_transfer_and_online(
    page, live_server, rep, manager, kavenegar, screenshots, settings
):
    clerk = UserFactory(username="mali", first_name="سارا", last_name="رضایی", role=FINANCE)
    BankAccount.objects.create(name="جاری ملت مرکزی", bank="ملت")
    customer = ContactFactory(owner=rep, name="فروشگاه نور", phones=["+989121234567"])
    PortalAccess.objects.create(contact=customer, enabled=True, show_statement=True)

    # The rep sells on 60-day credit.
    sign_in(page, live_server, rep)
    page.goto(f"/sales/quotes/new/?contact={customer.pk}")
    page.locator("#id_lines-0-description").fill("یو پی اس ۱۰ کیلوولت‌آمپر")
    page.locator("#id_lines-0-unit_price").fill("۹۰٬۰۰۰٬۰۰۰")
    page.locator("#id_lines-0-vat_applies").uncheck()
    page.get_by_label("اعتباری (مدت‌دار)").check()
    page.locator("#id_credit_days").fill("۶۰")
    page.get_by_role("button", name="ذخیره").click()
    expect(page.get_by_text("ذخیره شد.")).to_be_visible()
    expect(page.get_by_text("اعتباری (مدت‌دار)، ۶۰ روزه")).to_be_visible()
    page.get_by_role("button", name="پذیرفته شد").click()
    page.get_by_role("button", name="صدور فاکتور").click()
    expect(page.get_by_text("صادر شد.")).to_be_visible()
    invoice = Invoice.objects.get()
    assert (invoice.due_date - invoice.date).days == 60
    assert Quote.objects.get().payment_terms == "credit"

    # Finance records two post-dated cheques and a transfer.
    sign_in(page, live_server, clerk)
    due = fa(to_jalali(invoice.due_date).strftime("%Y/%m/%d"))
    for sayad, amount in (("1404111122223333", "۴۰٬۰۰۰٬۰۰۰"), ("1404111122224444", "۳۰٬۰۰۰٬۰۰۰")):
        page.goto(f"/finance/receipts/new/in/?contact={customer.pk}")
        page.locator("#id_amount").fill(amount)
        page.locator("#id_method").select_option(label="چک")
        expect(page.locator("#id_cheque-sayad_id")).to_be_visible()
        page.locator("#id_cheque-sayad_id").fill(sayad)
        page.locator("#id_cheque-bank").fill("ملی")
        page.locator("#id_cheque-due_date").fill(due)
        page.get_by_role("button", name="ثبت", exact=True).click()
        expect(page.get_by_text("ثبت شد.")).to_be_visible()
    record(page, customer, amount="۲۰٬۰۰۰٬۰۰۰", method="پایا", reference="۱۴۰۵۰۹۱۲۱")
    invoice.refresh_from_db()
    assert (invoice.paid, invoice.payment_status) == (20_000_000, "partly")

    # The first cheque bounces: the rep and the manager hear of it; the invoice is open.
    bounced = Cheque.objects.get(sayad_id="1404111122223333")
    move(page, bounced, "خوابانده شده", bank_account="جاری ملت مرکزی")
    move(page, bounced, "برگشتی", reason="کسری موجودی")
    alerted = set(Notification.objects.filter(title__contains="برگشت خورد").values_list(
        "user__username", flat=True))  # fmt: skip
    assert {rep.username, clerk.username} <= alerted
    page.goto(invoice.get_absolute_url())
    expect(page.locator(".card", has_text="وصول‌شده")).to_contain_text("۷۰٬۰۰۰٬۰۰۰")
    page.screenshot(path=screenshots / "money-invoice-after-bounce.png", full_page=True)
    # The second one clears.
    good = Cheque.objects.get(sayad_id="1404111122224444")
    move(page, good, "خوابانده شده", bank_account="جاری ملت مرکزی")
    move(page, good, "وصول شده")
    invoice.refresh_from_db()
    assert invoice.paid == 50_000_000

    # The customer signs in to the portal and pays the rest online.
    with FakeZarinPal(merchant_id=MERCHANT) as zarinpal:
        settings.ZARINPAL_MERCHANT_ID = MERCHANT
        settings.ZARINPAL_BASE_URL = zarinpal.url
        portal_sign_in(page, kavenegar)
        page.locator("#portal-invoices").get_by_role("link", name="پرداخت آنلاین").click()
        expect(page.get_by_text("۴۰٬۰۰۰٬۰۰۰")).to_be_visible()
        page.get_by_role("button", name="پرداخت آنلاین").click()
        expect(page).to_have_url(re.compile(r"/pg/StartPay/"))
        page.get_by_role("button", name="پرداخت", exact=True).click()
        expect(page.get_by_text("انجام و ثبت شد")).to_be_visible()
        page.screenshot(path=screenshots / "money-paid-online.png", full_page=True)
    invoice.refresh_from_db()
    assert invoice.payment_status == Invoice.PaymentStatus.PAID
    assert Receipt.objects.filter(method="online").get().amount == 40_000_000

    # The statement: every line, and nothing left to pay.
    page.goto("/portal/statement/")
    expect(page.get_by_text("مانده حساب شما")).to_contain_text("۰")
    pdf = page.request.get("/portal/statement/?format=pdf").body()
    assert pdf[:4] == b"%PDF"
    text = subprocess.run(  # noqa: S603 - poppler's pdftotext
        [shutil.which("pdftotext") or "pdftotext", "-", "-"], input=pdf, capture_output=True,
        check=True,
    ).stdout.decode()  # fmt: skip
    # pdftotext wraps runs in bidi marks and drops the half-space (ZWNJ).
    text = re.sub("[\u200c\u202a-\u202e]", "", text)
    for amount in ("۹۰٬۰۰۰٬۰۰۰", "۴۰٬۰۰۰٬۰۰۰", "۳۰٬۰۰۰٬۰۰۰", "۲۰٬۰۰۰٬۰۰۰"):
        assert amount in text
    assert "برگشت چک" in text and "بیحساب" in text
    (screenshots / "money-statement.pdf").write_bytes(pdf)
    subprocess.run(  # noqa: S603 - poppler's pdftoppm: the statement as an image
        [shutil.which("pdftoppm") or "pdftoppm", "-png", "-r", "80", "-singlefile",
         str(screenshots / "money-statement.pdf"), str(screenshots / "money-statement")],
        check=True,
    )  # fmt: skip


def test_a_customer_pays_one_instalment_from_the_portal_on_a_phone(
    page, live_server, rep, kavenegar, screenshots, settings
):
    customer = ContactFactory(owner=rep, name="فروشگاه نور", phones=["+989121234567"])
    PortalAccess.objects.create(contact=customer, enabled=True)
    first_due = timezone.localdate() + datetime.timedelta(days=31)
    plan = InstalmentPlan(count=3, first_due=first_due, down_payment=10_000_000)
    invoice = issue_invoice(customer, rep, 40_000_000, plan=plan)
    with FakeZarinPal(merchant_id=MERCHANT) as zarinpal:
        settings.ZARINPAL_MERCHANT_ID = MERCHANT
        settings.ZARINPAL_BASE_URL = zarinpal.url
        page.set_viewport_size({"width": 390, "height": 844})
        portal_sign_in(page, kavenegar)
        invoices = page.locator("#portal-invoices")
        expect(invoices.get_by_role("link", name="پرداخت آنلاین")).to_have_count(5)
        page.screenshot(path=screenshots / "portal-instalments.png", full_page=True)
        invoices.get_by_role("link", name="پرداخت آنلاین قسط ۲").click()
        # The pay page opens with that instalment chosen, and fits a phone's width.
        expect(page.get_by_role("radio", name=re.compile("^قسط ۲ "))).to_be_checked()
        expect(page.get_by_role("radio", name=re.compile("^همه مانده فاکتور"))).not_to_be_checked()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=screenshots / "money-pay-instalment.png", full_page=True)
        page.get_by_role("button", name="پرداخت آنلاین").click()
        expect(page).to_have_url(re.compile(r"/pg/StartPay/"))
        page.get_by_role("button", name="پرداخت", exact=True).click()
        expect(page.get_by_text("انجام و ثبت شد")).to_contain_text("قسط ۲ فاکتور")
    parts = Entry.objects.filter(invoice=invoice).order_by("due_date", "id")
    assert [part.open_amount for part in parts] == [10_000_000, 0, 10_000_000, 10_000_000]
    invoice.refresh_from_db()
    assert invoice.payment_status == Invoice.PaymentStatus.PARTLY_PAID
