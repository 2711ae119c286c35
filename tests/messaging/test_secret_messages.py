"""Secret messages (issue 21, point 1): a customer's portal sign-in code is for the
customer alone. Staff see that it went (to whom, when, its status, a placeholder), never
the text, on any page, export, search or API answer; no application log holds it; once the
provider has accepted it the row forgets it, while a failed attempt is still retried with
its text."""

import csv
import io
import json
import logging
import os
import re
import shutil
import subprocess

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peyvand.core.models import ExportJob
from peyvand.core.text import to_latin_digits
from peyvand.messaging import outbox
from peyvand.messaging.models import Message
from peyvand.portal.models import PortalAccess
from tests.api.test_api import auth  # noqa: F401 - the fixture
from tests.factories import ContactFactory
from tests.messaging.fixtures import run_worker

MOBILE = "+989121234567"
PLACEHOLDER = "کد ورود پرتال — متن محرمانه است"

worker_test = pytest.mark.django_db(transaction=True)


@pytest.fixture
def customer(personas):
    contact = ContactFactory(owner=personas.owner, name="علی کریمی", phones=[MOBILE])
    PortalAccess.objects.create(contact=contact, enabled=True)
    return contact


@pytest.fixture
def sms_file(settings, tmp_path):
    """The development backend, writing each SMS to a file: the demo's "provider", where
    its customer reads the code (README)."""
    settings.SMS_BACKEND = "console"
    settings.SMS_CONSOLE_FILE = str(tmp_path / "sms.log")
    return tmp_path / "sms.log"


@pytest.fixture
def browser() -> Client:
    """The customer's own browser (staff use ``client``)."""
    return Client()


def ask_for_a_code(browser: Client) -> None:
    """The customer, at the portal's sign-in page, asks for a code."""
    response = browser.post(reverse("portal:login"), {"mobile": "09121234567"})
    assert response.status_code == 302 and response.url == reverse("portal:code")


def sign_in(browser: Client, code: str) -> None:
    response = browser.post(reverse("portal:code"), {"code": code})
    assert response.status_code == 302 and response.url == reverse("portal:home")


def code_message() -> Message:
    return Message.objects.get(to=MOBILE)


def stored_code() -> str:
    """The code while the outbox still holds it (what a reader of the database would see)."""
    return re.search(r"\d{6}", code_message().body).group()


def sheet_text(content: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return "\n".join(
        " ".join(str(value) for value in row if value is not None)
        for row in sheet.iter_rows(values_only=True)
    )


def read(response) -> str:
    """What the response says, its digits folded to Latin: a page shows the code's
    digits in Persian (core.digits), and it must not show them in either."""
    assert response.status_code == 200, response
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(json.loads(content), ensure_ascii=False)
    if "spreadsheetml" in response["Content-Type"]:
        return sheet_text(content)
    return to_latin_digits(content.decode())


def what_staff_read(client, auth, persona: str, message: Message) -> dict[str, str]:  # noqa: F811
    """Every place a message's text reaches a member of staff, as that person."""
    headers = auth(persona)
    export = "core:list_export"
    return {
        "the message list": read(client.get(reverse("messaging:list"))),
        "the message's page": read(client.get(message.get_absolute_url())),
        "the contact's page": read(client.get(message.contact.get_absolute_url())),
        "the contact's history": read(
            client.get(reverse("contacts:history", args=[message.contact_id]))
        ),
        "the top-bar search": read(client.get(reverse("core:search"), {"q": "پرتال"})),
        "the API's list": read(client.get("/api/v1/messages", headers=headers)),
        "the API's message": read(client.get(f"/api/v1/messages/{message.pk}", headers=headers)),
        "the Excel export": read(client.get(reverse(export, args=["messages", "xlsx"]))),
        "the CSV export": read(client.get(reverse(export, args=["messages", "csv"]))),
    }


@pytest.mark.django_db
def test_staff_see_that_a_portal_code_went_but_never_the_code(
    client,
    browser,
    personas,
    customer,
    auth,  # noqa: F811
):
    ask_for_a_code(browser)
    message, code = code_message(), stored_code()
    assert message.status == Message.Status.QUEUED  # the text is still in the outbox

    for persona in ("owner", "teammate", "manager"):
        client.force_login(getattr(personas, persona))
        for where, text in what_staff_read(client, auth, persona, message).items():
            assert code not in text, f"{persona} reads the code in {where}"
        seen = what_staff_read(client, auth, persona, message)
        for where in ("the message list", "the message's page", "the API's message"):
            assert PLACEHOLDER in seen[where], (persona, where)
        assert MOBILE in seen["the API's message"]  # to whom, when, its status: yes
        assert json.loads(seen["the API's message"])["secret"] is True
        assert PLACEHOLDER in seen["the CSV export"] and PLACEHOLDER in seen["the Excel export"]
        # Typed in part into the search (the whole would be the search box's own echo).
        page = read(client.get(reverse("core:search"), {"q": code[:4]}))
        assert code not in page


@worker_test
def test_the_console_provider_has_the_code_the_row_and_the_log_do_not(
    browser, customer, sms_file, caplog
):
    caplog.set_level(logging.DEBUG)
    ask_for_a_code(browser)
    code = stored_code()

    run_worker()  # the real worker sends it through the development backend

    [line] = [json.loads(line) for line in sms_file.read_text().splitlines()]
    assert line["to"] == MOBILE and code in line["body"]  # the customer reads it there
    message = code_message()
    assert message.status in (Message.Status.SENT, Message.Status.DELIVERED)
    assert (message.body, message.tokens) == ("", [])  # forgotten
    assert message.sent_at is not None and message.contact == customer
    logged = [record.getMessage() for record in caplog.records]
    assert logged and not [text for text in logged if code in text]
    sign_in(browser, code)  # with the code from the "provider", as the README says


@worker_test
def test_a_code_that_failed_once_is_retried_with_its_text_then_forgotten(
    client,
    browser,
    personas,
    customer,
    kavenegar,
    auth,  # noqa: F811
):
    kavenegar.credit = 0  # the provider refuses for now: retried later (backoff)
    ask_for_a_code(browser)
    client.force_login(personas.owner)
    client.post(reverse("core:export_start", args=["messages"]))  # a background export

    run_worker()

    message = code_message()
    assert message.status == Message.Status.QUEUED and message.error_code == "418"
    code = stored_code()  # kept for the retry
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE
    exported = read(client.get(reverse("core:export_download", args=[job.pk])))
    assert PLACEHOLDER in exported and code not in exported
    page = read(client.get(message.get_absolute_url()))
    assert code not in page and "اعتبار" in page  # its error shows, its text does not

    kavenegar.credit = None  # topped up
    Message.objects.filter(pk=message.pk).update(scheduled_at=timezone.now())  # its backoff
    outbox.deliver_due()

    [sms] = kavenegar.received
    assert code in sms["body"]  # the retry sent the text
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 2
    assert (message.body, message.tokens) == ("", [])
    for text in what_staff_read(client, auth, "owner", message).values():
        assert code not in text
    sign_in(browser, code)

    # It did not reach the handset: its text is gone, so nobody can send it again (the
    # customer asks for a new code); the page says so in Persian, the API too.
    kavenegar.set_delivery(message.provider_id, 11)  # 11: not delivered
    assert outbox.poll_deliveries() == 1
    page = read(client.get(message.get_absolute_url()))
    assert PLACEHOLDER in page and reverse("messaging:retry", args=[message.pk]) not in page
    refused = client.post(reverse("messaging:retry", args=[message.pk]), follow=True)
    assert "پاک شده است و دوباره فرستاده نمی‌شود" in refused.content.decode()
    api = client.post(f"/api/v1/messages/{message.pk}/retry", headers=auth("owner"))
    assert api.status_code == 422 and "پاک شده است" in api.json()["detail"]
    message.refresh_from_db()
    assert message.status == Message.Status.UNDELIVERED and message.body == ""


@worker_test
def test_a_template_code_forgets_its_tokens_too(browser, customer, kavenegar, settings):
    settings.PORTAL_SMS_TEMPLATE = "portal-code"
    ask_for_a_code(browser)
    code = stored_code()
    assert code_message().tokens == [code]

    run_worker()

    [sms] = kavenegar.received
    assert sms["body"] == f"portal-code:{code}"  # Kavenegar's verify/lookup got the token
    message = code_message()
    assert message.status == Message.Status.SENT
    assert (message.body, message.tokens) == ("", [])


PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.django_db
def test_the_message_lists_pdf_shows_the_placeholder_not_the_code(
    client, browser, personas, customer
):
    if PDFTOTEXT is None:  # poppler-utils: installed by .ci/run
        message = "pdftotext not installed (apt-get install poppler-utils)"
        if os.environ.get("PEYVAND_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message}; CI requires it")
        pytest.skip(message)
    ask_for_a_code(browser)
    code = stored_code()
    client.force_login(personas.manager)
    pdf = client.get(reverse("core:list_export", args=["messages", "pdf"]))
    text = subprocess.run(  # noqa: S603 - poppler's pdftotext
        [PDFTOTEXT, "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    digits = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")  # the PDF prints Persian digits
    assert "پرتال" in text and code not in text.translate(digits)


@pytest.mark.django_db
def test_an_ordinary_message_shows_its_text(client, personas, customer):
    """The rule hides secrets only: a rep still reads what colleagues sent."""
    from peyvand.messaging.services import message_to_contact

    message_to_contact(
        contact=customer, channel="sms", body="سفارش شما آماده است.", by=personas.owner
    )
    client.force_login(personas.teammate)
    assert "سفارش شما آماده است." in read(client.get(reverse("messaging:list")))
    rows = list(
        csv.reader(
            io.StringIO(read(client.get(reverse("core:list_export", args=["messages", "csv"]))))
        )
    )
    assert any("سفارش شما آماده است." in row for row in rows)
