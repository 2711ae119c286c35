"""Managers merge a duplicate contact into another, moving everything that points at it."""

import datetime

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from peyvand.activities.models import Reminder, Task
from peyvand.activities.reminders import reminder_set
from peyvand.contacts.models import Contact, ContactPhone
from peyvand.contacts.services import contacts_merge, merge_relations
from peyvand.core.models import Attachment, ChangeRecord, Note
from peyvand.core.services import record_restore
from peyvand.core.text import to_persian_digits
from peyvand.finance import services as finance
from peyvand.finance.models import Account, Cheque, Entry, Receipt
from peyvand.messaging.models import Message
from peyvand.sales.models import Invoice
from tests.factories import ContactFactory
from tests.finance.money import issue_invoice, receive, receive_cheque

pytestmark = pytest.mark.django_db


def test_a_manager_merges_a_duplicate_and_nothing_that_pointed_at_it_is_lost(client, personas):
    survivor = ContactFactory(
        owner=personas.owner, name="شرکت آریا", email="", phones=["+989121110000"],
        custom={"f1": "طلایی"},
    )  # fmt: skip
    duplicate = ContactFactory(
        owner=personas.teammate, name="آریا (تکراری)", email="info@arya.ir",
        phones=["+989121110000", "+982188776655"], custom={"f1": "برنزی", "f2": 40},
    )  # fmt: skip
    person = ContactFactory(owner=personas.owner, name="مهندس کیانی", organization=duplicate)
    branch = ContactFactory(owner=personas.owner, name="آریا شعبه قم", parent=duplicate)
    note = Note.objects.create(record=duplicate, text="قیمت را پرسید.", author=personas.owner)
    file = Attachment.objects.create(
        record=duplicate, file=ContentFile(b"%PDF-", name="x.pdf"), original_name="x.pdf",
        mime_type="application/pdf", size=5, uploaded_by=personas.owner,
    )  # fmt: skip
    client.force_login(personas.manager)
    url = reverse("contacts:merge", args=[survivor.pk])
    preview = client.get(url, {"other": duplicate.pk}).content.decode()
    assert "info@arya.ir" in preview and 'value="email" id="take-email" checked' in preview
    response = client.post(url, {"other": duplicate.pk, "take": ["email"]})
    assert response.status_code == 302
    survivor.refresh_from_db()
    duplicate = Contact.all_objects.get(pk=duplicate.pk)
    assert survivor.name == "شرکت آریا" and survivor.email == "info@arya.ir"
    assert sorted(survivor.phones.values_list("number", flat=True)) == [
        "+982188776655",
        "+989121110000",
    ]
    assert survivor.custom == {"f1": "طلایی", "f2": 40}  # the survivor's value wins
    assert duplicate.is_deleted and not duplicate.phones.exists()
    person.refresh_from_db()
    branch.refresh_from_db()
    note.refresh_from_db()
    file.refresh_from_db()
    assert person.organization == survivor and branch.parent == survivor
    assert note.object_id == survivor.pk and file.object_id == survivor.pk
    content_type = ContentType.objects.get_for_model(Contact)
    merged = ChangeRecord.objects.filter(content_type=content_type, changes__0__field="merge")
    assert {record.object_id for record in merged} == {survivor.pk, duplicate.pk}
    assert "قیمت را پرسید." in client.get(survivor.get_absolute_url()).content.decode()


def test_only_managers_merge_and_only_contacts_they_can_see(client, personas):
    survivor = ContactFactory(owner=personas.owner)
    client.force_login(personas.owner)
    assert client.get(reverse("contacts:merge", args=[survivor.pk])).status_code == 403


def test_a_contact_cannot_be_merged_with_itself(client, personas):
    survivor = ContactFactory(owner=personas.owner)
    client.force_login(personas.manager)
    url = reverse("contacts:merge", args=[survivor.pk])
    client.post(url, {"other": survivor.pk})
    survivor.refresh_from_db()
    assert not survivor.is_deleted


TODAY = datetime.date.today()


def test_merge_moves_every_foreign_key_to_a_contact_hidden_ones_included():
    """Walked from the other side — every model's own fields — so that a module adding a
    link to Contact (``related_name="+"`` or not) fails here if the merge would leave
    its rows on the duplicate in the trash."""
    links = {
        (field.model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Contact
    }
    links.discard((ContactPhone, "contact"))  # combined by the merge itself
    moved = {(relation.related_model, relation.field.name) for relation in merge_relations()}
    assert links == moved
    # The money side among them: what ``_meta.related_objects`` left out.
    assert {(Invoice, "contact"), (Receipt, "contact"), (Cheque, "contact")} <= moved
    assert {(Entry, "contact"), (Account, "contact")} <= moved


def _money(contact, by, *, opening: int, invoices: list[int], receipt: int, cheque: int):
    finance.opening_balance_set(
        contact=contact, amount=opening, date=TODAY - datetime.timedelta(days=30), by=by
    )
    issued = [issue_invoice(contact, by, amount) for amount in invoices]
    paid = receive(contact, by, receipt) if receipt else None
    held = receive_cheque(contact, by, cheque) if cheque else None
    return issued, paid, held


def test_a_merged_duplicates_money_is_the_survivors_and_its_account_adds_up(client, personas):
    by = personas.manager
    survivor = ContactFactory(owner=personas.owner, name="شرکت آریا")
    duplicate = ContactFactory(owner=personas.owner, name="آریا (تکراری)")
    (ours,), _, _ = _money(survivor, by, opening=-2_000_000, invoices=[30_000_000], receipt=0,
                           cheque=0)  # fmt: skip
    (theirs,), receipt, cheque = _money(
        duplicate, by, opening=5_000_000, invoices=[50_000_000], receipt=20_000_000,
        cheque=10_000_000,
    )  # fmt: skip
    assert Account.objects.get(pk=survivor.pk).balance == 28_000_000
    assert Account.objects.get(pk=duplicate.pk).balance == 25_000_000
    # The same money recorded on one customer from the start: what the merge must give.
    reference = ContactFactory(owner=personas.owner, name="مرجع")
    _money(reference, by, opening=3_000_000, invoices=[30_000_000, 50_000_000],
           receipt=20_000_000, cheque=10_000_000)  # fmt: skip
    expected = Account.objects.get(pk=reference.pk)
    client.force_login(by)
    response = client.post(reverse("contacts:merge", args=[survivor.pk]), {"other": duplicate.pk})
    assert response.status_code == 302

    # Every row that pointed at the duplicate points at the survivor; nothing is left.
    for relation in merge_relations():
        name = relation.field.name
        rows = relation.related_model._base_manager.filter(**{name: duplicate.pk})
        assert not rows.exists(), relation.related_model
    for row in (theirs, receipt, cheque):
        row.refresh_from_db()
        assert row.contact_id == survivor.pk
    assert not Account.objects.filter(pk=duplicate.pk).exists()
    assert Entry.objects.filter(contact=survivor, invoice=theirs).exists()

    # One account, its kept totals those of everything recorded on the survivor.
    account = Account.objects.get(pk=survivor.pk)
    assert account.balance == 28_000_000 + 25_000_000 == expected.balance
    assert (account.debit, account.credit, account.cheques_in_hand) == (
        expected.debit, expected.credit, expected.cheques_in_hand,
    )  # fmt: skip
    rows = Entry.objects.filter(contact=survivor).aggregate(d=Sum("debit"), c=Sum("credit"))
    assert (account.debit, account.credit) == (rows["d"], rows["c"])
    # One opening balance (−2 + 5), as opening_balance_set keeps one.
    opening = Entry.objects.get(contact=survivor, kind=Entry.Kind.OPENING)
    assert (opening.debit, opening.credit) == (3_000_000, 0)
    # The kept totals of each line equal its allocations (the duplicate's credit left
    # over once its opening debt was folded in settles the survivor's oldest debt).
    for entry in Entry.objects.filter(contact=survivor):
        side = entry.debit_allocations if entry.is_debit else entry.credit_allocations
        assert entry.allocated == (side.aggregate(s=Sum("amount"))["s"] or 0), entry
    paid = Invoice.objects.filter(contact=survivor).aggregate(s=Sum("paid"))["s"]
    assert paid == Invoice.objects.filter(contact=reference).aggregate(s=Sum("paid"))["s"]

    # The customer's pages show it all; the survivor's history tells the balance moved.
    summary = client.get(survivor.get_absolute_url()).context["summary"]
    assert (summary.invoices, summary.invoices_total) == (2, 80_000_000)
    page = client.get(reverse("finance:account", args=[survivor.pk])).content.decode()
    assert "۵۳٬۰۰۰٬۰۰۰" in page
    assert to_persian_digits(str(theirs)) in page and to_persian_digits(str(ours)) in page
    listed = client.get(reverse("finance:receipt_list"), {"contact": survivor.pk})
    assert receipt in listed.context["page"].items
    content_type = ContentType.objects.get_for_model(Contact)
    line = ChangeRecord.objects.get(
        content_type=content_type, object_id=survivor.pk, changes__0__field="account_merge"
    )
    # Kept in Latin digits, read in the reader's.
    assert line.changes[0]["old"] == "28,000,000 ریال"
    assert line.changes[0]["new"] == "53,000,000 ریال"


def test_a_merge_keeps_the_account_when_only_the_duplicate_had_one(personas):
    by = personas.manager
    survivor = ContactFactory(owner=personas.owner)
    duplicate = ContactFactory(owner=personas.owner)
    invoice = issue_invoice(duplicate, by, 7_000_000)
    receive(duplicate, by, 3_000_000)
    assert not Account.objects.filter(pk=survivor.pk).exists()
    contacts_merge(survivor=survivor, duplicate=duplicate, take=set(), by=by)
    invoice.refresh_from_db()
    assert invoice.contact_id == survivor.pk and invoice.paid == 3_000_000
    assert Account.objects.get(pk=survivor.pk).balance == 4_000_000
    assert list(Account.objects.filter(pk__in=[survivor.pk, duplicate.pk])) == [
        Account.objects.get(pk=survivor.pk)
    ]


def test_a_duplicates_advance_settles_the_survivors_open_invoice(personas):
    """As the next invoice would: credit left on one side and debt on the other meet."""
    by = personas.manager
    survivor = ContactFactory(owner=personas.owner)
    duplicate = ContactFactory(owner=personas.owner)
    invoice = issue_invoice(survivor, by, 6_000_000)
    receive(duplicate, by, 8_000_000)  # an advance: nothing to settle yet
    contacts_merge(survivor=survivor, duplicate=duplicate, take=set(), by=by)
    invoice.refresh_from_db()
    assert (invoice.paid, invoice.payment_status) == (6_000_000, Invoice.PaymentStatus.PAID)
    assert Account.objects.get(pk=survivor.pk).balance == -2_000_000


def test_restoring_a_merged_duplicate_brings_back_the_record_but_not_its_money(personas):
    """A restore is not an un-merge: the duplicate comes back empty (its links and money
    stay with the survivor, whose account does not change)."""
    by = personas.manager
    survivor = ContactFactory(owner=personas.owner)
    duplicate = ContactFactory(owner=personas.owner)
    invoice = issue_invoice(duplicate, by, 7_000_000)
    contacts_merge(survivor=survivor, duplicate=duplicate, take=set(), by=by)
    record_restore(record=Contact.all_objects.get(pk=duplicate.pk), by=by)
    invoice.refresh_from_db()
    assert invoice.contact_id == survivor.pk
    assert Account.objects.get(pk=survivor.pk).balance == 7_000_000
    assert not Account.objects.filter(pk=duplicate.pk).exists()
    assert not Entry.objects.filter(contact=duplicate).exists()


def test_a_duplicates_receipt_in_the_trash_comes_back_on_the_survivor(personas):
    """Its restore writes back the account lines its delete took: after the merge they
    are the survivor's, not the trashed duplicate's."""
    by = personas.manager
    survivor = ContactFactory(owner=personas.owner)
    duplicate = ContactFactory(owner=personas.owner)
    invoice = issue_invoice(duplicate, by, 9_000_000)
    receipt = receive(duplicate, by, 4_000_000)
    finance.receipt_delete(receipt=receipt, by=by)
    contacts_merge(survivor=survivor, duplicate=duplicate, take=set(), by=by)
    assert Account.objects.get(pk=survivor.pk).balance == 9_000_000
    record_restore(record=Receipt.all_objects.get(pk=receipt.pk), by=by)
    assert not Entry.objects.filter(contact=duplicate).exists()
    assert Entry.objects.get(receipt=receipt).contact_id == survivor.pk
    assert Account.objects.get(pk=survivor.pk).balance == 5_000_000
    invoice.refresh_from_db()
    assert invoice.paid == 4_000_000


def test_a_merge_moves_what_names_the_duplicate_through_a_generic_link(personas):
    """The tasks and messages about the duplicate and its reminders are the survivor's;
    a user's reminder for a purpose the survivor already has is not doubled. The
    duplicate's own history stays with it."""
    by = personas.manager
    survivor = ContactFactory(owner=personas.owner)
    duplicate = ContactFactory(owner=personas.owner)
    task = Task.objects.create(owner=by, assignee=by, description="تماس با آریا", related=duplicate)
    message = Message.objects.create(
        channel="email", to="info@arya.ir", body="سلام", owner=by, related=duplicate
    )
    due = timezone.now() + datetime.timedelta(days=1)
    moved = reminder_set(user=by, due_at=due, title="پیگیری", target=duplicate, purpose="call")
    reminder_set(user=personas.owner, due_at=due, title="تولد", target=survivor, purpose="birthday")
    reminder_set(
        user=personas.owner, due_at=due, title="تولد", target=duplicate, purpose="birthday"
    )
    contacts_merge(survivor=survivor, duplicate=duplicate, take=set(), by=by)
    task.refresh_from_db()
    message.refresh_from_db()
    moved.refresh_from_db()
    assert task.related == survivor and message.related == survivor and moved.target == survivor
    on_survivor = Reminder.objects.filter(object_id=survivor.pk, purpose="birthday")
    assert on_survivor.count() == 1
    assert not Reminder.objects.filter(object_id=duplicate.pk).exists()
    content_type = ContentType.objects.get_for_model(Contact)
    assert ChangeRecord.objects.filter(content_type=content_type, object_id=duplicate.pk).exists()
