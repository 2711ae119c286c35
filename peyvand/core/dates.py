"""Dates for a Persian-first CRM: Jalali conversion, parsing of typed dates, display in
the Jalali, Gregorian or Hijri calendar, and the form fields that use the date picker.

This is the only module that converts or formats dates; templates, forms and the API all
come through here so that every screen agrees on 1403/12/30.

Storage is always Gregorian (``date`` / aware ``datetime`` in UTC); the calendars are a
matter of input and display only.
"""

import functools
import re
from datetime import date, datetime, time, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

import jdatetime
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from hijridate import Gregorian, Hijri

from peyvand.core.display import current_preferences
from peyvand.core.text import to_latin_digits, to_persian_digits

CALENDARS = ("jalali", "gregorian", "hijri")
DIGITS = ("fa", "latin")
STYLES = ("short", "long", "full")

JALALI_MONTHS = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
GREGORIAN_MONTHS = (
    "ژانویه",
    "فوریه",
    "مارس",
    "آوریل",
    "مه",
    "ژوئن",
    "ژوئیه",
    "اوت",
    "سپتامبر",
    "اکتبر",
    "نوامبر",
    "دسامبر",
)
HIJRI_MONTHS = (
    "محرم",
    "صفر",
    "ربیع\u200cالاول",
    "ربیع\u200cالثانی",
    "جمادی\u200cالاول",
    "جمادی\u200cالثانی",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذی\u200cالقعده",
    "ذی\u200cالحجه",
)
# The Iranian week starts on Saturday; index 0 is شنبه (jdatetime's weekday() agrees).
WEEKDAYS = (
    "شنبه",
    "یکشنبه",
    "دوشنبه",
    "سه\u200cشنبه",
    "چهارشنبه",
    "پنجشنبه",
    "جمعه",
)

# Typed years outside this range are almost always typos (a Gregorian year, a missing
# digit), so they are refused rather than silently stored centuries away.
MIN_JALALI_YEAR = 1300
MAX_JALALI_YEAR = 1500

TEHRAN = "Asia/Tehran"

# Copy-pasted dates often carry bidi marks or zero-width characters that are invisible in
# the input box; they are dropped before parsing. The Arabic decimal separator (U+066B) is
# what some Persian keyboards type for ".".
_INPUT_CLEANUP = {
    **dict.fromkeys([*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]),
    0x061C: None,  # Arabic letter mark
    0xFEFF: None,
    0x066B: ".",
    # Arabic yeh and kaf, as Arabic keyboards type «دیروز» and month names.
    0x064A: "ی",
    0x0643: "ک",
}

# re.ASCII: after to_latin_digits only ASCII digits are accepted, so no other script's
# digits slip through ``\d``. Whitespace has been collapsed to single spaces beforehand.
_DATE_PATTERN = (
    r"(?P<year>\d{1,9}) ?(?P<sep>[/.\-]) ?(?P<month>\d{1,2}) ?(?P=sep) ?(?P<day>\d{1,2})"
)
_TIME_PATTERN = r"(?P<hour>\d{1,2}) ?: ?(?P<minute>\d{2})(?: ?: ?(?P<second>\d{2}))?"
_DATE_RE = re.compile(_DATE_PATTERN, re.ASCII)
_DATETIME_RE = re.compile(rf"{_DATE_PATTERN}(?: |T){_TIME_PATTERN}", re.ASCII)

_DATE_EXAMPLE = "1403/01/15"
_DATETIME_EXAMPLE = "1403/01/15 09:30"
_EXAMPLE_DAY = date(2024, 4, 3)  # 1403/01/15, 1445/09/24 ق


def _fa(text: object) -> str:
    return to_persian_digits(str(text))


def _normalise_input(value: str) -> str:
    text = to_latin_digits(value).translate(_INPUT_CLEANUP)
    return " ".join(text.split())


def days_in_jalali_month(year: int, month: int) -> int:
    if month == 12:
        return 30 if jdatetime.date(year, 1, 1).isleap() else 29
    return jdatetime.j_days_in_month[month - 1]


def to_jalali(d: date) -> jdatetime.date:
    """The Jalali date of a Gregorian date."""
    return jdatetime.date.fromgregorian(year=d.year, month=d.month, day=d.day)


def from_jalali(year: int, month: int, day: int) -> date:
    """The Gregorian date of a Jalali date; ValidationError (in Persian) if it does not
    exist or the year is outside 1300–1500."""
    _refuse_missing(year, month, day, "jalali", named=False)
    return jdatetime.date(year, month, day).togregorian()


def jalali_today() -> jdatetime.date:
    """Today in the active time zone (Asia/Tehran by default), as a Jalali date."""
    return to_jalali(timezone.localdate())


# --- Any of the three calendars -------------------------------------------------------
#
# Hijri is the Umm al-Qura calendar (hijridate); Iran's official lunar date may be a day
# later now and then, so Hijri is a personal choice for typing and reading dates, never
# a business rule (holidays, fiscal years and numbering stay on the official calendar).

CALENDAR_NAMES = {"jalali": "شمسی", "gregorian": "میلادی", "hijri": "قمری"}

# Typed years outside these ranges are refused rather than stored centuries away: for
# Jalali they are typos; for Gregorian the same span (1921–2121) — and a Jalali year
# typed by habit (1405) is caught; for Hijri, what the Umm al-Qura tables cover.
YEAR_RANGES = {
    "jalali": (MIN_JALALI_YEAR, MAX_JALALI_YEAR),
    "gregorian": (1921, 2121),
    "hijri": (1343, 1500),
}


def _check_calendar(calendar: str) -> None:
    if calendar not in CALENDARS:
        raise ValueError(f"calendar must be one of {CALENDARS}, not {calendar!r}")


def to_calendar(d: date, calendar: str) -> tuple[int, int, int]:
    """(year, month, day) of ``d`` in ``calendar``. A date outside the Hijri tables
    (before 1924 or after 2077) raises ValueError for Hijri."""
    _check_calendar(calendar)
    if calendar == "gregorian":
        return d.year, d.month, d.day
    if calendar == "hijri":
        try:
            h = Gregorian(d.year, d.month, d.day).to_hijri()
        except OverflowError as error:
            raise ValueError(str(error)) from error
        return h.year, h.month, h.day
    j = to_jalali(d)
    return j.year, j.month, j.day


def month_names(calendar: str) -> tuple[str, ...]:
    _check_calendar(calendar)
    return {"jalali": JALALI_MONTHS, "gregorian": GREGORIAN_MONTHS, "hijri": HIJRI_MONTHS}[calendar]


def days_in_month(year: int, month: int, calendar: str) -> int:
    """Days of a month of ``calendar`` (the year must be in the calendar's range)."""
    _check_calendar(calendar)
    if calendar == "jalali":
        return days_in_jalali_month(year, month)
    if calendar == "gregorian":
        following = date(year + month // 12, month % 12 + 1, 1)
        return (following - date(year, month, 1)).days
    return Hijri(year, month, 1).month_length()


def _refuse_missing(year: int, month: int, day: int, calendar: str, *, named: bool) -> None:
    """A Persian ValidationError for a year out of the calendar's range, a month that is
    not 1–12 or a day the month does not have; ``named`` says the calendar's name in it
    (Jalali, the calendar people assume, is not named)."""
    name = f"{CALENDAR_NAMES[calendar]} " if named else ""
    low, high = YEAR_RANGES[calendar]
    if not low <= year <= high:
        raise ValidationError(
            f"سال {name}باید بین {_fa(low)} و {_fa(high)} باشد.", code="year_range"
        )
    if not 1 <= month <= 12:
        raise ValidationError("ماه باید بین ۱ و ۱۲ باشد.", code="invalid_month")
    days = days_in_month(year, month, calendar)
    if not 1 <= day <= days:
        typed = _fa(f"{year:04d}/{month:02d}/{day:02d}")
        raise ValidationError(
            f"تاریخ {name}{typed} وجود ندارد: {month_names(calendar)[month - 1]} "
            f"{_fa(year)}، {_fa(days)} روز دارد.",
            code="invalid_day",
        )


def from_calendar(year: int, month: int, day: int, calendar: str) -> date:
    """The Gregorian date of a date of ``calendar``; ValidationError (in Persian, naming
    the calendar) if it does not exist or the year is out of range."""
    _check_calendar(calendar)
    if calendar == "jalali":
        return from_jalali(year, month, day)
    _refuse_missing(year, month, day, calendar, named=True)
    if calendar == "gregorian":
        return date(year, month, day)
    # hijridate's Gregorian is a date subclass; a plain date is what the rest expects.
    g = Hijri(year, month, day).to_gregorian()
    return date(g.year, g.month, g.day)


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    """The (year, month) ``by`` months after (or before) a month of any calendar: all
    three have twelve months a year."""
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def _display_calendar(d: date, calendar: str) -> str:
    # A Hijri user's date outside the Umm al-Qura tables is shown (and its month
    # counted) in Jalali, as format_date does, rather than failing the page.
    if calendar == "hijri":
        try:
            to_calendar(d, "hijri")
        except ValueError:
            return "jalali"
    return calendar


def month_bounds(d: date, calendar: str) -> tuple[date, date]:
    """First and last day of the month of ``calendar`` that ``d`` is in."""
    calendar = _display_calendar(d, calendar)
    year, month, day = to_calendar(d, calendar)
    first = d - timedelta(days=day - 1)
    return first, first + timedelta(days=days_in_month(year, month, calendar) - 1)


def month_range(year: int, month: int, calendar: str) -> tuple[date, date]:
    """First and last day of a month of ``calendar``, as Gregorian dates."""
    first = from_calendar(year, month, 1, calendar)
    return first, first + timedelta(days=days_in_month(year, month, calendar) - 1)


def year_bounds(d: date, calendar: str) -> tuple[date, date]:
    """First and last day of the year of ``calendar`` that ``d`` is in."""
    calendar = _display_calendar(d, calendar)
    year = to_calendar(d, calendar)[0]
    return month_range(year, 1, calendar)[0], month_range(year, 12, calendar)[1]


def hijri_months_script() -> str:
    """static/peyvand/js/hijri-months.js: the Umm al-Qura month lengths hijridate uses,
    for the browser's date picker, so that a day picked there is the day the server
    reads (browsers' own islamic-umalqura calendars disagree with it on some months).
    A test holds the file to this; after a hijridate upgrade, regenerate it with
    ``python -c "from peyvand.core.dates import hijri_months_script as s; print(s(), end='')"
    > static/peyvand/js/hijri-months.js``."""
    low, high = YEAR_RANGES["hijri"]
    first = Hijri(low, 1, 1).to_gregorian()
    # A digit a month: its length less 28 (hijridate's oldest years have 28-day months).
    years = [
        "".join(str(Hijri(year, month, 1).month_length() - 28) for month in range(1, 13))
        for year in range(low, high + 1)
    ]
    rows = ",\n".join(f'    "{year}"' for year in years)
    return (
        "// Generated from hijridate by peyvand.core.dates.hijri_months_script; do not edit.\n"
        "// Umm al-Qura: one string a year, one digit a month, its days less 28.\n"
        "window.peyvandHijriMonths = {\n"
        f"  firstYear: {low},\n"
        f"  firstDay: [{first.year}, {first.month}, {first.day}],\n"
        f"  years: [\n{rows}\n  ]\n"
        "};\n"
    )


def calendar_example(calendar: str, with_time: bool = False) -> str:
    """A sample date as the user types it in ``calendar``, Persian digits: the same day
    (15 Farvardin 1403, 2024-04-03) in each calendar, «۱۴۰۳/۰۱/۱۵»."""
    text = format_date(_EXAMPLE_DAY, calendar, "fa", "short")
    return f"{text} ۰۹:۳۰" if with_time else text


# The oldest living person was born about 120 years ago: a birthday before that is a
# typing slip (1304 for 1404, a Gregorian year read as Jalali).
OLDEST_AGE_YEARS = 130


def validate_birthday(value: date) -> None:
    """A birthday is in the past, within a human lifetime."""
    today = timezone.localdate()
    if value > today:
        raise ValidationError("تاریخ تولد نمی‌تواند در آینده باشد.", code="future_birthday")
    if value.year < today.year - OLDEST_AGE_YEARS:
        raise ValidationError(
            f"تاریخ تولد باید در {_fa(OLDEST_AGE_YEARS)} سال گذشته باشد؛ سال را درست بنویسید.",
            code="ancient_birthday",
        )


def parse_jalali_date(value: str) -> date:
    """Parse a typed Jalali date such as «۱۴۰۳/۱۲/۳۰», "1403-1-5" or "١٤٠٣.١٢.٣٠"
    (year first, four-digit year) into a Gregorian ``date``."""
    match = _DATE_RE.fullmatch(_normalise_input(value))
    if match is None:
        raise ValidationError(
            f"تاریخ را به شکل {_fa(_DATE_EXAMPLE)} وارد کنید.", code="invalid_format"
        )
    return from_jalali(int(match["year"]), int(match["month"]), int(match["day"]))


def parse_jalali_datetime(value: str) -> datetime:
    """Parse a typed Jalali date and time such as «۱۴۰۳/۱۲/۳۰ ۱۴:۳۰» (seconds optional)
    into an aware datetime in Asia/Tehran."""
    match = _DATETIME_RE.fullmatch(_normalise_input(value))
    if match is None:
        raise ValidationError(
            f"تاریخ و ساعت را به شکل {_fa(_DATETIME_EXAMPLE)} وارد کنید.",
            code="invalid_format",
        )
    day = from_jalali(int(match["year"]), int(match["month"]), int(match["day"]))
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValidationError("ساعت باید بین ۰۰:۰۰ و ۲۳:۵۹ باشد.", code="invalid_time")
    # Tehran has had no DST since 2022; for older wall-clock times that fell in a DST
    # gap or overlap zoneinfo picks the first reading (fold=0), which is good enough here.
    return datetime.combine(day, time(hour, minute, second), tzinfo=ZoneInfo(TEHRAN))


# Words typed instead of a date, in every date field and every calendar. Zero-width
# non-joiners are dropped before matching («پس‌فردا» → «پسفردا»).
_SHORTCUT_DAYS = {"امروز": 0, "فردا": 1, "دیروز": -1, "پسفردا": 2, "پس فردا": 2}
# «+۳»: three working days from today (holidays and weekly days off skipped).
_WORKING_DAYS_RE = re.compile(r"\+ ?(\d{1,3})|(\d{1,3}) ?\+", re.ASCII)
_NAMED_RE = re.compile(r"(?P<day>\d{1,2}) (?P<month>\D+?) (?P<year>\d{1,9})(?: ?ق)?", re.ASCII)
SHORTCUTS_HINT = "«امروز»، «فردا»، «دیروز» یا «+۳» (سه روز کاری بعد) هم پذیرفته است"


def _month_key(name: str) -> str:
    return name.replace("\u200c", "").replace(" ", "")


def _shortcut(text: str, today: date | None) -> date | None:
    today = today or timezone.localdate()
    if text in _SHORTCUT_DAYS:
        return today + timedelta(days=_SHORTCUT_DAYS[text])
    match = _WORKING_DAYS_RE.fullmatch(text)
    if match:
        # Imported here: workdays reads the holiday tables from core.models.
        from peyvand.core.workdays import add_working_days

        return add_working_days(today, int(match[1] or match[2]))
    return None


def _parse_day(text: str, calendar: str, today: date | None) -> date | None:
    """A normalised date text in ``calendar``, or None if it is not one."""
    shortcut = _shortcut(text, today)
    if shortcut is not None:
        return shortcut
    match = _DATE_RE.fullmatch(text)
    if match is not None:
        return from_calendar(int(match["year"]), int(match["month"]), int(match["day"]), calendar)
    match = _NAMED_RE.fullmatch(text)
    if match is not None:
        months = [_month_key(name) for name in month_names(calendar)]
        key = _month_key(match["month"])
        if key in months:
            return from_calendar(
                int(match["year"]), months.index(key) + 1, int(match["day"]), calendar
            )
    return None


def parse_date(value: str, calendar: str = "jalali", *, today: date | None = None) -> date:
    """A date typed in ``calendar`` — «۱۴۰۵/۰۹/۱۵», «۲۰۲۶-۱۲-۰۶», «۲۶ جمادی‌الثانی ۱۴۴۸»,
    any digits — or a shortcut («امروز»، «فردا»، «دیروز»، «+۳» working days), as a
    Gregorian ``date``. ValidationError in Persian naming the calendar otherwise."""
    _check_calendar(calendar)
    day = _parse_day(_normalise_input(value), calendar, today)
    if day is None:
        raise ValidationError(
            f"تاریخ {CALENDAR_NAMES[calendar]} را به شکل {calendar_example(calendar)} "
            f"بنویسید؛ {SHORTCUTS_HINT}.",
            code="invalid_format",
        )
    return day


_TRAILING_TIME_RE = re.compile(rf"(?P<day>.+?)(?: |T){_TIME_PATTERN}", re.ASCII)


def parse_datetime(value: str, calendar: str = "jalali", *, today: date | None = None) -> datetime:
    """A date and time typed in ``calendar`` («۱۴۰۵/۰۹/۱۵ ۱۴:۳۰», «فردا ۹:۳۰»), as an
    aware datetime in Asia/Tehran."""
    _check_calendar(calendar)
    match = _TRAILING_TIME_RE.fullmatch(_normalise_input(value))
    day = _parse_day(match["day"], calendar, today) if match else None
    if day is None:
        raise ValidationError(
            f"تاریخ {CALENDAR_NAMES[calendar]} و ساعت را به شکل "
            f"{calendar_example(calendar, with_time=True)} بنویسید؛ «فردا ۰۹:۳۰» هم "
            "پذیرفته است.",
            code="invalid_format",
        )
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValidationError("ساعت باید بین ۰۰:۰۰ و ۲۳:۵۹ باشد.", code="invalid_time")
    return datetime.combine(day, time(hour, minute, second), tzinfo=ZoneInfo(TEHRAN))


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, not {value!r}")


def _local(value: datetime) -> datetime:
    # Naive datetimes are taken to be local wall-clock time already.
    return timezone.localtime(value) if timezone.is_aware(value) else value


@functools.lru_cache(maxsize=8192)
def _calendar_parts(d: date, calendar: str) -> tuple[int, int, int, str, str]:
    """(year, month, day, month name, era suffix) of ``d`` in ``calendar``."""
    if calendar == "gregorian":
        return d.year, d.month, d.day, GREGORIAN_MONTHS[d.month - 1], ""
    if calendar == "hijri":
        # hijridate implements Umm al-Qura (Saudi). Iran's official lunar date may be 0–1
        # day later; Hijri is an optional display calendar only, never used for input or
        # business rules (holidays come from the official Iranian calendar).
        try:
            h = Gregorian(d.year, d.month, d.day).to_hijri()
        except (OverflowError, ValueError):
            # Umm al-Qura tables cover 1924-08-01 … 2077-11-16 only; show Jalali rather
            # than failing a whole page over one date.
            pass
        else:
            return h.year, h.month, h.day, HIJRI_MONTHS[h.month - 1], " ق"
    j = to_jalali(d)
    return j.year, j.month, j.day, JALALI_MONTHS[j.month - 1], ""


def calendar_parts(d: date, calendar: str) -> tuple[int, int, int, str]:
    """(year, month, day, month name) of ``d`` as the user reads it in ``calendar`` (a
    date beyond the Hijri tables in Jalali, as format_date shows it)."""
    _check_calendar(calendar)
    year, month, day, month_name, _suffix = _calendar_parts(d, calendar)
    return year, month, day, month_name


def format_date(
    value: date | datetime | None,
    calendar: str = "jalali",
    digits: str = "fa",
    style: str = "short",
) -> str:
    """A date for display: short «۱۴۰۳/۱۲/۳۰», long «۳۰ اسفند ۱۴۰۳» or full
    «پنجشنبه ۳۰ اسفند ۱۴۰۳». Aware datetimes are shown in local time; None gives ""."""
    if value is None:
        return ""
    _check_choice("calendar", calendar, CALENDARS)
    _check_choice("digits", digits, DIGITS)
    _check_choice("style", style, STYLES)
    d = _local(value).date() if isinstance(value, datetime) else value
    year, month, day, month_name, suffix = _calendar_parts(d, calendar)
    if style == "short":
        text = f"{year:04d}/{month:02d}/{day:02d}"
    else:
        text = f"{day} {month_name} {year}{suffix}"
        if style == "full":
            # date.weekday() is Monday=0; WEEKDAYS starts on Saturday.
            text = f"{WEEKDAYS[(d.weekday() + 2) % 7]} {text}"
    return text if digits == "latin" else to_persian_digits(text)


def format_time(value: datetime | time | None, digits: str = "fa") -> str:
    """«۱۴:۳۰»; aware datetimes are shown in local time; None gives ""."""
    if value is None:
        return ""
    _check_choice("digits", digits, DIGITS)
    if isinstance(value, datetime):
        value = _local(value)
    text = f"{value.hour:02d}:{value.minute:02d}"
    return text if digits == "latin" else to_persian_digits(text)


def format_datetime(value: datetime | None, calendar: str = "jalali", digits: str = "fa") -> str:
    """Short date and time, «۱۴۰۳/۱۲/۳۰ ۱۴:۳۰»; a plain date gives the date alone."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return format_date(value, calendar, digits)
    value = _local(value)
    return f"{format_date(value, calendar, digits)} {format_time(value, digits)}"


def user_calendar() -> str:
    """The calendar of the person being served (core.display resolves the site
    default); Jalali outside a request."""
    return current_preferences().calendar


class _CalendarInputField(forms.Field):
    """A date (and time) typed or picked in the user's calendar — Jalali, Gregorian or
    Hijri, read per request — or, with ``calendar=``, always in that one. Stored values
    are Gregorian; only what is typed and shown changes."""

    widget = forms.TextInput
    # Attributes for the date pickers: static/peyvand/js/app.js binds the Jalali picker
    # (@majidh1/jalalidatepicker) or our Gregorian/Hijri one to input[data-jdp] by the
    # input's data-calendar. dir=ltr because "1403/12/30" typed in an RTL box jumps
    # around as digits are entered.
    input_attrs: ClassVar[dict[str, str]] = {}
    # The placeholder, with {example} a date in the field's calendar.
    placeholder_template = "{example}"
    with_time = False

    def __init__(self, *, calendar: str | None = None, **kwargs) -> None:
        if calendar is not None:
            _check_calendar(calendar)
        self.calendar = calendar
        super().__init__(**kwargs)

    @property
    def input_calendar(self) -> str:
        return self.calendar or user_calendar()

    def widget_attrs(self, widget: forms.Widget) -> dict[str, str]:
        attrs = super().widget_attrs(widget)
        # Lazy: a form class is built once, but each request has its own calendar.
        defaults = {
            **self.input_attrs,
            "data-calendar": lazy(lambda: self.input_calendar, str)(),
            "placeholder": lazy(
                lambda: self.placeholder_template.format(
                    example=calendar_example(self.input_calendar, self.with_time)
                ),
                str,
            )(),
        }
        # Attributes given explicitly on a custom widget win over the defaults.
        attrs.update({k: v for k, v in defaults.items() if k not in widget.attrs})
        return attrs


# The old name: every date field of every form is one of these two.
_JalaliInputField = _CalendarInputField


class JalaliDateField(_CalendarInputField):
    """A date typed (or picked) in the user's calendar — the name is historical — or a
    shortcut («امروز»، «فردا»، «دیروز»، «+۳» working days), cleaned to a Gregorian
    ``date``."""

    input_attrs: ClassVar[dict[str, str]] = {
        "data-jdp": "",
        # Keeps the picker date-only even where it is started with time: true globally.
        "data-jdp-only-date": "",
        "autocomplete": "off",
        "dir": "ltr",
    }

    def to_python(self, value: object) -> date | None:
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return _local(value).date()
        if isinstance(value, date):
            return value
        return parse_date(str(value), self.input_calendar)

    def prepare_value(self, value: object) -> object:
        # Dates are shown in the field's calendar (Latin digits: the Jalali picker reads
        # them; the page's digit rule shows them Persian). Strings are what the user
        # typed and are shown back untouched after a validation error.
        if isinstance(value, date):
            return format_date(value, self.input_calendar, "latin", "short")
        return value


CalendarDateField = JalaliDateField


class JalaliDateTimeField(_CalendarInputField):
    """A date and time typed in the user's calendar («۱۴۰۵/۰۹/۱۵ ۱۴:۳۰», «فردا ۹:۳۰»),
    cleaned to an aware ``datetime`` in Asia/Tehran."""

    input_attrs: ClassVar[dict[str, str]] = {
        "data-jdp": "",
        "autocomplete": "off",
        "dir": "ltr",
    }
    with_time = True

    def to_python(self, value: object) -> datetime | None:
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        return parse_datetime(str(value), self.input_calendar)

    def prepare_value(self, value: object) -> object:
        if isinstance(value, datetime):
            return format_datetime(value, self.input_calendar, "latin")
        return value

    def has_changed(self, initial: object, data: object) -> bool:
        # The input shows minutes only, so the initial value is compared as it was shown:
        # seconds the user never saw are no change.
        if self.disabled:
            return False
        try:
            return self.to_python(self.prepare_value(initial)) != self.to_python(data)
        except ValidationError:
            return True


CalendarDateTimeField = JalaliDateTimeField


_TIME_RE = re.compile(_TIME_PATTERN, re.ASCII)


class TimeOfDayField(forms.Field):
    """A time of day typed as «۱۴:۳۰» or 14:30 (Persian, Arabic or Latin digits)."""

    widget = forms.TextInput(
        attrs={"dir": "ltr", "inputmode": "numeric", "autocomplete": "off", "placeholder": "09:30"}
    )

    def to_python(self, value: object) -> time | None:
        if isinstance(value, time):
            return value
        text = _normalise_input(str(value or ""))
        if not text:
            return None
        match = _TIME_RE.fullmatch(text)
        if match is None:
            raise ValidationError("ساعت را به شکل ۰۹:۳۰ وارد کنید.", code="invalid_format")
        hour, minute = int(match["hour"]), int(match["minute"])
        if hour > 23 or minute > 59:
            raise ValidationError("ساعت باید بین ۰۰:۰۰ و ۲۳:۵۹ باشد.", code="invalid_time")
        return time(hour, minute)

    def prepare_value(self, value: object) -> object:
        return f"{value.hour:02d}:{value.minute:02d}" if isinstance(value, time) else value
