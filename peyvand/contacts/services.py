import datetime
from collections.abc import Collection

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q

from peyvand.contacts.models import Contact, ContactPhone, PhoneBookEntry
from peyvand.core import events
from peyvand.core.history import log_change, log_event, snapshot
from peyvand.core.models import BusinessRecord, ChangeRecord, DeletionUndo
from peyvand.core.sequences import claim_typed_code, ensure_sequence, next_code, next_codes
from peyvand.core.services import record_delete, record_save
from peyvand.core.validators import phone_national_digits
from peyvand.core.versions import check_version

CODE_SEQUENCE = "contact"

# Published by contacts_merge with survivor=, duplicate= and by= (see core.events). The
# apps keeping per-contact totals (finance's account) take their locks on "merging",
# before the contacts are locked and anything moves (their writers lock those first, so
# the merge takes them in the same order), and bring the totals up to date on "merged",
# once every row that pointed at the duplicate points at the survivor.
CONTACTS_MERGING = "contacts.merging"
CONTACTS_MERGED = "contacts.merged"


def ensure_contact_sequence() -> None:
    ensure_sequence(CODE_SEQUENCE, "کد مخاطبین", pattern="C{شماره}", padding=6, yearly=False)


def contact_phones_set(*, contact: Contact, phones: list[dict]) -> None:
    """Replaces the contact's phones and refreshes the fields derived from them (the
    primary mobile and the searchable phones text) on the instance; the caller saves."""
    contact.phones.all().delete()
    rows = [
        ContactPhone(contact=contact, position=position, **phone)
        for position, phone in enumerate(phones)
    ]
    ContactPhone.objects.bulk_create(rows)
    contact.mobile, contact.phones_text = derived_phone_fields(
        [(row.kind, row.number) for row in rows]
    )


def derived_phone_fields(phones: list[tuple[str, str]]) -> tuple[str, str]:
    """The contact's primary mobile and its searchable phones text, from its phones'
    (kind, number) in order."""
    mobile = next((number for kind, number in phones if kind == ContactPhone.Kind.MOBILE), "")
    return mobile, "|".join(phone_national_digits(number) for _kind, number in phones)


def reserve_contact_codes(count: int, *, typed: Collection[str] = ()) -> list[str]:
    """``count`` codes of the contact series for a bulk insert (inside its transaction),
    stepping over the ``typed`` codes of the same insert."""
    if not count:
        return []
    ensure_contact_sequence()
    return next_codes(CODE_SEQUENCE, count, model=Contact, field="code", reserved=typed)


@transaction.atomic
def contact_create(*, contact: Contact, phones: list[dict], by) -> Contact:
    """Saves a new contact; an empty code takes the next of the contact series."""
    ensure_contact_sequence()
    if contact.code:
        claim_typed_code(CODE_SEQUENCE, model=Contact, field="code", code=contact.code)
    else:
        contact.code = next_code(CODE_SEQUENCE, model=Contact, field="code")
    if not contact.owner_id:
        contact.owner = by
    contact.save()
    contact_phones_set(contact=contact, phones=phones)
    contact.save(update_fields=["mobile", "phones_text"])
    log_change(contact, user=by, action=ChangeRecord.Action.CREATED)
    return contact


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    phones: list[dict] | None,
    before: dict,
    by,
    version: datetime.datetime | None = None,
) -> Contact:
    """Saves an edit; ``phones=None`` leaves the phones as they are. With the
    ``version`` the edit started from, a save made by someone else in between is
    refused (StaleEdit) rather than silently overwritten."""
    check_version(contact, version)
    if contact.code != before.get("code"):
        ensure_contact_sequence()
        claim_typed_code(
            CODE_SEQUENCE, model=Contact, field="code", code=contact.code, record_pk=contact.pk
        )
    if phones is not None:
        contact_phones_set(contact=contact, phones=phones)
    return record_save(record=contact, by=by, before=before)


@transaction.atomic
def contacts_change_owner(*, contacts, owner, by) -> int:
    """Hands the given contacts to ``owner``, recording each change."""
    changed = 0
    for contact in contacts.select_for_update():
        if contact.owner_id == owner.pk:
            continue
        before = {"owner_id": contact.owner_id}
        contact.owner = owner
        contact.save(update_fields=["owner", "updated_at"])
        log_change(contact, user=by, action=ChangeRecord.Action.CHANGED, before=before)
        changed += 1
    return changed


@transaction.atomic
def phonebook_save(
    *,
    entry: PhoneBookEntry,
    by,
    before: dict | None = None,
    version: datetime.datetime | None = None,
) -> PhoneBookEntry:
    """Creates (``before`` None) or updates a phone-book entry, recording the change
    (refused if stale: ``version``, see core.versions)."""
    entry.numbers_text = "|".join(
        [phone_national_digits(number) for number in (entry.mobile, entry.phone) if number]
        + ([entry.extension] if entry.extension else [])
    )
    return record_save(record=entry, by=by, before=before, version=version)


def phonebook_can_edit(entry: PhoneBookEntry, user) -> bool:
    """Its owner edits an entry; others' public entries need the managers' permission."""
    return entry.owner_id == user.pk or (
        entry.is_public and user.has_perm("contacts.manage_public_phonebook")
    )


def contact_set_logo(*, contact: Contact, logo, by) -> None:
    old = contact.logo.original_name if contact.logo_id else ""
    contact.logo = logo
    contact.save(update_fields=["logo", "updated_at"])
    log_event(contact, user=by, field="logo", label="لوگو", old=old, new=str(logo))


# Fields a manager chooses between when merging (the rest follow the surviving record,
# or are combined: phones, custom values, files, notes, links from other records).
MERGE_FIELDS = [
    "kind", "name", "company", "status", "grade", "is_vip", "organization", "position",
    "parent", "national_id", "economic_code", "registration_number", "email", "website",
    "category", "region",
    "address", "postal_code", "source", "birthday", "job", "education", "credit_limit",
    "payment_method", "notes",
]  # fmt: skip


@transaction.atomic
def contacts_merge(*, survivor: Contact, duplicate: Contact, take: set[str], by) -> Contact:
    """Merges ``duplicate`` into ``survivor``: the fields named in ``take`` come from the
    duplicate; phones and custom values are combined; everything that points at the
    duplicate (people, branches, files, notes, and whatever later modules link to a
    contact) is moved to the survivor; the duplicate goes to the trash, its history kept,
    with a line saying where it went."""
    if survivor.pk == duplicate.pk:
        raise ValueError("a contact cannot be merged with itself")
    events.publish(CONTACTS_MERGING, survivor=survivor, duplicate=duplicate, by=by)
    survivor = Contact.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Contact.objects.select_for_update().get(pk=duplicate.pk)
    before = snapshot(survivor)
    for name in take & set(MERGE_FIELDS):
        field = Contact._meta.get_field(name)
        setattr(survivor, field.attname, getattr(duplicate, field.attname))
    survivor.custom = {**duplicate.custom, **survivor.custom}
    if not survivor.logo_id:
        survivor.logo_id = duplicate.logo_id
    phones = list(survivor.phones.values("kind", "number", "note"))
    known = {phone["number"] for phone in phones}
    phones += [
        p for p in duplicate.phones.values("kind", "number", "note") if p["number"] not in known
    ]
    contact_phones_set(contact=survivor, phones=phones)
    duplicate.phones.all().delete()
    _move_links(duplicate, survivor)
    for name in ("organization_id", "parent_id"):  # it may have pointed at the duplicate
        if getattr(survivor, name) in (survivor.pk, duplicate.pk):
            setattr(survivor, name, None)
    survivor.save()
    log_change(survivor, user=by, action=ChangeRecord.Action.CHANGED, before=before)
    events.publish(CONTACTS_MERGED, survivor=survivor, duplicate=duplicate, by=by)
    note = f"«{duplicate.name}» ({duplicate.code}) در «{survivor.name}» ({survivor.code}) ادغام شد"
    for record in (survivor, duplicate):
        log_event(record, user=by, field="merge", label="ادغام", new=note)
    record_delete(record=duplicate, by=by)
    return survivor


def merge_relations() -> list:
    """Every foreign key of another model to Contact that a merge moves: the hidden ones
    (``related_name="+"``: invoices, receipts, cheques, account lines…) included, which
    ``_meta.related_objects`` leaves out. Found through the models' relations, so modules
    added later are covered. Not the phones (combined by the merge itself) nor a
    many-to-many (its through model's foreign key is moved instead)."""
    return [
        field
        for field in Contact._meta.get_fields(include_hidden=True)
        if field.auto_created
        and not field.concrete
        and (field.one_to_many or field.one_to_one)
        and field.field.concrete
        and field.related_model is not ContactPhone
    ]


def _move_links(duplicate: Contact, survivor: Contact) -> None:
    """Re-points every foreign key to the duplicate (``merge_relations``), every generic
    link to it, and the rows a trashed record's restore would write back."""
    relations = merge_relations()
    undos = _undos_of_trashed_links(relations, duplicate)
    for relation in relations:
        name = relation.field.name
        _repoint(relation.related_model._base_manager.filter(**{name: duplicate}), name, survivor)
    _move_generic_links(duplicate, survivor)
    links = {
        (relation.related_model._meta.label_lower, relation.field.name) for relation in relations
    }
    for undo in undos:
        moved = False
        for row in undo.rows:
            for name, value in row["fields"].items():
                if value == duplicate.pk and (row["model"], name) in links:
                    row["fields"][name] = survivor.pk
                    moved = True
        if moved:
            undo.save(update_fields=["rows"])


# What names the duplicate itself and stays with it: its history and its trash entry.
OWN_RECORDS = (ChangeRecord, DeletionUndo)


def _move_generic_links(duplicate: Contact, survivor: Contact) -> None:
    """Re-points what names the duplicate through a generic link (content type and id):
    its notes and files, the tasks and messages about it, its reminders. Found through
    the models' GenericForeignKeys, so modules added later are covered."""
    content_type = ContentType.objects.get_for_model(Contact)
    for model in apps.get_models():
        if issubclass(model, OWN_RECORDS):
            continue
        for link in model._meta.private_fields:
            if not isinstance(link, GenericForeignKey):
                continue
            rows = model._base_manager.filter(
                **{link.ct_field: content_type, link.fk_field: duplicate.pk}
            )
            _repoint(rows, link.fk_field, survivor.pk)


def _repoint(rows, name: str, value) -> None:
    """Sets ``name`` to ``value`` on the rows. A link that may exist once (a group's
    member, a portal login, the account row, a user's reminder for one purpose): where
    the survivor already has it, the duplicate's copy is dropped; the others move. (The
    account's totals are recomputed on CONTACTS_MERGED.)"""
    try:
        with transaction.atomic():
            rows.update(**{name: value})
    except IntegrityError:
        for row in rows:
            try:
                with transaction.atomic():
                    type(row)._base_manager.filter(pk=row.pk).update(**{name: value})
            except IntegrityError:
                row.delete()


def _undos_of_trashed_links(relations: list, duplicate: Contact) -> list[DeletionUndo]:
    """What restoring the duplicate's trashed records (a receipt with its account lines)
    would write back: those rows name the duplicate too, and must name the survivor, or a
    restore after the merge would put the money back on a contact in the trash. One
    query, before the links move."""
    wanted = Q(pk__in=[])
    for relation in relations:
        model = relation.related_model
        if issubclass(model, BusinessRecord):
            trashed = model._base_manager.filter(
                **{relation.field.name: duplicate}, deleted_at__isnull=False
            ).values("pk")
            wanted |= Q(
                content_type=ContentType.objects.get_for_model(model), object_id__in=trashed
            )
    return list(DeletionUndo.objects.filter(wanted))


@transaction.atomic
def contact_row_add(*, contact: Contact, row, label: str, by):
    """Adds a bank account or another address to the contact, recording it."""
    row.contact = contact
    row.save()
    log_event(contact, user=by, field=label, label=label, new=str(row))
    return row


@transaction.atomic
def contact_row_remove(*, contact: Contact, row, label: str, by) -> None:
    """Removes it; the history keeps what it was."""
    row.delete()
    log_event(contact, user=by, field=label, label=label, old=str(row))
