"""Issue 8's journey in a real browser: the manager opens every report for the current
Jalali quarter, reads a chart whose numbers are the table's, and exports each to Excel
(a right-to-left sheet with numeric cells) and to PDF (kept as images to look at)."""

import subprocess

import pytest
from playwright.sync_api import expect

from peyvand.accounts.roles import SALES, SUPPORT
from peyvand.reports.definitions import REPORTS
from tests.e2e.excel import download_sheet
from tests.factories import UserFactory
from tests.reports.test_reports import busy_quarter

pytestmark = pytest.mark.e2e

PDFTOPPM = "/usr/bin/pdftoppm"
PERSIAN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٫", "0123456789.", "٬")


def latin(text: str) -> str:
    return text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))


def number(text: str) -> float:
    return float(text.strip().translate(PERSIAN) or 0)


def test_the_manager_reads_and_exports_every_report_for_this_quarter(
    page, live_server, log_in, manager, screenshots
):
    rep = UserFactory(username="rep", role=SALES, first_name="رضا", last_name="رضایی")
    teammate = UserFactory(username="mate", role=SALES, first_name="سارا", last_name="نیکو")
    outsider = UserFactory(username="far", role=SALES, first_name="بهرام", last_name="دور")
    agent = UserFactory(username="agent", role=SUPPORT, first_name="کاوه", last_name="مرادی")
    busy_quarter((manager, rep, teammate, outsider, agent))

    log_in(manager)
    for report in REPORTS:
        page.goto("/")
        page.get_by_role("link", name="گزارش‌ها", exact=True).click()
        page.locator("main").get_by_role("heading", name=report.title, exact=True).click()
        if report.period:
            expect(page.locator("#id_period")).to_have_value("this_quarter")
        else:  # as of today (receivables aging): no period to choose
            expect(page.locator("#id_period")).to_have_count(0)
        expect(page.locator("#report-table")).to_be_visible()
        headers = page.locator("#report-table thead th").all_inner_texts()
        kinds = [
            th.get_attribute("data-kind") for th in page.locator("#report-table thead th").all()
        ]
        rows = [
            row.locator("td").all_inner_texts()
            for row in page.locator("#report-table tbody tr").all()
        ]
        has_rows = bool(rows) and len(rows[0]) == len(headers)
        if has_rows:
            # The table shows as soon as the HTML is read; the chart's scripts come at the
            # end of the page: wait for the chart itself (under load, Chart was not yet
            # defined when the table already was).
            page.wait_for_function("() => window.Chart && Chart.getChart('report-chart')")
            chart = page.evaluate(
                "() => { const c = Chart.getChart('report-chart');"
                " return {labels: c.data.labels, datasets: c.data.datasets.map("
                "d => ({label: d.label, data: d.data}))}; }"
            )
            for dataset in chart["datasets"]:
                if dataset["label"] in headers:
                    column = headers.index(dataset["label"])
                    table = [number(row[column]) for row in rows[: len(dataset["data"])]]
                    assert dataset["data"] == table, (report.slug, dataset["label"])
        page.screenshot(path=screenshots / f"report-{report.slug}.png", full_page=True)

        sheet = download_sheet(page)
        assert sheet.sheet_view.rightToLeft
        # A date is two columns in a sheet: the Jalali text and a real date.
        sheet_kinds = [
            k for kind in kinds for k in ([kind, "gregorian"] if kind == "date" else [kind])
        ]
        sheet_headers = [
            h for header, kind in zip(headers, kinds, strict=True)
            for h in ([header, f"{header} (میلادی)"] if kind == "date" else [header])
        ]  # fmt: skip
        # (Headers compared in Latin digits: the page shows a month's year in Persian.)
        assert [latin(cell.value) for cell in sheet[1]] == [latin(h) for h in sheet_headers]
        if has_rows:  # numbers stay numbers
            first = [cell.value for cell in sheet[2]]
            numeric = [v for v, kind in zip(first, sheet_kinds, strict=True) if kind == "number"]
            numeric = [value for value in numeric if value not in ("", None)]
            assert numeric and all(isinstance(v, int | float) for v in numeric), first

        with page.expect_download() as pdf:
            page.get_by_role("link", name="PDF").click()
        path = pdf.value.path()
        assert path.read_bytes().startswith(b"%PDF")
        # Its first page as an image, to look at (Persian shaped, right to left).
        image = screenshots / f"report-{report.slug}-pdf"
        subprocess.run(  # noqa: S603 - poppler's pdftoppm, installed by .ci/run
            [PDFTOPPM, "-png", "-r", "70", "-f", "1", "-l", "1", path, image], check=True
        )


def test_a_chart_answers_a_tap_on_a_phone(browser, live_server, manager):
    """Charts by touch (issue 27): tapping a bar on a 390 px touch screen shows its value."""
    rep = UserFactory(username="rep", role=SALES, first_name="رضا", last_name="رضایی")
    busy_quarter((manager, rep, rep, rep, UserFactory(username="agent", role=SUPPORT)))
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        locale="fa-IR",
        timezone_id="Asia/Tehran",
    )
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(manager.username)
        page.locator("#id_password").fill("peyvand-demo")
        page.locator("form button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/")
        page.goto("/reports/leads/")  # leads by status: bars
        page.wait_for_function("() => window.Chart && Chart.getChart('report-chart')")
        canvas = page.locator("#report-chart")
        canvas.scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        bar = page.evaluate(
            "() => { const c = Chart.getChart('report-chart');"
            " const meta = c.getDatasetMeta(0);"
            " const i = meta.data.findIndex((b, n) => c.data.datasets[0].data[n] > 0);"
            " const b = meta.data[i]; return {x: b.x, y: (b.y + b.base) / 2, i: i}; }"
        )
        box = canvas.bounding_box()
        page.touchscreen.tap(box["x"] + bar["x"], box["y"] + bar["y"])
        page.wait_for_function(
            "() => Chart.getChart('report-chart').tooltip.getActiveElements().length > 0"
        )
        shown = page.evaluate(
            "() => Chart.getChart('report-chart').tooltip.getActiveElements()[0].index"
        )
        assert shown == bar["i"]
    finally:
        context.close()
