"""The contact list's exports: Excel, CSV and PDF (core:list_export, the background
kind ``contacts``) and vCard cards, all of CONTACTS.rows — exactly the rows the list
shows under its filters (ticked ids included), in its order."""

from django.http import QueryDict

from peyvand.accounts.models import User
from peyvand.contacts.lists import CONTACTS
from peyvand.contacts.models import Category, Contact, ContactPhone, Region
from peyvand.core.exports import Column, choice_label
from peyvand.core.validators import format_phone_national
from peyvand.core.vcard import Card
from peyvand.customfields.display import export_columns
from peyvand.customfields.models import CustomField
from peyvand.lookups.models import AcquaintanceSource, Grade


def _export_columns() -> list[Column]:
    """The export's columns. Grades, categories, regions, sources and users are small
    tables read once per export into dictionaries: joined and turned into model objects
    on each of 100,000 rows, they were half the export's time."""
    grades = dict(Grade.objects.values_list("pk", "name"))
    categories = dict(Category.objects.values_list("pk", "name"))
    regions = dict(Region.objects.values_list("pk", "name"))
    sources = dict(AcquaintanceSource.objects.values_list("pk", "name"))
    owners = {
        user.pk: str(user) for user in User.objects.only("first_name", "last_name", "username")
    }
    return [
        Column("کد", lambda c: c.code),
        Column("نام", lambda c: c.name),
        Column("نوع", lambda c: choice_label(Contact.Kind, c.kind)),
        Column("وضعیت", lambda c: choice_label(Contact.Status, c.status)),
        Column("درجه", lambda c: grades.get(c.grade_id, "")),
        Column("ویژه", lambda c: "بله" if c.is_vip else "خیر"),
        Column("شرکت", lambda c: c.company),
        Column("تلفن همراه", lambda c: format_phone_national(c.mobile) if c.mobile else ""),
        Column("تلفن‌ها", lambda c: "، ".join(c.phones_text.split("|")) if c.phones_text else ""),
        Column("ایمیل", lambda c: c.email),
        Column("کد ملی / شناسه ملی", lambda c: c.national_id),
        Column("صنف", lambda c: categories.get(c.category_id, "")),
        Column("موقعیت جغرافیایی", lambda c: regions.get(c.region_id, "")),
        Column("نحوه آشنایی", lambda c: sources.get(c.source_id, "")),
        Column("سقف اعتبار (ریال)", lambda c: c.credit_limit, kind="number"),
        Column("مالک", lambda c: owners.get(c.owner_id, "")),
        Column("تاریخ ثبت", lambda c: c.created_at, kind="date"),
    ]


# The contact columns _export_columns() reads (custom fields are in ``custom``).
EXPORT_FIELDS = (
    "code", "name", "kind", "status", "grade", "is_vip", "company", "mobile", "phones_text",
    "email", "national_id", "category", "region", "source", "credit_limit", "owner",
    "created_at", "custom",
)  # fmt: skip


def export_rows(user, params: QueryDict):
    """The list's exported rows and their columns (its registered Exporter): the
    downloads and the background export read the same."""
    rows = CONTACTS.rows(user, params).select_related(None).only(*EXPORT_FIELDS)
    custom = list(CustomField.objects.for_target("contacts.contact"))
    return rows, _export_columns() + export_columns(custom)


def vcard_rows(user, params: QueryDict):
    """The list's contacts as vCard cards need them: organisation, position, phones."""
    return (
        CONTACTS.rows(user, params)
        .select_related(None)
        .defer(None)
        .select_related("organization", "position")
        .prefetch_related("phones")
    )


def contact_card(contact: Contact) -> Card:
    phones = list(contact.phones.all())
    return Card(
        name=contact.name,
        company=contact.organization.name if contact.organization_id else contact.company,
        title=str(contact.position) if contact.position_id else contact.job,
        mobiles=[p.number for p in phones if p.kind == ContactPhone.Kind.MOBILE],
        phones=[
            p.number
            for p in phones
            if p.kind in (ContactPhone.Kind.LANDLINE, ContactPhone.Kind.FAX)
        ],
        emails=[contact.email] if contact.email else [],
        address=contact.address,
        note=f"کد {contact.code}",
    )
