import datetime
import decimal
import io

import openpyxl
from python_calamine import CalamineWorkbook

from peyvand.core.xlsx import SheetWriter, column_letter

HEADERS = [f"ستون {n}" for n in range(30)]  # past Z: AA, AB…


def written(rows: list[list], title="مخاطبین") -> bytes:
    output = io.BytesIO()
    with SheetWriter(output, title=title, headers=HEADERS[: max(len(r) for r in rows)]) as sheet:
        for row in rows:
            sheet.write_row(row)
    return output.getvalue()


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"
    ]  # fmt: skip


def test_a_sheet_reads_back_in_openpyxl_right_to_left_with_real_numbers_and_dates():
    tricky = " فروشگاه «آلفا» & <بتا>\u200c\x07 "
    content = written(
        [
            ["علی کریمی", 125_000_000, decimal.Decimal("12.5"), datetime.date(2025, 3, 21)],
            [tricky, None, "", datetime.datetime(2026, 11, 23, 9, 30), True, "0012345678"],
        ]
    )
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.title == "مخاطبین" and sheet.sheet_view.rightToLeft
    assert sheet.freeze_panes == "A2"
    header = list(sheet[1])
    assert header[0].value == "ستون ۰" and header[0].font.b  # headers read in Persian digits
    first = [cell.value for cell in sheet[2]]
    assert first[:3] == ["علی کریمی", 125_000_000, 12.5]
    assert first[3] == datetime.datetime(2025, 3, 21)
    assert sheet["B2"].number_format == "#,##0" and sheet["D2"].number_format == "yyyy\\-mm\\-dd"
    second = {cell.column_letter: cell.value for cell in sheet[3] if cell.value is not None}
    # The control character is dropped (XML cannot carry it); everything else is kept,
    # spaces and ZWNJ included; the empty cells stay empty and the rest keep their columns.
    assert second == {
        "A": " فروشگاه «آلفا» & <بتا>\u200c ",
        "D": datetime.datetime(2026, 11, 23),
        "E": True,
        "F": "0012345678",  # an identifier stays text, leading zeros and all
    }


def test_calamine_reads_the_same_cells_including_column_ab_and_many_rows():
    rows = [[f"{n}-{c}" for c in range(28)] for n in range(2000)]
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(written(rows))).get_sheet_by_index(0)
    data = sheet.to_python()
    assert len(data) == 2001 and data[0][27] == "ستون ۲۷"
    assert data[2000][27] == "1999-27" and data[1][0] == "0-0"


def test_a_sheet_name_excel_refuses_is_cleaned_and_cut_to_31_characters():
    content = written([["x"]], title="گزارش [فروش] ۱۴۰۵/۰۸: " + "الف" * 20)
    title = openpyxl.load_workbook(io.BytesIO(content)).active.title
    assert len(title) <= 31 and not set("[]:*?/\\") & set(title)


def test_text_a_spreadsheet_would_run_as_a_formula_is_marked_as_text():
    output = io.BytesIO()
    with SheetWriter(output, title="x", headers=["=1+A1", "مبلغ"]) as sheet:
        for value in ('=HYPERLINK("http://x","a")', "@SUM(A1)", "+A1", "-A1", "\t=1"):
            sheet.write_row([value, -1500])
        sheet.write_row(["-1500", "+98 21 8877-6655"])
    sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue())).active
    header = sheet["A1"]
    assert header.quotePrefix and header.font.b and header.value == "=۱+A۱"
    for row in sheet.iter_rows(min_row=2, max_row=6):
        assert row[0].data_type == "s" and row[0].quotePrefix, row[0].value
        assert row[1].value == -1500 and not row[1].quotePrefix
    assert not sheet["A7"].quotePrefix and not sheet["B7"].quotePrefix
