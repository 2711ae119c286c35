"""Every registered list exports what the user sees under its filters: Excel (right to
left, numbers numeric, a Jalali text and a real date per date), CSV and a PDF."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from peyvand.accounts.roles import SUPPORT
from peyvand.activities.models import Call
from peyvand.core.background_exports import exporters
from peyvand.lookups.models import Urgency
from peyvand.service import services
from peyvand.service.models import Complaint, Request
from tests.factories import ContactFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


def sheet_of(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.active


def test_every_list_downloads_as_excel_csv_and_pdf(client, personas):
    LeadFactory(owner=personas.owner, title="خرید یخچال")
    client.force_login(personas.manager)
    for kind in exporters:
        for file_format in ("xlsx", "csv", "pdf"):
            response = client.get(reverse("core:list_export", args=[kind, file_format]))
            assert response.status_code == 200, (kind, file_format)
            if response.streaming:
                b"".join(response.streaming_content)  # read to its end: the file closes
    assert client.get(reverse("core:list_export", args=["leads", "doc"])).status_code == 404


def test_the_lead_export_is_the_lists_rows_with_its_filters(client, personas):
    LeadFactory(owner=personas.owner, title="خرید یخچال", stars=3, expected_value=5_000_000)
    LeadFactory(owner=personas.owner, title="خرید کولر", stars=1)
    LeadFactory(owner=personas.outsider, title="خرید دیگران", stars=3)  # not the owner's
    client.force_login(personas.owner)
    url = reverse("core:list_export", args=["leads", "xlsx"])
    sheet = sheet_of(client.get(url, {"stars": 3}))
    assert sheet.sheet_view.rightToLeft
    header = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert [row["موضوع"] for row in rows] == ["خرید یخچال"]
    assert rows[0]["درجه اهمیت"] == 3 and rows[0]["مبلغ پیش‌بینی (ریال)"] == 5_000_000
    registered = rows[0]["تاریخ ثبت (میلادی)"]
    assert isinstance(registered, datetime.datetime | datetime.date)
    assert rows[0]["تاریخ ثبت"].startswith("14")  # the Jalali text
    pdf = client.get(reverse("core:list_export", args=["leads", "pdf"]), {"stars": 3})
    assert pdf.content.startswith(b"%PDF")


def test_request_and_complaint_exports_keep_the_lists_view(client, db):
    agent = UserFactory(role=SUPPORT)
    other = UserFactory(role=SUPPORT)
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    for assignee in (agent, other):
        services.request_register(
            request=Request(description=f"برای {assignee}", urgency=urgency, assignee=assignee),
            by=agent,
        )
    services.complaint_register(
        complaint=Complaint(
            contact=ContactFactory(owner=agent), description="تأخیر", officer=agent
        ),
        by=agent,
    )
    client.force_login(agent)
    # «کارتابل من» and «ارسالی‌های من» are the list's presets: the export takes them.
    inbox = sheet_of(
        client.get(reverse("core:list_export", args=["requests", "xlsx"]), {"assignee": "me"})
    )
    assert inbox.max_row == 2  # assigned to the agent: one
    sent = sheet_of(
        client.get(reverse("core:list_export", args=["requests", "xlsx"]), {"creator": "me"})
    )
    assert sent.max_row == 3  # registered by the agent: both
    complaints = sheet_of(client.get(reverse("core:list_export", args=["complaints", "xlsx"])))
    header = [cell.value for cell in complaints[1]]
    assert complaints.cell(2, header.index("شرح شکایت") + 1).value == "تأخیر"
    client.force_login(other)
    refused = client.get(reverse("core:list_export", args=["leads", "xlsx"]))
    assert refused.status_code == 403  # support has no leads


def test_a_list_export_neutralises_formulas_but_keeps_phone_numbers(client, personas):
    formula = '=HYPERLINK("http://x","a")'
    Call.objects.create(
        owner=personas.owner, kind="outgoing", number="+989121234567", notes=formula
    )
    client.force_login(personas.owner)
    text = b"".join(
        client.get(reverse("core:list_export", args=["calls", "csv"])).streaming_content
    ).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    assert row[header.index("یادداشت")] == "'" + formula
    assert row[header.index("شماره")] == "+989121234567"
    sheet = sheet_of(client.get(reverse("core:list_export", args=["calls", "xlsx"])))
    header = [cell.value for cell in sheet[1]]
    notes, number = (sheet.cell(2, header.index(label) + 1) for label in ("یادداشت", "شماره"))
    assert (notes.value, notes.data_type, notes.quotePrefix) == (formula, "s", True)
    assert (number.value, number.quotePrefix) == ("+989121234567", False)
