"""Issue 25's journey on the request list (the service family) in a real browser: a
manager opens «همه» and sees an overdue request in red, filters by text and status, sorts
by deadline, hides a column, saves the view, opens it again from «نماها» and exports
it (the Excel file holds exactly the filtered rows, in the page's order); then a field
hidden in the service settings is gone from the request page, the list and the export."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peyvand.lookups.models import Urgency
from peyvand.service import services
from peyvand.service.models import Request, ServiceSettings
from tests.e2e.excel import column, download_excel
from tests.factories import ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")


def test_a_manager_filters_sorts_saves_and_exports_the_request_list(
    page, log_in, manager, rep, screenshots
):
    normal = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 2})[0]
    nour = ContactFactory(owner=rep, name="فروشگاه نور")

    def register(by, assignee, subject, **fields):
        item = Request(assignee=assignee, subject=subject, description=f"شرح {subject}",
                       urgency=normal, contact=nour, **fields)  # fmt: skip
        return services.request_register(request=item, by=by)

    late = register(rep, rep, "چاپگر خراب")  # the rep's own: the manager is not involved
    soon = register(rep, manager, "چاپگر تازه")
    other = register(manager, rep, "نصب ویندوز")
    today = timezone.localdate()
    Request.objects.filter(pk=late.pk).update(deadline=today - datetime.timedelta(days=4))
    Request.objects.filter(pk=soon.pk).update(deadline=today + datetime.timedelta(days=9))
    log_in(manager)

    # «درخواست‌ها» opens «کارتابل من»: the same list, assigned to me.
    page.get_by_role("link", name="درخواست‌ها", exact=True).click()
    expect(page).to_have_url(re.compile("assignee=me"))
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="همه درخواست‌ها").click()
    expect(page.locator("tbody tr")).to_have_count(3)
    # Past its deadline: red for the manager too, and said in words.
    overdue = page.locator("tbody tr", has_text="چاپگر خراب")
    expect(overdue).to_have_class(re.compile("table-danger"))
    expect(overdue).to_contain_text("دیرکرد")
    expect(page.locator("tbody tr", has_text="نصب ویندوز")).not_to_have_class(
        re.compile("table-danger")
    )

    page.locator("#filter-status").select_option(label="در دست انجام")
    expect(page).to_have_url(re.compile("status=open"))
    page.locator("#filter-q").fill("چاپگر")
    page.locator("#filter-q").press("Enter")
    expect(page.get_by_text("«چاپگر»")).to_be_visible()
    page.get_by_role("link", name="مهلت").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("مهلت")
    codes = page.locator("tbody tr td:nth-child(2) a")  # after the tick box
    expect(codes).to_have_count(2)
    shown = [text.translate(LATIN) for text in codes.all_inner_texts()]
    assert shown == [late.tracking_code, soon.tracking_code]
    page.screenshot(path=screenshots / "lists-requests-filtered.png", full_page=True)

    # The urgency column hidden: gone from the table, the filters kept.
    page.get_by_role("button", name="ستون‌ها").click()
    page.get_by_role("checkbox", name="فوریت", exact=True).uncheck()
    page.get_by_role("button", name="ذخیره ستون‌ها").click()
    expect(page.locator("thead")).not_to_contain_text("فوریت")
    expect(page.locator("tbody tr")).to_have_count(2)

    page.get_by_role("button", name="نماها").click()
    page.locator("#requests-view-name").fill("چاپگرهای باز")
    page.get_by_role("button", name="ذخیره نما").click()
    expect(page.get_by_text("ذخیره شد")).to_be_visible()
    page.goto("/service/requests/all/")
    expect(page.locator("tbody tr")).to_have_count(3)
    page.get_by_role("button", name="نماها").click()
    page.get_by_role("link", name="چاپگرهای باز").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("مهلت")

    header, rows = download_excel(page)
    exported_codes = column(header, rows, "کد پیگیری")
    assert exported_codes == [late.tracking_code, soon.tracking_code]
    assert other.tracking_code not in exported_codes and "موضوع" in header

    # At a phone's width the page does not scroll sideways: the table does.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The installation does not use subjects: gone from the request's page, the list
    # (its column and the columns menu) and the export.
    settings = ServiceSettings.load()
    settings.hidden_fields = ["subject"]
    settings.save()
    page.goto(late.get_absolute_url())
    expect(page.locator("dl")).not_to_contain_text("موضوع")
    expect(page.locator("dl")).to_contain_text("شرح چاپگر خراب")
    page.goto("/service/requests/all/")
    expect(page.locator("thead")).not_to_contain_text("موضوع")
    page.get_by_role("button", name="ستون‌ها").click()
    expect(page.get_by_role("checkbox", name="موضوع", exact=True)).to_have_count(0)
    expect(page.get_by_role("checkbox", name="شرح", exact=True)).to_have_count(1)
    header, rows = download_excel(page)
    exported_codes = column(header, rows, "کد پیگیری")
    assert "موضوع" not in header and len(exported_codes) == 3
