"""The locale crawl (issue 26): every page the access walk knows, filled from the seeded
demo, read by every role as a person reads it — under the Jalali preference, and by the
manager (who opens every staff page) under the Gregorian and the Hijri one too.

What a person reads is the page's visible text (text nodes and the attributes shown:
placeholder, title, aria-label, alt, the value of a visible input), and the text of a
PDF (poppler's pdftotext). In it the crawl finds:

- a Latin digit (the display rule, core.digits, shows Persian digits everywhere);
- an English word (Latin letters), outside `WORDS`, the short list of names Iranian users
  read in Latin, and outside the demo's own data (a company's Latin name is the user's text);
- a date of another calendar than the reader's: a year/month/day or a day, month name and
  year whose year or month belongs to another calendar;
- a left-to-right token laid out right to left: a phone number written in groups or with
  its +, or an IBAN, outside a Unicode isolate or a `dir="ltr"`/`<bdi>` element.

Allowed, each on purpose: what `data-latin` marks (a code a person copies into another
program: a token, an API key, a paper size), URLs and e-mail addresses (typed into other
programs as they are), the API's own documentation pages (`NOT_READ`).

Run with -s for the summary (pages read per role and calendar)."""

import datetime
import functools
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.models import User
from peyvand.core.dates import format_date
from peyvand.core.digits import LRI, PDI
from peyvand.core.models import SiteSettings
from tests.test_access_walk import (
    CUSTOMER,
    PAGES,
    USERNAMES,
    Page,
    page_patterns,
    portal_sign_in,
    rolled_back,
    seeded_demo,
)

CALENDARS = ["jalali", "gregorian", "hijri"]
# poppler-utils: installed by .ci/run with Chromium (the browser tests read PDFs with it).
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"

# Not read by a person of our users: the API's documentation for integrators (Swagger UI
# over the OpenAPI schema, in English, as every integrator's tooling expects).
NOT_READ = {
    "api:openapi-json": "the API's schema, read by programs",
    "api:openapi-view": "the API's documentation page for integrators (Swagger UI)",
    "core:health": "for monitors, not people",
    "activities:ics": "a calendar feed read by calendar programs",
    "core:attachment": "a file a user attached, given back as it was uploaded",
}
# What the customer receives is dated in Jalali whatever the calendar of the staff member
# who prints or sends it (the portal and the signed-out read Jalali too, core.display):
# the official invoice layout (sales.documents.official_rendering), the statement, and the
# message a page drafts for the customer (name: the element holding it, "" the page).
FOR_CUSTOMERS = {
    "sales:quote_print": "",
    "sales:quote_pdf": "",
    "sales:quote_shared": "",
    "sales:invoice_print": "",
    "sales:invoice_pdf": "",
    "finance:statement_pdf": "",
    "finance:statement_shared": "",
    "sales:quote_send": "<textarea",
    "finance:statement_send": "<textarea",
}
# Latin names Iranian users read as they are, in any Persian software: file formats they
# choose between, the programs we tell them to open, the keys printed on their keyboards.
WORDS = frozenset(
    {
        *("PDF", "Excel", "CSV", "API", "IBAN", "PNG", "JPEG", "xlsx", "xls", "vCard", "vcf"),
        *("PEM", "Google", "Microsoft", "Authenticator", "FreeOTP", "Outlook", "Thunderbird"),
        *("Enter", "Esc", "Shift", "Ctrl", "Tab", "QR"),
        # Mail protocols, named as a mail server's settings name them.
        *("IMAP", "SMTP", "SSL", "TLS", "STARTTLS"),
    }
)

_LATIN_DIGIT = re.compile(r"[0-9]")
_URL_OR_EMAIL = re.compile(
    r"(?:https?|ftp)://\S*|www\.\S+|[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
)
_PDF_LTR_RUN = re.compile("(\u202a[^\u202a\u202c]*\u202c)")
_ISOLATED = re.compile(f"{LRI}[^{LRI}{PDI}]*{PDI}")
_D = "0-9\u06f0-\u06f9\u0660-\u0669"
# A word of Latin letters, not part of a code (C000066, L140500025, REQ-1405-0008).
_LATIN_WORD = re.compile(rf"(?<![A-Za-z{_D}\-/_])[A-Za-z]{{2,}}(?![A-Za-z{_D}\-/_])")
# A phone number in groups (0935 111 2233) or with its country code, or an IBAN; and a
# number with its + behind it, as a PDF's text reads when the number was laid out reversed.
_LTR_TOKEN = re.compile(
    rf"(?<![{_D}\w+])(?:IR[{_D}]{{2}}[ {_D}]{{20,}}"
    rf"|\+[{_D}]{{2,}}(?:[ \-]?[{_D}]+)*"
    rf"|[{_D}]{{7,}}\+"
    rf"|[{_D}]{{2,}}(?: [{_D}]{{2,}}){{2,}})(?![{_D}\w])"
)
_NUMERIC_DATE = re.compile(
    rf"(?<![{_D}/\-])([{_D}]{{4}})[/\-]([{_D}]{{1,2}})[/\-]([{_D}]{{1,2}})(?![{_D}])"
)
MONTHS = {
    "jalali": "فروردین اردیبهشت خرداد تیر مرداد شهریور مهر آبان آذر دی بهمن اسفند",
    "gregorian": "ژانویه فوریه مارس آوریل مه ژوئن ژوئیه اوت سپتامبر اکتبر نوامبر دسامبر",
    "hijri": "محرم صفر ربیع‌الاول ربیع‌الثانی جمادی‌الاول جمادی‌الثانی رجب شعبان رمضان شوال "
    "ذی‌القعده ذی‌الحجه",
}
_MONTH_OF = {month: calendar for calendar, names in MONTHS.items() for month in names.split()}
_NAMED_DATE = re.compile(
    "(?<![\\w\u200c])("
    + "|".join(sorted(map(re.escape, _MONTH_OF), key=len, reverse=True))
    + rf")\s+([{_D}]{{4}})"
)


def _year_calendar(year: int) -> str | None:
    """Which calendar a year of the crawl's dates is in. The demo's records are dated
    around today; its birthdays go decades back, where a Hijri year can be a Jalali one
    (Hijri 1401 is Jalali 1359): only a year close to today's in one calendar says which."""
    if 1900 <= year <= 2100:
        return "gregorian"
    for calendar, window in (("jalali", 1), ("hijri", 2)):
        if abs(year - _this_year(calendar, timezone.localdate())) <= window:
            return calendar
    return None


@functools.cache
def _this_year(calendar: str, today: datetime.date) -> int:
    return int(format_date(today, calendar, digits="latin")[:4])


def _number(digits: str) -> int:
    return int(digits.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")))


class VisibleText(HTMLParser):
    """The texts a person reads on a page, each with the element it is in."""

    # What the display rule leaves as it is (core.digits): code, and pre-formatted text.
    SKIPPED = frozenset(("script", "style", "template", "head", "code", "pre"))
    VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                      "meta", "source", "track", "wbr"))  # fmt: skip
    READ_ATTRS = ("placeholder", "title", "aria-label", "alt")
    VALUE_INPUTS = frozenset(("text", "search", "tel", "number", "email", "submit", "button"))

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, skipped, left-to-right)
        self.texts: list[tuple[str, str, bool]] = []  # (text, where, left-to-right)

    def _state(self) -> tuple[bool, bool]:
        return (self.stack[-1][1], self.stack[-1][2]) if self.stack else (False, False)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skipped, ltr = self._state()
        skipped = skipped or tag in self.SKIPPED or "data-latin" in attributes
        skipped = skipped or "hidden" in attributes or attributes.get("type") == "hidden"
        ltr = ltr or tag == "bdi" or (attributes.get("dir") or "").lower() == "ltr"
        if not skipped:
            where = f"<{tag}{' id=' + attributes['id'] if attributes.get('id') else ''}>"
            for name in self.READ_ATTRS:
                if attributes.get(name):
                    # Spoken, never laid out: no direction to get wrong.
                    spoken = ltr or name in ("aria-label", "alt")
                    self.texts.append((attributes[name], f"{where} {name}", spoken))
            kind = attributes.get("type") or "text"
            if tag == "input" and kind in self.VALUE_INPUTS and attributes.get("value"):
                self.texts.append((attributes["value"], f"{where} value", ltr))
        if tag not in self.VOID:
            self.stack.append((tag, skipped, ltr))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        skipped, ltr = self._state()
        if not skipped and data.strip():
            where = f"<{self.stack[-1][0]}>" if self.stack else "(top)"
            self.texts.append((data, where, ltr))


def html_texts(html: str) -> list[tuple[str, str, bool]]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts


def pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(content)
        pdf.flush()
        result = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own PDF
            [PDFTOTEXT, "-enc", "UTF-8", pdf.name, "-"], capture_output=True, check=False
        )
    assert result.returncode == 0, (content[:40], result.stderr)
    return result.stdout.decode()


def findings(text: str, calendar: str, ltr: bool, demo_words: frozenset[str]) -> list[str]:
    """What is wrong in one text a person reads under `calendar`."""
    found = []
    free = _URL_OR_EMAIL.sub(" ", text)
    if _LATIN_DIGIT.search(free):
        found.append("Latin digits")
    words = {
        word
        for word in _LATIN_WORD.findall(free)
        if word not in WORDS and word.lower() not in demo_words
    }
    if words:
        found.append(f"English words {sorted(words)}")
    for year, month, _day in _NUMERIC_DATE.findall(free):
        seen = _year_calendar(_number(year))
        if seen and seen != calendar and 1 <= _number(month) <= 12:
            found.append(f"a {seen} date")
    for month, year in _NAMED_DATE.findall(free):
        seen = _year_calendar(_number(year))
        if _MONTH_OF[month] != calendar or (seen and seen != calendar):
            found.append(f"a date «{month} {year}» not in the {calendar} calendar")
    if not ltr:
        outside = _ISOLATED.sub(" ", free)
        for token in _LTR_TOKEN.findall(outside):
            found.append(f"a left-to-right token not isolated «{token.strip()}»")
    return found


def demo_latin_words() -> frozenset[str]:
    """Latin words the demo's own records hold (names, addresses, e-mails, websites): the
    users' text, shown as they wrote it."""
    from django.apps import apps
    from django.db import models

    words: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("peyvand."):
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and f.name not in ("password", "search_key", "customer_key", "code")
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for value in row:
                if value:
                    words.update(w.lower() for w in re.findall("[A-Za-z]{2,}", value))
    return frozenset(words)


class Reader:
    """One role's browser under one calendar."""

    def __init__(self, role: str, demo, calendar: str):
        self.role = role
        self.client = Client(raise_request_exception=False)
        self.user = demo.user(role) if role in USERNAMES else None
        if self.user:
            User.objects.filter(pk=self.user.pk).update(calendar=calendar)
            self.user.refresh_from_db()
            self.client.force_login(self.user)
        elif role == CUSTOMER:
            assert portal_sign_in(self.client, demo) == []

    def resume(self):
        if self.user and not self.client.session.get("_auth_user_id"):
            self.client.force_login(self.user)


# Pages each reader reads at the least (a sign-in gone wrong reads the login page only).
MIN_PAGES = {"staff": 40, CUSTOMER: 10, "anonymous": 5}


@pytest.fixture
def demo(db, settings):
    return seeded_demo(settings)


SUMMARY: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _summary():
    yield
    if SUMMARY:
        print("\nLocale crawl:", ", ".join(f"{key}: {n} pages" for key, n in SUMMARY.items()))


def pages(demo) -> list[tuple[str, str]]:
    """(URL pattern name, URL) of every page the access walk fills, and every report in
    each of its groupings (the walk requests one report only)."""
    from peyvand.reports.definitions import REPORTS

    found = [
        (name, reverse(name, kwargs=PAGES.get(name, Page()).kwargs(demo) if arguments else {}))
        for name, _route, arguments in page_patterns()
        if name not in NOT_READ and (not arguments or (name in PAGES and PAGES[name].kwargs))
    ]
    for report in REPORTS:
        url = reverse("reports:show", args=[report.slug])
        found += [("reports:show", f"{url}?group={group}") for group in report.groups]
        found += [] if report.groups else [("reports:show", url)]
    return found


def crawl(demo, role: str, calendar: str) -> list[str]:
    SiteSettings.objects.update_or_create(pk=1, defaults={"calendar": calendar})
    demo_words = demo_latin_words()
    reader = Reader(role, demo, calendar)
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    read = 0
    for name, url in pages(demo):
        with rolled_back():
            response = reader.client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else None
        reader.resume()
        if response.status_code >= 500:
            problems.append(f"{role}/{calendar} {url} ({name}): {response.status_code}")
        if response.status_code != 200:
            continue
        SUMMARY[f"{role}/{calendar}"] += 1
        read += 1
        kind = response.get("Content-Type", "")
        if kind.startswith("text/html"):
            texts = html_texts(response.content.decode())
        elif kind.startswith("application/pdf"):
            # pdftotext marks each left-to-right run it finds laid out left to right with
            # LRE … PDF: a phone inside one reads in order (a reversed one would not be).
            texts = [
                (part, "PDF", part.startswith("\u202a"))
                for line in pdf_text(body or response.content).splitlines()
                for part in _PDF_LTR_RUN.split(line)
            ]
        else:
            continue
        customers = FOR_CUSTOMERS.get(name)
        for text, where, ltr in texts:
            jalali = customers is not None and where.startswith(customers)
            for finding in findings(text, "jalali" if jalali else calendar, ltr, demo_words):
                key = (url, finding)
                if key in seen:
                    continue
                seen.add(key)
                problems.append(
                    f"{role}/{calendar} {url} ({name}) {where}: {finding} in «{text.strip()[:120]}»"
                )
    if read < MIN_PAGES.get(role, MIN_PAGES["staff"]):
        problems.append(f"{role}/{calendar}: only {read} pages read (is the reader signed in?)")
    return problems


# Staff read their own calendar; the portal's customers and the signed-out read Jalali
# (core.display), whatever the site's default. Every role reads Jalali (what each may
# open differs); the manager, who opens every staff page, reads the other calendars too
# (a calendar changes how a page shows dates, not which pages a role reads).
READINGS = [
    *((role, "jalali") for role in USERNAMES),
    *(("manager", calendar) for calendar in CALENDARS if calendar != "jalali"),
    (CUSTOMER, "jalali"),
    ("anonymous", "jalali"),
]


# What pages show: once, on SQLite; their SQL on PostgreSQL is the access walk's, which
# opens the same pages as every role there (tests/conftest.py).
@pytest.mark.rendering
@pytest.mark.parametrize(("role", "calendar"), READINGS, ids=[f"{r}-{c}" for r, c in READINGS])
def test_locale_crawl(demo, role, calendar):
    problems = crawl(demo, role, calendar)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


# The crawl's eyes: each finds what it is for, and leaves alone what people should read.
BAD = [
    ("سرنخ L140500025 ثبت شد، ۳ مورد و 2 مورد", "jalali", "Latin digits"),
    ("ثبت quote line", "jalali", "English words ['line', 'quote']"),
    ("موعد ۲۰۲۶/۱۲/۰۴", "jalali", "a gregorian date"),
    ("موعد ۱۴۰۵/۰۹/۱۳", "gregorian", "a jalali date"),
    ("تولد ۴ آذر ۱۴۰۵", "hijri", "a date «آذر ۱۴۰۵» not in the hijri calendar"),
    (
        "تماس بی‌پاسخ از ۰۹۳۵ ۱۱۱ ۲۲۳۳",
        "jalali",
        "a left-to-right token not isolated «۰۹۳۵ ۱۱۱ ۲۲۳۳»",
    ),
    ("شماره +۹۸۹۱۲۷۷۷۶۵۴۳", "jalali", "a left-to-right token not isolated"),
    ("شماره ۹۸۹۱۲۷۷۷۶۵۴۳+", "jalali", "a left-to-right token not isolated"),  # as read from a PDF
]
GOOD = [
    ("سرنخ \u2066L۱۴۰۵۰۰۰۲۵\u2069 ثبت شد", "jalali"),
    ("تماس بی‌پاسخ از \u2066۰۹۳۵ ۱۱۱ ۲۲۳۳\u2069", "jalali"),
    ("فایل PDF یا Excel؛ نشانی https://peyvand.example/x1 و ali1@example.com", "jalali"),
    ("پیگیری بعدی ۱۴۰۵/۰۹/۱۳ ۱۵:۵۷", "jalali"),
    ("پیگیری بعدی ۲۰۲۶/۱۲/۰۴", "gregorian"),
    ("۴ محرم ۱۴۰۱ ق", "hijri"),  # a birthday decades back: its year says nothing
    ("داروخانه ۱۲ فروردین", "jalali"),
]


@pytest.mark.parametrize(("text", "calendar", "expected"), BAD)
def test_the_crawl_sees_what_is_wrong(text, calendar, expected):
    assert any(f.startswith(expected) for f in findings(text, calendar, False, frozenset()))


@pytest.mark.parametrize(("text", "calendar"), GOOD)
def test_the_crawl_leaves_right_text_alone(text, calendar):
    assert findings(text, calendar, False, frozenset()) == []


def test_the_crawl_reads_what_a_person_reads():
    html = (
        '<html><head><title>x 1</title></head><body><p title="t 2">a <b>3</b></p>'
        "<script>var x = 4;</script><code>5</code><span data-latin>A4</span>"
        '<input type="hidden" value="6"><input value="7" placeholder="8"><span hidden>9</span>'
        '<div dir="ltr">0912 345 6789</div></body></html>'
    )
    texts = html_texts(html)
    assert [text for text, _where, _ltr in texts] == ["t 2", "a ", "3", "8", "7", "0912 345 6789"]
    assert texts[-1][2] is True  # inside dir="ltr": laid out left to right already
