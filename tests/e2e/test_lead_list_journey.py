"""Issue 25's journey on the lead list in a real browser: a sales rep sorts by the next
follow-up, keeps their own three-star leads past their follow-up («من», «گذشته», ★★★),
reads the footer's expected amounts, hides a column, saves the view «سرنخ‌های سه‌ستاره‌ی
عقب‌افتاده‌ی تیم من», opens it again from «نماها», and exports it: the Excel file holds
exactly the filtered rows, in the page's order."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.excel import column, download_excel
from tests.factories import LeadFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEW = "سرنخ‌های سه‌ستاره‌ی عقب‌افتاده‌ی تیم من"


def test_a_rep_filters_sorts_saves_and_exports_the_lead_list(page, log_in, rep, screenshots):
    teammate = UserFactory(username="hamkar", first_name="سارا", last_name="کاظمی")
    TeamFactory(name="فروش تهران").members.add(rep, teammate)
    now = timezone.now()
    hours = datetime.timedelta(hours=1)

    def lead(stars=3, **fields):
        return LeadFactory(owner=rep, stars=stars, **fields)

    recent = lead(title="قرارداد نگهداری", next_at=now - 3 * hours, expected_value=30_000_000)
    oldest = lead(title="خط تولید", next_at=now - 48 * hours, expected_value=12_000_000)
    future = lead(title="یخچال صنعتی", next_at=now + 24 * hours, expected_value=99_000_000)
    one_star = lead(title="سرنخ کم‌اهمیت", next_at=now - 5 * hours, stars=1)
    theirs = lead(title="سرنخ همکار", responsible=teammate, next_at=now - 4 * hours)
    log_in(rep)

    page.goto("/sales/leads/")
    expect(page.locator("tbody tr")).to_have_count(5)
    # Sorted by the next follow-up, soonest first.
    page.get_by_role("link", name="پیگیری بعدی").click()
    expect(page).to_have_url(re.compile("sort=next"))
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("پیگیری بعدی")
    # «من» and «گذشته» apply as soon as they are picked; the stars fold under «بیشتر».
    page.locator("#filter-responsible").select_option(label="من")
    expect(page).to_have_url(re.compile("responsible=me"))
    page.locator("select[name=due_period]").select_option(label="گذشته (سررسیدشده)")
    expect(page).to_have_url(re.compile("due_period=overdue"))
    page.get_by_text("فیلترهای بیشتر").click()
    page.locator("#filter-stars").select_option(label="★★★")
    expect(page).to_have_url(re.compile("stars=3"))
    expect(page.get_by_text("پرسنل مسئول: من")).to_be_visible()  # the chips
    expect(page.get_by_text("درجه اهمیت: ★★★")).to_be_visible()
    codes = page.locator("tbody tr td:nth-child(2) a")  # after the tick box
    # Read back in Latin digits, without the isolates that keep each code left to right.
    latin = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789", "\u2066\u2069")
    expect(codes).to_have_count(2)
    assert [text.translate(latin) for text in codes.all_inner_texts()] == [
        oldest.code,
        recent.code,
    ]
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("پیگیری بعدی")
    # Both past their follow-up: red, and said in words.
    expect(page.locator("tbody tr.table-danger")).to_have_count(2)
    # The footer: the filtered leads and their expected amounts.
    expect(page.locator("#list-totals")).to_contain_text("۲ سرنخ")
    expect(page.locator("#list-totals")).to_contain_text("۴۲٬۰۰۰٬۰۰۰")
    page.screenshot(path=screenshots / "lists-leads-filtered.png", full_page=True)

    # The region column hidden: gone from the table, the filters kept.
    headings = page.locator("thead th").count()
    page.get_by_role("button", name="ستون‌ها").click()
    page.get_by_label("منطقه", exact=True).uncheck()
    page.get_by_role("button", name="ذخیره ستون‌ها").click()
    expect(page.locator("thead th")).to_have_count(headings - 1)
    expect(page.locator("thead")).not_to_contain_text("منطقه")
    expect(page.locator("tbody tr")).to_have_count(2)

    # Saved under a name, then opened again from the menu after leaving the filters.
    page.get_by_role("button", name="نماها").click()
    page.locator("#leads-view-name").fill(VIEW)
    page.get_by_role("button", name="ذخیره نما").click()
    expect(page.get_by_text("ذخیره شد")).to_be_visible()
    page.goto("/sales/leads/")
    expect(page.locator("tbody tr")).to_have_count(5)
    page.get_by_role("button", name="نماها").click()
    page.get_by_role("link", name=VIEW).click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("پیگیری بعدی")
    expect(page.locator("#list-totals")).to_contain_text("۴۲٬۰۰۰٬۰۰۰")

    # The export holds exactly the filtered rows, in the page's order.
    exported = column(*download_excel(page), "کد")
    assert exported == [oldest.code, recent.code]
    for other in (future, one_star, theirs):
        assert other.code not in exported

    # At a phone's width the page does not scroll sideways: the table scrolls in its box.
    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    expect(page.locator("tbody tr")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
