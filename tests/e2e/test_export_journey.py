"""A large export in a real browser: the manager filters the contact list, starts «اکسل
در پس‌زمینه», watches the progress bar while the worker writes the file, and downloads
it when the page offers it."""

import pytest
from playwright.sync_api import expect

from peyvand.core.models import ExportJob
from tests.e2e.excel import download_excel
from tests.factories import ContactFactory
from tests.messaging.fixtures import run_worker

# PostgreSQL: the page polls beside the worker's writes (see conftest on SQLite).
pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_filtered_contact_list_exports_in_the_background(
    page, live_server, log_in, manager, screenshots
):
    for number in range(3):
        ContactFactory(owner=manager, name=f"کریمی {number}")
    ContactFactory(owner=manager, name="احمدی")
    log_in(manager)
    page.goto("/contacts/")
    page.locator("#filter-q").fill("کریمی")
    expect(page.locator("#contact-results tbody tr")).to_have_count(3)
    page.get_by_role("button", name="اکسل در پس‌زمینه").click()
    expect(page.get_by_role("heading", name="خروجی اکسل مخاطبین")).to_be_visible()
    expect(page.get_by_text("در صف")).to_be_visible()
    assert "q=%DA%A9" in ExportJob.objects.get().params  # the typed «کریمی», as filtered
    run_worker()
    link = page.get_by_role("link", name="دریافت فایل")
    expect(link).to_be_visible()  # the page asked again and found it done
    expect(page.get_by_role("progressbar")).to_contain_text("۱۰۰")
    page.screenshot(path=screenshots / "background-export.png", full_page=True)
    _, rows = download_excel(page, link)
    assert sorted(row[1] for row in rows) == [
        "کریمی 0",
        "کریمی 1",
        "کریمی 2",
    ]
