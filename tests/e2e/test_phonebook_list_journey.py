"""Issue 25's journey on the phone book in a real browser: a rep finds numbers by part of
a number typed in Persian digits (the results follow the typing, and each row says
where it matched), hides a column (the typed text stays), narrows to their own entries,
sorts by name the other way, saves the view, opens it again from «نماها» and exports
it: the Excel file holds exactly the filtered rows, in the page's order. A manager's
personal number never shows."""

import re

import pytest
from playwright.sync_api import expect

from peyvand.contacts import services
from peyvand.contacts.models import PhoneBookEntry
from tests.e2e.excel import column, download_excel

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_rep_finds_filters_sorts_saves_and_exports_the_phone_book(
    page, log_in, manager, rep, screenshots
):
    def add(owner, name, mobile, **fields):
        entry = PhoneBookEntry(owner=owner, name=name, mobile=mobile, **fields)
        return services.phonebook_save(entry=entry, by=owner)

    add(rep, "لوله‌کش محل", "+989125554433", phone="+982188776655")
    add(rep, "آسانسور ساختمان", "+989125551111", is_public=True, company="ساختمان نور")
    add(manager, "پیک سریع", "+989125552222", is_public=True)  # public, not the rep's
    add(rep, "برق‌کار", "+989351234567")  # another number
    add(manager, "حسابدار مدیر", "+989125553333")  # the manager's own: never the rep's
    log_in(rep)

    page.goto("/phonebook/")
    expect(page.locator("tbody tr")).to_have_count(4)
    # Part of a number in Persian digits, with its leading zero: the results follow the
    # typing (no Enter), and each row shows where it matched.
    page.locator("#filter-q").press_sequentially("۰۹۱۲۵۵۵", delay=30)
    expect(page).to_have_url(re.compile("q="))
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("tbody")).not_to_contain_text("برق‌کار")
    expect(page.locator("tbody")).not_to_contain_text("حسابدار مدیر")
    expect(page.locator("tbody tr", has_text="لوله‌کش محل").locator("mark")).to_have_text("۰۹۱۲ ۵۵۵")

    # The landline column hidden right after typing: gone from the table, and the
    # typed text kept (the menu sends the address as typing left it, not as the page
    # was first drawn).
    headings = page.locator("thead th").count()
    page.get_by_role("button", name="ستون‌ها").click()
    page.get_by_label("تلفن ثابت", exact=True).uncheck()
    page.get_by_role("button", name="ذخیره ستون‌ها").click()
    expect(page.locator("thead th")).to_have_count(headings - 1)
    expect(page.locator("thead")).not_to_contain_text("تلفن ثابت")
    expect(page.get_by_text("«۰۹۱۲۵۵۵»")).to_be_visible()  # the text's chip
    expect(page.locator("tbody tr")).to_have_count(3)

    # Only the rep's own entries (the registrar «من»): the typed text is kept.
    page.locator("#filter-owner").select_option(label="من")
    expect(page).to_have_url(re.compile("owner=me"))
    expect(page.get_by_text("«۰۹۱۲۵۵۵»")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)

    # By name, ی to آ: the current sort's heading turns it around.
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("نام")
    page.get_by_role("link", name="نام", exact=True).click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("نام")
    names = page.locator("tbody tr td:first-child a")
    expect(names).to_have_text(["لوله‌کش محل", "آسانسور ساختمان"])
    page.screenshot(path=screenshots / "lists-phonebook-filtered.png", full_page=True)

    # Saved under a name, then opened again from the menu after leaving the filters.
    page.get_by_role("button", name="نماها").click()
    page.locator("#phonebook-view-name").fill("شماره‌های ۰۹۱۲۵۵۵ من")
    page.get_by_role("button", name="ذخیره نما").click()
    expect(page.get_by_text("ذخیره شد")).to_be_visible()
    page.goto("/phonebook/")
    expect(page.locator("tbody tr")).to_have_count(4)
    page.get_by_role("button", name="نماها").click()
    page.get_by_role("link", name="شماره‌های ۰۹۱۲۵۵۵ من").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("نام")
    expect(page.locator("thead")).not_to_contain_text("تلفن ثابت")

    # The export holds exactly the filtered rows, in the page's order.
    exported = column(*download_excel(page), "نام")
    assert exported == ["لوله‌کش محل", "آسانسور ساختمان"]

    # A laptop's and a phone's width: the page itself never scrolls sideways.
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        expect(page.locator("tbody tr")).to_have_count(2)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=screenshots / f"lists-phonebook-{width}.png", full_page=True)
