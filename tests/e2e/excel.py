"""Downloading a list's or a report's Excel file in a browser journey and reading it back,
so that each journey asserts on its rows and not on the plumbing to get them."""

import io

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet
from playwright.sync_api import Locator, Page


def download_sheet(page: Page, link: str | Locator = "اکسل") -> Worksheet:
    """Clicks the link (by its exact name, or a locator for one whose name has a count in
    it) and returns the downloaded workbook's sheet, for a journey that checks the sheet
    itself (right to left, cell types)."""
    if isinstance(link, str):
        link = page.get_by_role("link", name=link, exact=True)
    with page.expect_download() as download:
        link.click()
    return openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active


def download_excel(page: Page, link: str | Locator = "اکسل") -> tuple[list, list[tuple]]:
    """The downloaded sheet's header and every row under it, in the file's order. Our
    exports never write a blank row, so one is a failure here rather than skipped: a
    journey that compares rows with the page's must see all of them."""
    sheet = download_sheet(page, link)
    header = [cell.value for cell in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    blank = [number for number, row in enumerate(rows, start=2) if not any(row)]
    assert not blank, f"blank rows in the export: {blank}"
    return header, rows


def column(header: list, rows: list[tuple], heading: str) -> list:
    """The non-empty values of the column under `heading`, in the rows' order."""
    at = header.index(heading)
    return [row[at] for row in rows if row[at]]
