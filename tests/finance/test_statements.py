"""The customer's statement as the customer receives it: a PDF on the letterhead, an
Excel sheet, a signed link by SMS, an email with the PDF, and the portal's own page."""

import datetime
import io
import os
import shutil
import subprocess

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.finance import selectors
from peyvand.messaging.models import Message
from peyvand.portal.models import PortalAccess
from peyvand.portal.views import SESSION_KEY
from tests.factories import ContactFactory
from tests.finance.money import issue_invoice, receive, receive_cheque

PDFTOTEXT = shutil.which("pdftotext")
MOBILE = "+989121234567"


def pdf_text(content: bytes) -> str:
    if PDFTOTEXT is None:  # poppler-utils: installed by .ci/run
        message = "pdftotext not installed (apt-get install poppler-utils)"
        if os.environ.get("PEYVAND_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message}; CI requires it")
        pytest.skip(message)
    return subprocess.run(  # noqa: S603 - poppler's pdftotext
        [PDFTOTEXT, "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def customer(personas):
    contact = ContactFactory(owner=personas.owner, name="فروشگاه نور", phones=[MOBILE])
    contact.email = "noor@example.ir"
    contact.save(update_fields=["email"])
    issue_invoice(contact, personas.owner, 48_000_000)
    receive(contact, personas.manager, 18_000_000)
    receive_cheque(contact, personas.manager, 10_000_000)
    return contact


def test_the_statement_pdf_shows_every_line_and_the_closing_balance(client, personas, customer):
    client.force_login(personas.owner)
    response = client.get(reverse("finance:statement_pdf", args=[customer.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "%D8%B5%D9%88%D8%B1%D8%AA" in response["Content-Disposition"]  # «صورت…», UTF-8
    text = pdf_text(response.content)
    assert "صورت" in text and "فروشگاه نور" in text
    for amount in ("۴۸٬۰۰۰٬۰۰۰", "۱۸٬۰۰۰٬۰۰۰", "۱۰٬۰۰۰٬۰۰۰", "۲۰٬۰۰۰٬۰۰۰"):
        assert amount in text
    assert "بدهکار" in text


def test_the_statement_sheet_keeps_numbers_numeric(client, personas, customer):
    client.force_login(personas.owner)
    response = client.get(reverse("finance:statement_xlsx", args=[customer.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("تاریخ", "تاریخ (میلادی)", "شرح")
    assert rows[1][2] == "مانده از قبل"
    assert [row[-1] for row in rows[2:]] == [48_000_000, 30_000_000, 20_000_000]


def test_the_statement_goes_by_sms_as_a_link_that_opens_without_a_login(client, personas, customer):
    client.force_login(personas.owner)
    url = reverse("finance:statement_send", args=[customer.pk, "sms"])
    form = client.get(url).context["form"]
    assert (
        client.post(url, {"to": form["to"].value(), "body": form["body"].value()}).status_code
        == 302
    )
    message = Message.objects.get(channel="sms")
    link = next(word for word in message.body.split() if "/finance/statements/" in word)
    path = link.split("testserver", 1)[1]
    client.logout()
    shared = client.get(path)
    assert shared.status_code == 200 and shared["Content-Type"] == "application/pdf"
    assert "inline" in shared["Content-Disposition"]
    assert client.get(path[:-3] + "xyz/").status_code == 404


def test_the_statement_goes_by_email_with_its_pdf(client, personas, customer):
    client.force_login(personas.owner)
    url = reverse("finance:statement_send", args=[customer.pk, "email"])
    form = client.get(url).context["form"]
    data = {
        "to": "noor@example.ir",
        "subject": form["subject"].value(),
        "body": form["body"].value(),
    }
    assert client.post(url, data).status_code == 302
    message = Message.objects.get(channel="email")
    assert message.attachments.get().name.endswith(".pdf")


def portal_sign_in(client, contact):
    session = client.session
    session[SESSION_KEY] = {
        "contact": contact.pk, "mobile": MOBILE, "at": timezone.now().isoformat(),
    }  # fmt: skip
    session.save()


def test_the_portal_shows_the_statement_only_when_access_allows(client, personas, customer):
    access = PortalAccess.objects.create(contact=customer, enabled=True)
    portal_sign_in(client, customer)
    assert client.get(reverse("portal:statement")).status_code == 404
    access.show_statement = True
    access.save()
    page = client.get(reverse("portal:statement")).content.decode()
    assert "مانده حساب شما" in page and "۲۰٬۰۰۰٬۰۰۰" in page and "بدهکار" in page
    pdf = client.get(reverse("portal:statement"), {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    # The period takes Jalali dates; an impossible one is kept and explained.
    bad = client.get(reverse("portal:statement"), {"start": "۱۴۰۵/۱۳/۰۱", "end": ""})
    assert 'value="۱۴۰۵/۱۳/۰۱"' in bad.content.decode()


# Paging: a long history is read one page at a time ------------------------------------


@pytest.fixture
def long_history(personas):
    """Eight lines this year, on four days, two of them on one day (ordered by id)."""
    contact = ContactFactory(owner=personas.owner, name="بازرگانی دیرینه")
    today = timezone.localdate()
    for days_ago, amount in ((40, 9_000_000), (30, 7_000_000), (20, 5_000_000), (10, 3_000_000)):
        day = today - datetime.timedelta(days=days_ago)
        invoice = issue_invoice(contact, personas.owner, amount)
        invoice.entries.update(date=day)
        receive(contact, personas.manager, amount // 3, date=day)
    return contact


def _whole(contact) -> list[tuple[int, int]]:
    result = selectors.statement(contact, None, None)
    return [(line.entry.pk, line.balance) for line in result.lines]


def test_every_page_of_a_statement_carries_the_balance_from_the_pages_before(long_history):
    whole = _whole(long_history)
    assert len(whole) == 8
    pages = [selectors.statement(long_history, None, None, page=n, page_size=3) for n in (1, 2, 3)]
    assert [page.pages for page in pages] == [3, 3, 3]
    assert [(line.entry.pk, line.balance) for page in pages for line in page.lines] == whole
    assert pages[0].opening == 0
    assert pages[1].opening == whole[2][1] and pages[2].opening == whole[5][1]
    assert {page.closing for page in pages} == {whole[-1][1]}
    assert whole[-1][1] == selectors.account_of(long_history).balance
    # No page asked for, or one past the end: the newest lines.
    for asked in (None, "9", "x"):
        newest = selectors.statement(long_history, None, None, page=asked, page_size=3)
        assert newest.page == 3 and [line.entry.pk for line in newest.lines] == [
            pk for pk, _balance in whole[6:]
        ]


def test_a_period_s_pages_start_from_the_balance_before_it(long_history):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=25)
    whole = _whole(long_history)
    before = whole[3][1]  # the four lines 40 and 30 days ago
    first = selectors.statement(long_history, start, today, page=1, page_size=3)
    assert (first.brought_forward, first.opening, first.pages) == (before, before, 2)
    assert [line.balance for line in first.lines] == [balance for _pk, balance in whole[4:7]]
    assert first.closing == whole[-1][1]


def test_the_account_page_shows_the_newest_page_and_pages_back_in_a_fixed_count_of_queries(
    client, personas, long_history, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peyvand.finance import views

    monkeypatch.setattr(views, "STATEMENT_PAGE_SIZE", 3)
    client.force_login(personas.owner)
    url = reverse("finance:account", args=[long_history.pk])
    page = client.get(url, {"start": "", "end": ""})
    html = page.content.decode()
    assert "صفحه ۳ از ۳" in html and "گردش‌های قدیمی‌تر" in html
    assert "گردش‌های جدیدتر" not in html
    older = client.get(url, {"start": "", "end": "", "page": "1"}).content.decode()
    assert "مانده از قبل" in older and "گردش‌های جدیدتر" in older
    assert 'href="?start=&amp;end=&amp;page=2"' in older
    counts = []
    for number in ("1", "2", "3"):
        with CaptureQueriesContext(connection) as captured:
            client.get(url, {"start": "", "end": "", "page": number})
        counts.append(len(captured))
    # Session, user, two permission reads, the team, the contact; the period's count and
    # totals (the whole history here: no sum before it), the page's lines; the account,
    # the open debts and their count and total, the site settings. A page before the last
    # adds the sum of the lines after it.
    assert counts == [13, 13, 12]
