"""Issue 25's bulk actions in a real browser, on the lead list: a sales manager ticks two
leads (one with the keyboard) and hands them to another rep, then narrows the list to
three-star leads and hands all of them over at once with «همه نتایج فیلتر» (confirmed);
at a phone's width the action bar wraps and the page does not scroll sideways."""

import re

import pytest
from playwright.sync_api import expect

from peyvand.accounts.roles import SALES
from peyvand.sales.models import Lead
from tests.factories import LeadFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_hands_ticked_then_all_filtered_leads_to_another_rep(
    page, log_in, manager, rep, screenshots
):
    newcomer = UserFactory(username="taze", first_name="سارا", last_name="نوری", role=SALES)
    first = LeadFactory(owner=rep, title="قرارداد نگهداری", stars=1)
    second = LeadFactory(owner=rep, title="خط تولید", stars=1)
    kept = LeadFactory(owner=rep, title="یخچال صنعتی", stars=1)
    starred = [LeadFactory(owner=rep, title=f"سرنخ مهم {n}", stars=3) for n in range(3)]
    log_in(manager)

    page.goto("/sales/leads/")
    expect(page.locator("tbody tr")).to_have_count(6)
    # Two rows ticked: one by a click on its label's box, one from the keyboard.
    page.get_by_label(f"انتخاب {first.code} {first.title}".translate(PERSIAN)).check()
    box = page.get_by_label(f"انتخاب {second.code} {second.title}".translate(PERSIAN))
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.get_by_label("مسئول تازه").select_option(label=str(newcomer))
    page.get_by_role("button", name="تغییر مسئول", exact=True).click()
    expect(page.get_by_text(f"۲ سرنخ به «{newcomer}» سپرده شد.")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(6)  # back on the same list
    responsible = dict(Lead.objects.values_list("pk", "responsible_id"))
    assert responsible[first.pk] == responsible[second.pk] == newcomer.pk
    assert responsible[kept.pk] == rep.pk

    # The three-star leads, all of them, without ticking: «همه نتایج فیلتر», confirmed.
    page.get_by_text("فیلترهای بیشتر").click()
    page.locator("#filter-stars").select_option(label="★★★")
    expect(page).to_have_url(re.compile("stars=3"))
    expect(page.locator("tbody tr")).to_have_count(3)
    page.get_by_label("مسئول تازه").select_option(label=str(newcomer))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="تغییر مسئول — همه نتایج فیلتر").click()
    expect(page.get_by_text(f"۳ سرنخ به «{newcomer}» سپرده شد.")).to_be_visible()
    expect(page).to_have_url(re.compile("stars=3"))
    page.screenshot(path=screenshots / "lists-leads-bulk.png", full_page=True)
    responsible = dict(Lead.objects.values_list("pk", "responsible_id"))
    assert all(responsible[lead.pk] == newcomer.pk for lead in starred)
    assert responsible[kept.pk] == rep.pk

    # «انتخاب همه» ticks the page's rows; at a phone's width nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.get_by_label("انتخاب همه ردیف‌های این صفحه").check()
    expect(page.locator("tbody input[name=id]:checked")).to_have_count(3)
    expect(page.get_by_role("button", name="تغییر مسئول", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshots / "lists-leads-bulk-390.png", full_page=True)


PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
