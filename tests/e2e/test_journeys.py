"""The main journeys, as a user lives them in a real browser: Persian, right to left,
Jalali dates, Arabic-keyboard search, the phone-sized shell."""

import datetime
import re

import openpyxl
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from peyvand.contacts.models import Contact
from tests.factories import ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PERSIAN_DIGIT = re.compile("[۰-۹]")
ASCII_DIGIT = re.compile("[0-9]")
GREGORIAN_LATIN_DATE = re.compile(r"^20\d\d/\d\d/\d\d$")
JALALI_PERSIAN_DATE = re.compile(r"^۱۴[۰-۹]{2}/[۰-۹]{2}/[۰-۹]{2}$")
CONTACT_URL = re.compile(r"/contacts/(\d+)/$")


def menu_link(page, label: str):
    """A side-menu link by its exact visible label.

    Not get_by_role(name=…, exact=True): the menu's Bootstrap icons are not aria-hidden,
    so their private-use glyph is part of each link's accessible name (" مخاطبین").
    """
    return page.locator("#sidebar a.nav-link").filter(has_text=re.compile(rf"^\s*{label}\s*$"))


def detail_value(page, label: str):
    """The <dd> next to the <dt> with this label on a detail page."""
    return page.locator(f"dt:text-is('{label}') + dd")


def fill_new_contact(page, *, name: str, mobile: str, birthday: str) -> None:
    page.goto("/contacts/new/")
    page.locator("#id_name").fill(name)
    page.locator("#id_phones-0-number").fill(mobile)
    birthday_input = page.locator("#id_birthday")
    birthday_input.click()  # the Jalali date picker opens on focus…
    birthday_input.press_sequentially(birthday)
    birthday_input.press("Escape")
    page.locator("h1").click()  # …and closes when the user clicks elsewhere
    expect(page.locator(".calendar-picker")).to_have_count(0)
    expect(birthday_input).to_have_value(birthday)
    # The form is answered on the same address when refused: wait for the answer itself,
    # not for an address the page already has.
    with page.expect_response(lambda r: r.request.method == "POST" and "/contacts/" in r.url):
        page.get_by_role("button", name="ذخیره").click()


def test_a_manager_logs_in_and_sees_a_persian_rtl_home_page(page, log_in, manager, screenshots):
    statics: dict[str, int] = {}  # URL -> HTTP status of every static file the pages load

    def record(response) -> None:
        if "/static/" in response.url:
            statics[response.url] = response.status

    page.on("response", record)

    log_in(manager)

    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fa")
    expect(html).to_have_attribute("dir", "rtl")
    expect(menu_link(page, "مخاطبین")).to_be_visible()
    expect(page.locator("#sidebar .nav-section", has_text="مدیریت")).to_be_visible()
    expect(menu_link(page, "کاربران")).to_be_visible()

    today = page.locator("main span.text-secondary", has_text="امروز")
    expect(today).to_have_count(1)
    today_text = today.inner_text()
    assert PERSIAN_DIGIT.search(today_text), today_text
    assert not ASCII_DIGIT.search(today_text), today_text

    # Static files come from the live server: Bootstrap (RTL) and the Vazirmatn font.
    failed = {url: status for url, status in statics.items() if status >= 400}
    assert not failed, failed
    assert any(url.endswith("bootstrap.rtl.min.css") for url in statics), statics
    assert any("Vazirmatn" in url and url.endswith(".woff2") for url in statics), statics
    assert "Vazirmatn" in page.evaluate("getComputedStyle(document.body).fontFamily")
    font_statuses = page.evaluate(
        """async () => {
            await document.fonts.load("16px Vazirmatn", "پیوند");
            await document.fonts.ready;
            return [...document.fonts]
                .filter((face) => face.family.replace(/["']/g, "") === "Vazirmatn")
                .map((face) => face.status);
        }"""
    )
    assert "loaded" in font_statuses, font_statuses
    assert page.evaluate("document.fonts.check('16px Vazirmatn')")
    # Bootstrap's stylesheet is applied, not merely fetched.
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"

    page.screenshot(path=screenshots / "home.png", full_page=True)


def test_the_top_bar_search_finds_a_contact_typed_with_arabic_letters_as_you_type(
    page, log_in, rep
):
    contact = ContactFactory(owner=rep, name="علی کریمی", company="صنایع مهرگان")
    ContactFactory(owner=rep, name="زهرا محمدی")  # a contact that must not be suggested
    log_in(rep)

    search = page.locator("header.topbar form[role=search] input[name=q]")
    # Arabic ي and ك, as an Arabic keyboard layout types them.
    search.press_sequentially("علي كريمي", delay=30)

    suggestions = page.locator("#search-suggestions")
    expect(suggestions).to_contain_text("علی کریمی")
    expect(suggestions).not_to_contain_text("زهرا محمدی")
    suggestions.get_by_role("link", name=re.compile("علی کریمی")).click()

    expect(page).to_have_url(re.compile(rf"/contacts/{contact.pk}/$"))
    expect(page.locator("main h1")).to_contain_text("علی کریمی")


def test_a_rep_creates_a_contact_with_a_jalali_birthday(page, log_in, rep):
    log_in(rep)
    # A sales rep has no management section in the menu.
    expect(menu_link(page, "مخاطبین")).to_be_visible()
    expect(menu_link(page, "کاربران")).to_have_count(0)

    fill_new_contact(page, name="مریم حسینی", mobile="۰۹۱۲ ۳۴۵ ۶۷۸۹", birthday="۱۴۰۳/۱۲/۳۰")

    expect(page).to_have_url(CONTACT_URL)
    expect(page.get_by_role("alert")).to_contain_text("مریم حسینی")
    expect(page.locator("main h1")).to_contain_text("مریم حسینی")
    expect(detail_value(page, "تاریخ تولد")).to_have_text("۳۰ اسفند ۱۴۰۳")
    expect(detail_value(page, "تلفن‌ها")).to_have_text("همراه: \u2066۰۹۱۲ ۳۴۵ ۶۷۸۹\u2069")

    contact = Contact.objects.get(name="مریم حسینی")
    assert page.url.endswith(contact.get_absolute_url())
    assert contact.birthday == datetime.date(2025, 3, 20)
    assert contact.mobile == "+989123456789"
    assert contact.owner == rep


def test_an_impossible_date_is_refused_in_persian_and_the_form_keeps_what_was_typed(
    page, log_in, rep
):
    log_in(rep)

    fill_new_contact(page, name="مریم حسینی", mobile="۰۹۱۲ ۳۴۵ ۶۷۸۹", birthday="۱۴۰۴/۱۲/۳۰")

    expect(page).to_have_url(re.compile(r"/contacts/new/$"))
    expect(page.locator(".alert-danger")).to_contain_text("حفظ شده است")
    birthday = page.locator("#id_birthday")
    expect(birthday).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".invalid-feedback")).to_contain_text("وجود ندارد")
    expect(page.locator("#id_name")).to_have_value("مریم حسینی")
    expect(page.locator("#id_phones-0-number")).to_have_value("۰۹۱۲ ۳۴۵ ۶۷۸۹")
    expect(birthday).to_have_value("۱۴۰۴/۱۲/۳۰")
    assert not Contact.objects.exists()


def test_switching_to_gregorian_and_latin_digits_changes_how_dates_show(page, log_in, rep):
    ContactFactory(owner=rep, name="علی کریمی")
    log_in(rep)
    # «تاریخ ثبت», the last of the list's default columns.
    created = page.locator("#contact-results tbody tr td:last-child").first

    page.goto("/contacts/")
    expect(created).to_have_text(JALALI_PERSIAN_DATE)

    def save_preferences(calendar: str, digits: str) -> None:
        page.goto("/accounts/preferences/")
        page.get_by_label(calendar, exact=True).check()
        page.get_by_label(digits, exact=True).check()
        page.get_by_role("button", name="ذخیره").click()
        expect(page.get_by_role("alert")).to_contain_text("ترجیحات ذخیره شد")

    save_preferences("میلادی", "لاتین (انگلیسی)")
    page.goto("/contacts/")
    expect(created).to_have_text(GREGORIAN_LATIN_DATE)
    rep.refresh_from_db()
    assert (rep.calendar, rep.digits) == ("gregorian", "latin")

    save_preferences("شمسی", "فارسی (۱۲۳)")
    page.goto("/contacts/")
    expect(created).to_have_text(JALALI_PERSIAN_DATE)


def test_the_shell_works_on_a_phone_sized_screen(page, log_in, rep, screenshots):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(rep)

    sidebar = page.locator("#sidebar")
    contacts_link = menu_link(page, "مخاطبین")
    expect(contacts_link).to_be_hidden()
    # Nothing spills sideways on a narrow screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("button", name="منو", exact=True).click()
    expect(sidebar).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # transition done
    expect(contacts_link).to_be_visible()
    page.screenshot(path=screenshots / "phone.png")

    contacts_link.click()
    expect(page).to_have_url(re.compile(r"/contacts/$"))
    expect(page.locator("main h1")).to_have_text("مخاطبین")


def test_a_rep_imports_contacts_from_excel_and_sees_the_bad_row_reported(
    page, log_in, rep, tmp_path, screenshots
):
    workbook = openpyxl.Workbook()
    workbook.active.append(["نام", "موبایل"])
    for row in [
        ["سیما رادمنش", "۰۹۱۲ ۷۷۷ ۱۱۲۲"],
        ["نیما رادمنش", "0812"],
        ["کاوه راد", "9357771122"],
    ]:
        workbook.active.append(row)
    workbook.save(tmp_path / "مشتریان.xlsx")
    log_in(rep)
    page.goto("/contacts/")
    page.get_by_role("link", name="ورود از اکسل").click()
    page.locator("#id_file").set_input_files(tmp_path / "مشتریان.xlsx")
    page.get_by_role("button", name="بارگذاری و تطبیق ستون‌ها").click()
    # The upload is only stored: the worker reads the file (a zip bomb never reaches a
    # web process), then the page offers the column mapping.
    expect(page.get_by_text("در صف خواندن فایل").first).to_be_visible()
    upload_url = page.url
    page.goto("/contacts/")  # away from the polling page while the worker runs (SQLite)
    call_command("worker", batch=True, beat_interval=0, no_startup_delay=True, verbosity=0)
    page.goto(upload_url)
    expect(page.locator("#id_col_0")).to_have_value("name")
    expect(page.locator("#id_col_1")).to_have_value("mobile")
    page.get_by_role("button", name="پیش‌نمایش").click()
    expect(page.get_by_text("تلفن همراه معتبر نیست")).to_be_visible()
    assert not Contact.objects.exists()  # the preview writes nothing
    page.get_by_role("button", name="شروع ورود").click()
    expect(page.get_by_text("در صف")).to_be_visible()
    job_url = page.url
    # The page polls the job every second. SQLite's in-memory test database locks whole
    # tables between threads, so the page waits elsewhere while the worker runs here.
    page.goto("/contacts/")
    call_command("worker", batch=True, beat_interval=0, no_startup_delay=True, verbosity=0)
    page.goto(job_url)
    expect(page.get_by_text("پایان یافت")).to_be_visible()
    expect(page.get_by_role("cell", name="۳", exact=True)).to_be_visible()  # line 3
    page.screenshot(path=screenshots / "import-done.png", full_page=True)
    assert sorted(Contact.objects.values_list("name", flat=True)) == ["سیما رادمنش", "کاوه راد"]
