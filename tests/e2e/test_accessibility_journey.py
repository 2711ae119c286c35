"""Every main page, as the role that works on it, with the demo's records: axe-core finds
no critical or serious violation at a laptop's width (1366×768) nor a phone's (390×844),
and at the phone's width nothing scrolls sideways. Then the keyboard: Tab from the top of
a page lands on the skip link, and Enter on it puts focus in the page's content.

The demo is seeded once, then one browser context per role, each page
visited once and checked at both widths (the viewport is resized, not the page
reloaded)."""

import io
import re
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from peyvand.accounts.models import Team, User
from peyvand.activities.models import Call, Event, Task
from peyvand.automation.models import Form, Rule, WebhookSubscription
from peyvand.contacts.models import Contact, PhoneBookEntry
from peyvand.finance.models import Cheque, Receipt
from peyvand.messaging.models import Message
from peyvand.portal.models import PortalAccess
from peyvand.sales.models import Invoice, Lead, Quote
from peyvand.service.models import Complaint, Request
from peyvand.surveys.models import Project
from tests.e2e.axe import accessibility_problems
from tests.e2e.conftest import PASSWORD, TIMEOUT_MS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def first_visible(model, user, **lookups):
    record = model.objects.visible_to(user).filter(**lookups).order_by("pk").first()
    assert record is not None, f"the demo has no {model.__name__} that {user} sees"
    return record


def sales_pages(user) -> list[tuple[str, str]]:
    contact = first_visible(Contact, user)
    lead = first_visible(Lead, user)
    quote = first_visible(Quote, user)
    task = first_visible(Task, user)
    event = first_visible(Event, user, owner=user)
    call = first_visible(Call, user)
    return [
        ("خانه", reverse("core:home")),
        ("فهرست مخاطبین", reverse("contacts:list")),
        ("پرونده مخاطب", contact.get_absolute_url()),
        ("ویرایش مخاطب", reverse("contacts:edit", args=[contact.pk])),
        ("مخاطب تازه", reverse("contacts:create")),
        ("فهرست سرنخ‌ها", reverse("sales:lead_list")),
        ("تابلوی سرنخ‌ها", reverse("sales:lead_board")),
        ("سرنخ", lead.get_absolute_url()),
        ("ویرایش سرنخ", reverse("sales:lead_edit", args=[lead.pk])),
        ("پیگیری‌های امروز", reverse("sales:followup_due")),
        ("فهرست پیش‌فاکتورها", reverse("sales:quote_list")),
        ("پیش‌فاکتور", quote.get_absolute_url()),
        ("ویرایش پیش‌فاکتور", reverse("sales:quote_edit", args=[quote.pk])),
        ("کارها", reverse("activities:task_list")),
        ("ویرایش کار", task.get_absolute_url()),
        ("کار تازه", reverse("activities:task_create")),
        ("تقویم", reverse("activities:calendar")),
        ("رویدادها", reverse("activities:event_list")),
        ("ویرایش رویداد", event.get_absolute_url()),
        ("تماس‌ها", reverse("activities:call_list")),
        ("تماس", call.get_absolute_url()),
        ("ثبت تماس", reverse("activities:call_create")),
        ("اعلان‌ها", reverse("activities:notification_list")),
        ("ترجیحات", reverse("accounts:preferences")),
    ]


def support_pages(user) -> list[tuple[str, str]]:
    request = first_visible(Request, user)
    complaint = first_visible(Complaint, user)
    entry = first_visible(PhoneBookEntry, user)
    return [
        ("خانه", reverse("core:home")),
        ("درخواست‌های رسیده", reverse("service:request_inbox")),
        ("همه درخواست‌ها", reverse("service:request_all")),
        ("درخواست", request.get_absolute_url()),
        ("ویرایش درخواست", reverse("service:request_edit", args=[request.pk])),
        ("درخواست تازه", reverse("service:request_create")),
        ("شکایت‌ها", reverse("service:complaint_list")),
        ("شکایت", complaint.get_absolute_url()),
        ("ویرایش شکایت", reverse("service:complaint_edit", args=[complaint.pk])),
        ("دفترچه تلفن", reverse("phonebook:list")),
        ("شماره دفترچه تلفن", entry.get_absolute_url()),
    ]


def finance_pages(user) -> list[tuple[str, str]]:
    invoice = first_visible(Invoice, user)
    receipt = first_visible(Receipt, user)
    cheque = first_visible(Cheque, user)
    return [
        ("خانه", reverse("core:home")),
        ("فاکتورها", reverse("sales:invoice_list")),
        ("فاکتور", invoice.get_absolute_url()),
        ("دریافت‌ها و پرداخت‌ها", reverse("finance:receipt_list")),
        ("دریافت", receipt.get_absolute_url()),
        ("دریافت تازه", reverse("finance:receipt_create", args=["in"])),
        ("چک‌ها", reverse("finance:cheque_list")),
        ("چک", cheque.get_absolute_url()),
        ("حساب مشتری", reverse("finance:account", args=[invoice.contact_id])),
    ]


def manager_pages(user) -> list[tuple[str, str]]:
    project = first_visible(Project, user)
    message = first_visible(Message, user)
    entry = first_visible(PhoneBookEntry, user)
    other = User.objects.exclude(pk=user.pk).order_by("pk").first()
    team = Team.objects.order_by("pk").first()
    role = user.groups.order_by("pk").first()
    webhook = WebhookSubscription.objects.order_by("pk").first()
    rule = Rule.objects.filter(key="").order_by("pk").first()
    designed = Form.objects.order_by("pk").first()
    return [
        ("خانه", reverse("core:home")),
        ("داشبورد", reverse("reports:dashboard")),
        ("گزارش‌ها", reverse("reports:index")),
        ("گزارش", reverse("reports:show", args=["followups"])),
        ("پروژه‌ها", reverse("surveys:project_list")),
        ("پروژه", project.get_absolute_url()),
        ("ویرایش پروژه", reverse("surveys:project_edit", args=[project.pk])),
        ("پرسشنامه‌ها", reverse("surveys:questionnaire_list")),
        ("ویرایش شماره دفترچه تلفن", reverse("phonebook:edit", args=[entry.pk])),
        ("پیام‌ها", reverse("messaging:list")),
        ("پیام", message.get_absolute_url()),
        ("ارسال گروهی", reverse("messaging:broadcast_list")),
        ("تنظیمات", reverse("core:site_settings")),
        ("تعطیلات", reverse("core:holidays")),
        ("شماره‌گذاری", reverse("core:sequence_list")),
        ("فهرست‌های پایه", reverse("lookups:index")),
        ("فیلدهای سفارشی", reverse("customfields:list")),
        ("کاربران", reverse("accounts:user_list")),
        ("ویرایش کاربر", reverse("accounts:user_edit", args=[other.pk])),
        ("نقش‌ها", reverse("accounts:role_list")),
        ("ویرایش نقش", reverse("accounts:role_edit", args=[role.pk])),
        ("تیم‌ها", reverse("accounts:team_list")),
        ("ویرایش تیم", reverse("accounts:team_edit", args=[team.pk])),
        ("کالاها و خدمات", reverse("sales:product_list")),
        ("تنظیمات مالی", reverse("finance:settings")),
        ("تنظیمات پیامک و ایمیل", reverse("messaging:settings")),
        ("سامانه پیامک", reverse("messaging:sms_settings")),
        ("سرور ایمیل", reverse("messaging:smtp_settings")),
        ("صندوق‌های ایمیل", reverse("messaging:mailbox_list")),
        ("صندوق ایمیل تازه", reverse("messaging:mailbox_create")),
        ("ربات بله", reverse("messaging:bale_settings")),
        ("وب‌هوک‌ها", reverse("automation:webhook_list")),
        ("وب‌هوک", reverse("automation:webhook_detail", args=[webhook.pk])),
        ("وب‌هوک تازه", reverse("automation:webhook_create")),
        ("فرم‌ها", reverse("automation:form_list")),
        ("فرم", reverse("automation:form_detail", args=[designed.pk])),
        ("تنظیمات فرم", reverse("automation:form_edit", args=[designed.pk])),
        ("فیلد تازه", reverse("automation:field_create", args=[designed.pk])),
        ("ارسال‌های فرم", reverse("automation:submission_list", args=[designed.pk])),
        ("فرم عمومی", reverse("form_public", args=[designed.key])),
        ("قانون‌های خودکار", reverse("automation:rule_list")),
        ("قانون خودکار", reverse("automation:rule_detail", args=[rule.pk])),
        ("قانون تازه", reverse("automation:rule_new")),
        ("قانون تازه برای سرنخ‌ها", reverse("automation:rule_create", args=["leads"])),
        ("ویرایش قانون", reverse("automation:rule_edit", args=[rule.pk])),
        ("تنظیمات پشتیبانی", reverse("service:settings")),
        ("سامانه مودیان", reverse("tax:settings")),
        ("سطل بازیافت", reverse("core:trash")),
        ("ترجیحات", reverse("accounts:preferences")),
    ]


ROLES = {
    "sales": sales_pages,
    "support": support_pages,
    "finance": finance_pages,
    "manager": manager_pages,
}


def new_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=LAPTOP, locale="fa-IR", timezone_id="Asia/Tehran"
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def walk(page, pages: list[tuple[str, str]]) -> list[str]:
    """Visits each page, checks it at both widths; what failed, page by page."""
    problems = []
    for name, path in pages:
        page.set_viewport_size(LAPTOP)
        response = page.goto(path)
        assert response is not None and response.ok, f"«{name}» ({path}): {response.status}"
        page.wait_for_load_state("load")
        problems.append(accessibility_problems(page, name))
        page.set_viewport_size(PHONE)
        problems.append(accessibility_problems(page, name))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"«{name}» ({path}): {width}px wide at {PHONE['width']}px")
    return [problem for problem in problems if problem]


def anonymous_problems(browser, live_server) -> list[str]:
    """The pages before signing in: the staff's login and the customer's tracking page."""
    page = new_page(browser, live_server)
    try:
        return walk(
            page,
            [("ورود", reverse("accounts:login")), ("پیگیری با کد", reverse("service:track"))],
        )
    finally:
        page.context.close()


def staff_problems(browser, live_server, role: str) -> list[str]:
    user = User.objects.get(username=role)
    page = new_page(browser, live_server)
    try:
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/")
        return walk(page, ROLES[role](user))
    finally:
        page.context.close()


def portal_problems(browser, live_server) -> list[str]:
    """The customer signs in with the demo's portal mobile and the code texted to it."""
    access = PortalAccess.objects.select_related("contact").get()
    mobile = access.contact.phones.get(number__startswith="+98912123").number
    national = "0" + mobile.removeprefix("+98")
    page = new_page(browser, live_server)
    try:
        page.goto(reverse("portal:login"))
        problems = walk(page, [("ورود به پرتال", reverse("portal:login"))])
        page.locator("#id_mobile").fill(national)
        page.locator("form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/portal/login/code/$"))
        problems += walk(page, [("کد ورود پرتال", reverse("portal:code"))])
        body = Message.objects.filter(to__in=[mobile, national]).latest("created_at").body
        page.locator("#id_code").fill(re.search(r"\d{6}", body).group())
        page.locator("form button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}{reverse('portal:home')}")
        links = page.locator("main a[href^='/portal/']").evaluate_all(
            "links => links.map((a) => [a.textContent.trim(), a.getAttribute('href')])"
        )
        pages = [("پرتال مشتریان", reverse("portal:home"))]
        seen = {reverse("portal:home")}
        for text, href in links:
            if href not in seen and not href.endswith("/pdf/"):
                seen.add(href)
                pages.append((f"پرتال: {text}", href))
        assert len(pages) > 3, pages
        return problems + walk(page, pages)
    finally:
        page.context.close()


# The rows the migrations write (lookup lists, grades, trees, the settings row, VAT
# rates) and the demo needs; an earlier transactional test's flush removed them. Each
# loader is idempotent. (serialized_rollback did not bring them back beside live_server.)
MIGRATION_DATA = [
    ("peyvand.lookups.migrations.0002_defaults", "load_defaults"),
    ("peyvand.lookups.migrations.0004_default_grades", "load"),
    ("peyvand.contacts.migrations.0003_seed_trees", "seed"),
    ("peyvand.core.migrations.0003_site_settings_row", "create_row"),
    ("peyvand.sales.migrations.0001_initial", "seed_vat_rates"),
]


@pytest.mark.rendering
def test_every_main_page_passes_axe_at_both_widths(transactional_db, browser, live_server):
    for module, loader in MIGRATION_DATA:
        getattr(import_module(module), loader)(django_apps, None)
    call_command("seed_demo", stdout=io.StringIO())
    problems = anonymous_problems(browser, live_server)
    for role in ROLES:
        problems += staff_problems(browser, live_server, role)
    problems += portal_problems(browser, live_server)
    assert not problems, "\n\n".join(problems)


def tab_to(page, locator, most: int = 12) -> None:
    """Presses Tab until ``locator`` has the focus (a keyboard user's way there)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{most} Tabs never reached {locator}")


def test_the_keyboard_skips_to_the_content_and_opens_the_menus(page, log_in, rep):
    log_in(rep)
    page.goto(reverse("contacts:list"))

    # The first Tab from the top of the page shows the skip link; Enter puts the focus
    # in the content, and the next Tab goes on from there.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="پرش به محتوا")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    main = page.get_by_role("main")
    expect(main).to_be_focused()
    page.keyboard.press("Tab")
    in_main = "main => main.contains(document.activeElement) && main !== document.activeElement"
    assert main.evaluate(in_main)

    # The user menu: reached with Tab, opened with Enter, closed with Escape.
    page.goto(reverse("contacts:list"))
    user_menu = page.locator("#user-menu")
    tab_to(page, user_menu)
    page.keyboard.press("Enter")
    preferences = page.get_by_role("link", name="ترجیحات")
    expect(preferences).to_be_visible()
    page.keyboard.press("Escape")
    expect(preferences).to_be_hidden()
    expect(user_menu).to_be_focused()

    # On a phone the main menu folds behind a button: Enter opens it, Escape closes it.
    page.set_viewport_size(PHONE)
    page.goto(reverse("contacts:list"))
    menu_button = page.get_by_role("button", name="منو", exact=True)
    tab_to(page, menu_button)
    page.keyboard.press("Enter")
    menu = page.get_by_role("navigation", name="منوی اصلی")
    expect(menu).to_be_visible()
    expect(page.locator("#sidebar")).to_be_focused()  # once open, the keys are the menu's
    expect(menu.get_by_role("link", name="مخاطبین")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()


def test_the_axe_check_fails_a_page_and_says_what_and_where(page):
    """The check above can fail: a nameless icon button and pale grey text are named by
    rule, impact and element, under the page's Persian name."""
    page.set_content(
        '<html lang="fa" dir="rtl"><head><title>آزمایش</title></head><body><main>'
        '<h1>آزمایش</h1><button id="bare"><svg width="16" height="16"></svg></button>'
        '<p id="pale" style="color:#bbb">متن کم‌رنگ</p></main></body></html>'
    )
    problems = accessibility_problems(page, "صفحه آزمایشی")
    assert problems is not None
    assert "«صفحه آزمایشی»" in problems
    assert "[critical] button-name" in problems and "#bare" in problems
    assert "[serious] color-contrast" in problems and "#pale" in problems
