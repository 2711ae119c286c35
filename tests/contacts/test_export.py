import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from peyvand.contacts.models import Region
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel needs the BOM to read Persian
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_csv_holds_the_filtered_visible_contacts_only(client, personas):
    kashan = Region.objects.get(name="کاشان")
    ContactFactory(owner=personas.owner, name="فرش کاشان", region=kashan, phones=["+989123456789"])
    ContactFactory(
        owner=personas.owner, name="نساجی یزد", region=Region.objects.get(name="یزد", depth=1)
    )
    ContactFactory(owner=personas.outsider, name="کاشان پنهان", region=kashan)
    client.force_login(personas.owner)
    isfahan = Region.objects.get(name="اصفهان", depth=0)
    rows = csv_rows(client.get(reverse("contacts:export", args=["csv"]), {"region": isfahan.pk}))
    header, *data = rows
    assert header[:2] == ["کد", "نام"] and "تاریخ ثبت (میلادی)" in header
    assert [row[1] for row in data] == ["فرش کاشان"]
    assert data[0][header.index("تلفن همراه")] == "0912 345 6789"


def test_the_excel_file_is_right_to_left_with_numbers_and_dates_as_such(client, personas):
    ContactFactory(owner=personas.owner, name="مشتری اعتباری", credit_limit=125_000_000)
    client.force_login(personas.owner)
    response = client.get(reverse("contacts:export", args=["xlsx"]))
    assert response["Content-Disposition"].startswith("attachment")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet.sheet_view.rightToLeft
    header = [cell.value for cell in sheet[1]]
    row = [cell.value for cell in sheet[2]]
    assert row[header.index("نام")] == "مشتری اعتباری"
    assert row[header.index("سقف اعتبار (ریال)")] == 125_000_000  # a number, not text
    assert row[header.index("تاریخ ثبت (میلادی)")].year >= 2026  # a real date


def test_exporting_needs_the_export_permission(client, personas):
    from peyvand.accounts.roles import SUPPORT
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="helpdesk", role=SUPPORT))
    assert client.get(reverse("contacts:export", args=["csv"])).status_code == 403


def test_an_unknown_format_is_404(client, personas):
    client.force_login(personas.owner)
    assert client.get(reverse("contacts:export", args=["pdf"])).status_code == 404


FORMULA = '=HYPERLINK("http://x","a")'


def test_a_typed_formula_is_exported_as_text_but_a_number_stays(client, personas):
    """CSV injection (OWASP): a cell Excel would run as a formula is neutralised; a plain
    number, which may also start with - or +, is left as it is."""
    ContactFactory(owner=personas.owner, name=FORMULA, company="-1500")
    client.force_login(personas.owner)
    header, row = csv_rows(client.get(reverse("contacts:export", args=["csv"])))
    assert row[header.index("نام")] == "'" + FORMULA
    assert row[header.index("شرکت")] == "-1500"

    response = client.get(reverse("contacts:export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    name, company = (sheet.cell(2, header.index(label) + 1) for label in ("نام", "شرکت"))
    # Text, kept as typed, that stays text when edited in Excel (its "quote prefix").
    assert (name.value, name.data_type, name.quotePrefix) == (FORMULA, "s", True)
    assert (company.value, company.quotePrefix) == ("-1500", False)
