"""The contact list, declared once (core.lists): the page, its htmx results, its Excel,
CSV, PDF and vCard exports, the bulk owner change, messaging's «پیام به این مخاطبین» and
«افزودن به گروه ارسال», and the API's ``GET /contacts`` read the same rows through
CONTACTS. Also what other apps' lists ask of customers: the customer picker filter and
what a row found by its customer's text says about why (a row's own search key holds
its customer's: core.operations.CopyCustomerKey)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.db.models.lookups import Contains
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from peyvand.accounts.models import User
from peyvand.contacts.models import Category, Contact, PhoneBookEntry, Region
from peyvand.contacts.selectors import contact_text, phonebook_text
from peyvand.contacts.services import contacts_change_owner
from peyvand.contacts.templatetags.contact_tags import grade_badges
from peyvand.core.dates import JALALI_MONTHS
from peyvand.core.lists import (
    PAST,
    BulkAction,
    Choice,
    Column,
    DateTimeRange,
    Filter,
    ListSpec,
    MultiChoice,
    Person,
    Reading,
    Record,
    Search,
    Sort,
    Tree,
    YesNo,
    cells,
    person_form,
)
from peyvand.core.params import id_list_param
from peyvand.core.validators import format_phone_national
from peyvand.customfields.lists import CustomFieldColumns, CustomFieldFilters
from peyvand.lookups.models import AcquaintanceSource, Grade, Position

# Rows ticked at once (``?id=…``): more is «همه نتایج فیلتر», not a tick each.
MAX_TICKED = 1000


def customer_filter(label=None) -> Record:
    """``?contact=<id>``: the customer picker (it answers only customers the user sees),
    labelled «مشتری» unless the list calls them otherwise («طرف حساب»)."""
    return Record(
        name="contact",
        label=label or _("مشتری"),
        field="contact",
        model=Contact,
        url="contacts:autocomplete",
    )


# Why a row matched through its customer (core.lists Search.shown), after the row's own.
CUSTOMER_SHOWN = (
    (_("مشتری"), lambda row: row.contact.name),
    (_("شرکت"), lambda row: row.contact.company),
    (_("تلفن مشتری"), lambda row: row.contact.phones_text.split("|")),
)


# The contact list ----------------------------------------------------------------------


def _role(role: str, reading) -> Q:
    """Contacts holding ``role`` among their roles (a JSON list): containment, which
    PostgreSQL's GIN index contact_roles serves; SQLite reads the list as text."""
    if connection.features.supports_json_field_contains:
        return Q(roles__contains=[role])
    return Q(Contains(Cast("roles", output_field=TextField()), f'"{role}"'))


@dataclass(frozen=True, kw_only=True)
class Ticked(Filter):
    """``?id=…`` repeated: the rows ticked on the page (exported, messaged, handed to
    another owner). Ids outside what the user sees simply find nothing."""

    name: str = "id"
    label: str = "انتخاب‌شده‌ها"
    template = "contacts/_ticked.html"

    def read(self, params, reading: Reading) -> Any:
        return tuple(id_list_param(params, self.name)[:MAX_TICKED]) or None

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        return queryset.filter(pk__in=value)

    def chip(self, value: Any, reading: Reading) -> str:
        return f"{self.label}: {len(value)} مخاطب"

    def parameters(self) -> dict[str, tuple[Any, str]]:
        return {self.name: (list[int], "فقط این مخاطبین (شناسه؛ چند مقدار)")}


def _users(reading) -> list:
    return list(
        User.objects.filter(is_active=True)
        .only("id", "first_name", "last_name", "username")
        .order_by("first_name", "last_name", "username", "id")
    )


def _lookup(model):
    return lambda: [(str(pk), name) for pk, name in model.objects.values_list("pk", "name")]


def _name(contact) -> str:
    return mark_safe(  # noqa: S308 - the badges by format_html, the name escaped here
        f'{grade_badges(contact)}<a href="{html.escape(contact.get_absolute_url())}">'
        f"{html.escape(contact.name)}</a>"
    )


def _name_of(related: str):
    """A lookup or tree node's name (nothing when unset: no query either way)."""

    def name(row) -> str:
        return getattr(row, related).name if getattr(row, f"{related}_id") else ""

    return cells.text(name)


COLUMNS = [
    Column("code", _("کد"), cells.digits(lambda row: row.code), sort="code"),
    Column("name", _("نام"), _name, sort="name"),
    Column("kind", _("نوع"), cells.text(lambda row: row.get_kind_display())),
    Column("company", _("شرکت"), cells.text(lambda row: row.company)),
    Column("category", _("صنف"), _name_of("category")),
    Column("region", _("منطقه"), _name_of("region")),
    Column("mobile", _("تلفن همراه"), cells.phone(lambda row: row.mobile)),
    Column("source", _("نحوه آشنایی"), _name_of("source")),
    Column("owner", _("مالک"), cells.text(lambda row: row.owner)),
    Column("created", _("تاریخ ثبت"), cells.date(lambda row: row.created_at), sort="created"),
    Column("status", _("وضعیت"), cells.text(lambda row: row.get_status_display()), default=False),
    Column("grade", _("درجه"), _name_of("grade"), default=False),
    Column("roles", _("نقش‌ها"), cells.text(lambda row: "، ".join(row.get_roles_display())),
           default=False),
    Column("position", _("سمت"), _name_of("position"), default=False),
    Column("email", _("ایمیل"), cells.text(lambda row: row.email), default=False),
    Column("national_id", _("کد ملی / شناسه ملی"), cells.digits(lambda row: row.national_id),
           default=False),
    Column("birthday", _("تاریخ تولد"), cells.date(lambda row: row.birthday), default=False),
]  # fmt: skip

# What the page reads of a contact (the columns above, and ``custom`` for the custom
# fields' columns): a contact has forty columns, its search key alone is longer than the
# rest of the row, and the owner's would include a password. Whoever needs more
# (exports, the API) asks for it.
ROW_FIELDS = (
    "code", "name", "kind", "company", "mobile", "phones_text", "is_vip", "created_at",
    "status", "roles", "custom",
    "email", "national_id", "birthday", "grade__name", "grade__color", "category__name",
    "region__name", "source__name", "position__name", "owner__username",
    "owner__first_name", "owner__last_name",
)  # fmt: skip


def _base(user) -> QuerySet[Contact]:
    return (
        Contact.objects.visible_to(user)
        .select_related("category", "region", "grade", "source", "position", "owner")
        .only(*ROW_FIELDS)
    )


def _hand_over(contacts, data, user) -> int:
    return contacts_change_owner(contacts=contacts, owner=data["person"], by=user)


# Ticked contacts, or all the filtered ones, to another owner (each change in history).
HAND_OVER = BulkAction(
    key="owner",
    label=_("تغییر مالک"),
    permission="contacts.change_contact",
    apply=_hand_over,
    done=_("مالک %(count)s مخاطب به «%(person)s» تغییر کرد."),
    icon="person-check",
    form=person_form(_("مالک تازه"), "owner"),
)


CONTACTS = ListSpec(
    key="contacts",
    label=_("مخاطبین"),
    model=Contact,
    permission="contacts.view_contact",
    url_name="contacts:list",
    base=_base,
    # A list: messaging adds «گروه ارسال» after «ویژه» (core.lists.register_list_filter).
    filters=[
        Search(
            condition=lambda text, reading: contact_text(text),
            placeholder=_("نام، شرکت، کد، تلفن، ایمیل یا کد ملی"),
            # Why a row matched when the name does not show it.
            shown=[
                (_("تلفن"), lambda row: row.phones_text.split("|")),
                (_("شرکت"), lambda row: row.company),
                (_("ایمیل"), lambda row: row.email),
                (_("کد ملی"), lambda row: row.national_id),
            ],
        ),
        Tree(name="category", label=_("صنف"), field="category", model=Category),
        Tree(name="region", label=_("موقعیت جغرافیایی"), field="region", model=Region),
        Person(name="owner", label=_("مالک"), field="owner", people=_users),
        Choice(name="status", label=_("وضعیت"), field="status", choices=Contact.Status.choices),
        Choice(name="kind", label=_("حقیقی یا حقوقی"), field="kind", choices=Contact.Kind.choices),
        MultiChoice(name="role", label=_("نقش"), choices=Contact.Role.choices, condition=_role),
        YesNo(name="vip", label=_("مشتری ویژه"), condition=lambda reading: Q(is_vip=True)),
        Choice(name="grade", label=_("درجه"), field="grade", choices=_lookup(Grade)),
        Choice(
            name="source",
            label=_("نحوه آشنایی"),
            field="source",
            choices=_lookup(AcquaintanceSource),
        ),
        Choice(name="position", label=_("سمت"), field="position", choices=_lookup(Position)),
        Choice(
            name="birth_month",
            label=_("ماه تولد"),
            field="birth_month",
            choices=[(str(month), name) for month, name in enumerate(JALALI_MONTHS, start=1)],
        ),
        DateTimeRange(name="created", label=_("تاریخ ثبت"), field="created_at", presets=PAST),
        CustomFieldFilters(target="contacts.contact"),
        Ticked(),
    ],
    sorts=[
        Sort("created", _("تاریخ ثبت"), ("created_at", "id"), index="contact_recent"),
        Sort("name", _("نام"), ("name", "id"), index="contact_name"),
        Sort("code", _("کد"), ("code",), index="unique:code"),
    ],
    # Newest first, as ever: ``sort=created`` is the oldest first, as the API had it.
    default_sort="-created",
    columns=COLUMNS,
    # One more per custom field of contacts, hidden until a user shows it.
    more_columns=CustomFieldColumns(target="contacts.contact"),
    actions=[HAND_OVER],
)


# The phone book ------------------------------------------------------------------------

PHONEBOOK_TABS = [
    ("mine", _("شماره‌های من")),
    ("public", _("عمومی")),
]
# The page's tabs: «همه» and the two above are this list; «داخلی همکاران» is the staff
# directory (colleagues, not entries), which the page shows on ``?tab=staff``.
STAFF_TAB = "staff"


def _phonebook_tab(value: str, reading) -> Q:
    return Q(owner=reading.user) if value == "mine" else Q(is_public=True)


def _phonebook_kind(entry) -> str:
    if entry.is_public:
        return cells._safe(
            '<span class="badge text-bg-info"><i class="bi bi-people" aria-hidden="true"></i> '
            f"{html.escape(str(_('عمومی')))}</span>"
        )
    return cells._safe(
        '<span class="badge text-bg-light"><i class="bi bi-lock" aria-hidden="true"></i> '
        f"{html.escape(str(_('شخصی')))}</span>"
    )


def _phonebook_people(reading) -> list:
    """Who owns entries the reader sees: themselves, and the owners of public entries."""
    owners = PhoneBookEntry.objects.filter(is_public=True).values("owner_id")
    return list(
        User.objects.filter(Q(pk__in=owners) | Q(pk=reading.user.pk))
        .only("id", "first_name", "last_name", "username")
        .order_by("first_name", "last_name", "username", "id")
    )


PHONEBOOK = ListSpec(
    key="phonebook",
    label=_("دفترچه تلفن"),
    model=PhoneBookEntry,
    permission="contacts.view_phonebookentry",
    url_name="phonebook:list",
    # Public entries and the reader's own (PhoneBookQuerySet): not a teammate's, nor a
    # manager's view of them — it is someone's own address book.
    base=lambda user: PhoneBookEntry.objects.visible_to(user).select_related("owner"),
    filters=[
        Search(
            condition=lambda text, reading: phonebook_text(text),
            placeholder=_("نام، شرکت، سمت، شماره یا ایمیل"),
            shown=[
                (_("شرکت"), lambda row: row.company),
                (_("سمت"), lambda row: row.job_title),
                # As the row shows them (0912 555 4433): the search matches national
                # digits, which the stored +98… never holds, so no number was marked.
                (
                    _("تلفن"),
                    lambda row: [
                        format_phone_national(row.mobile),
                        format_phone_national(row.phone),
                    ],
                ),
                (_("داخلی"), lambda row: row.extension),
                (_("ایمیل"), lambda row: row.email),
            ],
        ),
        Choice(name="tab", label=_("نوع"), choices=PHONEBOOK_TABS, condition=_phonebook_tab),
        Person(name="owner", label=_("ثبت‌کننده"), field="owner", people=_phonebook_people),
        CustomFieldFilters(target="contacts.phonebookentry"),
    ],
    sorts=[Sort("name", _("نام"), ("name", "id"), index="phonebook_name")],
    columns=[
        Column("name", _("نام"), cells.link(lambda entry: entry.name), sort="name"),
        Column("company", _("شرکت / سازمان"), cells.text(lambda entry: entry.company)),
        Column("job_title", _("سمت"), cells.text(lambda entry: entry.job_title)),
        Column("mobile", _("تلفن همراه"), cells.phone(lambda entry: entry.mobile)),
        Column("phone", _("تلفن ثابت"), cells.phone(lambda entry: entry.phone)),
        Column("extension", _("داخلی"), cells.digits(lambda entry: entry.extension)),
        Column("email", _("ایمیل"), cells.text(lambda entry: entry.email), default=False),
        Column("kind", _("نوع"), _phonebook_kind),
        Column("owner", _("ثبت‌کننده"), cells.text(lambda entry: entry.owner), default=False),
    ],
    more_columns=CustomFieldColumns(target="contacts.phonebookentry"),
)
