"""The trash undoes a delete whole: each kind of record in it is built with what hangs on
it (follow-ups, reminders, tasks, notifications, notes, portal access…), deleted as its
user deletes it, restored from the trash page, and the whole database must be as it was
before (but for the history lines and the record's own updated_at)."""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.models import Team
from peyvand.activities.models import Event, Reminder, Task
from peyvand.activities.services import event_save, task_save
from peyvand.contacts.models import PhoneBookEntry
from peyvand.contacts.services import phonebook_save
from peyvand.core.models import ChangeRecord, Note
from peyvand.core.services import record_delete, record_save, trash_models
from peyvand.core.text import to_persian_digits
from peyvand.finance.models import Receipt
from peyvand.lookups.models import Channel, FollowUpResult, Urgency
from peyvand.messaging.models import ContactGroup, Occasion
from peyvand.messaging.services import group_add_contacts, group_save, occasion_save
from peyvand.portal.models import PortalAccess
from peyvand.sales.models import FollowUp, Lead, Quote, QuoteLine
from peyvand.sales.selectors import my_followups
from peyvand.sales.services import followup_log, followup_to_task, lead_save, quote_save
from peyvand.service.models import Complaint, Feedback, Request
from peyvand.service.services import complaint_register, request_register
from peyvand.surveys.models import Project
from peyvand.surveys.services import project_save
from tests.factories import ContactFactory
from tests.finance.money import issue_invoice, receive, receive_cheque

pytestmark = pytest.mark.django_db

# Rows a delete and a restore add by design: history lines, and the browser sessions of
# the people doing it.
NOT_COMPARED = {"core.changerecord", "sessions.session"}


def database_state(record) -> dict[str, list[dict]]:
    """Every row of every table, by model, as values; the record's updated_at aside
    (deleting and restoring it are changes of it)."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in NOT_COMPARED or model._meta.proxy or not model._meta.managed:
            continue
        rows = list(model._base_manager.order_by("pk").values())
        if model is type(record):
            for row in rows:
                if row["id"] == record.pk:
                    row.pop("updated_at")
        state[label] = rows
    return state


def differences(before: dict, after: dict) -> dict:
    return {
        label: {"before": rows, "after": after.get(label)}
        for label, rows in before.items()
        if after.get(label) != rows
    }


def result(name: str = "پیگیری") -> FollowUpResult:
    return FollowUpResult.objects.get(name=name)


def customer(personas):
    """A customer with phones, a note, portal access and a group of its own."""
    contact = ContactFactory(
        owner=personas.owner, name="فروشگاه آریا", phones=["+989121234567", "+989351112233"]
    )
    Note.objects.create(record=contact, text="مشتری قدیمی", author=personas.owner)
    PortalAccess.objects.create(contact=contact, enabled=True, updated_by=personas.owner)
    group = group_save(group=ContactGroup(name="مشتریان وفادار"), by=personas.owner)
    group_add_contacts(group=group, contacts=type(contact).objects.filter(pk=contact.pk))
    return contact


def pending_followup(subject, personas, **fields) -> FollowUp:
    """A follow-up due an hour ago (so due today whatever the hour), referred to the
    teammate: reminders for its author, the responsible user and the teammate."""
    values = {
        "result": result(),
        "channel": Channel.objects.get(name="تلفن"),
        "description": "قیمت خواستند",
        "next_at": timezone.now() - datetime.timedelta(hours=1),
        "referred_to": personas.teammate,
    }
    return followup_log(
        followup=FollowUp(**{subject._meta.model_name: subject}, **(values | fields)),
        by=personas.owner,
    )


# Builders: a realistic record of each kind, with everything that hangs on it --------


def a_lead(personas) -> Lead:
    lead = lead_save(
        lead=Lead(
            contact=customer(personas),
            title="خرید ۲۰ دستگاه",
            stars=3,
            responsible=personas.owner,
            expected_value=5_000_000_000,
        ),
        by=personas.teammate,  # the owner is told it was handed to them
    )
    followup_log(
        followup=FollowUp(lead=lead, result=result("تماس اولیه"), description="کاتالوگ خواستند",
                          next_at=timezone.now() - datetime.timedelta(days=2)),
        by=personas.owner,
    )  # fmt: skip
    latest = pending_followup(lead, personas)  # settles the first one
    followup_to_task(followup=latest, by=personas.owner)
    quote_save(
        quote=Quote(lead=lead),
        lines=[QuoteLine(description="دستگاه کارت‌خوان", quantity=20, unit_price=250_000_000)],
        by=personas.owner,
    )
    Note.objects.create(record=lead, text="تصمیم با مدیر خرید است", author=personas.owner)
    return Lead.objects.get(pk=lead.pk)


def a_quote(personas) -> Quote:
    quote = quote_save(
        quote=Quote(contact=customer(personas)),
        lines=[QuoteLine(description="نصب و راه‌اندازی", unit_price=12_000_000)],
        by=personas.owner,
    )
    pending_followup(quote, personas)
    return quote


def a_task(personas) -> Task:
    contact = customer(personas)
    return task_save(
        task=Task(
            assignee=personas.teammate,
            description="ارسال نمونه برای مشتری",
            remind_at=timezone.now() + datetime.timedelta(days=1),
            remind_by_email=True,
            related=contact,
        ),
        by=personas.manager,  # may hand it out; the teammate is told
    )


def an_event(personas) -> Event:
    return event_save(
        event=Event(
            title="جلسهٔ فروش",
            date=timezone.localdate() + datetime.timedelta(days=2),
            start_time=datetime.time(10),
            location="دفتر مرکزی",
            team=Team.objects.get(name="فروش"),
            remind=True,
            remind_minutes=30,
        ),
        by=personas.owner,  # the owner and the teammate are reminded
    )


def a_request(personas) -> Request:
    request = request_register(
        request=Request(
            contact=customer(personas),
            subject="خرابی دستگاه",
            description="دستگاه روشن نمی‌شود",
            urgency=Urgency.objects.order_by("deadline_days").first(),
            assignee=personas.teammate,
        ),
        by=personas.owner,
        watchers=[personas.manager],
    )
    Note.objects.create(record=request, text="مشتری عجله دارد", author=personas.owner)
    return request


def a_complaint(personas) -> Complaint:
    return complaint_register(
        complaint=Complaint(
            contact=customer(personas),
            description="کالا دیر رسید و بسته‌بندی آسیب دیده بود",
            officer=personas.teammate,
        ),
        by=personas.owner,
    )


def a_feedback(personas) -> Feedback:
    feedback = Feedback(
        contact=customer(personas), kind=Feedback.Kind.GIFT, description="سالنامه", value=900_000
    )
    return record_save(record=feedback, by=personas.owner)


def a_contact(personas):
    contact = customer(personas)
    pending_followup(a_lead_of(contact, personas), personas)
    return contact


def a_lead_of(contact, personas) -> Lead:
    return lead_save(lead=Lead(contact=contact, title="تمدید قرارداد"), by=personas.owner)


def a_phonebook_entry(personas) -> PhoneBookEntry:
    return phonebook_save(
        entry=PhoneBookEntry(name="انبار مرکزی", mobile="+989125554433", is_public=True),
        by=personas.owner,
    )


def a_group(personas) -> ContactGroup:
    group = ContactGroup.objects.get(memberships__contact=customer(personas))
    occasion_save(
        occasion=Occasion(title="شب یلدا", channel="sms", group=group, month=9, day=30, hour=16,
                          body="{نام} عزیز، یلدایتان مبارک!"),
        by=personas.owner,
    )  # fmt: skip
    return group


def an_occasion(personas) -> Occasion:
    return Occasion.objects.get(group=a_group(personas))


def a_project(personas) -> Project:
    return project_save(
        project=Project(name="راه‌اندازی شبکه", contact=customer(personas), status="active"),
        by=personas.owner,
    )


def a_cheque_receipt(personas) -> Receipt:
    """A customer's post-dated cheque settling part of an invoice beside a transfer, with
    the due-date reminders of the named users."""
    contact = customer(personas)
    invoice = issue_invoice(contact, personas.owner, 90_000_000)
    receive(contact, personas.manager, 20_000_000)
    cheque = receive_cheque(
        contact, personas.manager, 50_000_000, targets=[(invoice.entries.get().pk, 50_000_000)]
    )
    assert Reminder.objects.filter(object_id=cheque.pk, purpose="cheque_due").count() == 2
    return cheque.receipt


@dataclass
class Kind:
    build: Callable  # build(personas) -> the record, with what hangs on it
    # The page it is deleted with (a POST); None where no page deletes it yet (tasks,
    # proformas): then the service every delete goes through, record_delete.
    url_name: str | None
    by: str = "owner"  # the persona who deletes it


KINDS = {
    "contacts.contact": Kind(a_contact, "contacts:delete"),
    "contacts.phonebookentry": Kind(a_phonebook_entry, "phonebook:delete"),
    "messaging.contactgroup": Kind(a_group, "messaging:group_delete"),
    "messaging.occasion": Kind(an_occasion, "messaging:occasion_delete"),
    "activities.task": Kind(a_task, None),
    "activities.event": Kind(an_event, "activities:calendar_event_delete"),
    "sales.lead": Kind(a_lead, "sales:lead_delete"),
    "sales.quote": Kind(a_quote, None),
    "service.request": Kind(a_request, "service:request_delete"),
    "service.feedback": Kind(a_feedback, "service:feedback_delete"),
    "service.complaint": Kind(a_complaint, "service:complaint_delete"),
    "surveys.project": Kind(a_project, "surveys:project_delete", by="manager"),
    "finance.receipt": Kind(a_cheque_receipt, "finance:receipt_delete", by="manager"),
}


@pytest.mark.parametrize("label", [model._meta.label_lower for model in trash_models()])
def test_restoring_from_the_trash_puts_back_everything_deleting_took(personas, label):
    assert label in KINDS, f"{label} is in the trash: add it to KINDS"
    kind = KINDS[label]
    record = kind.build(personas)
    model = type(record)
    deleter, manager = Client(), Client()
    deleter.force_login(getattr(personas, kind.by))  # before the snapshot: signing in
    manager.force_login(personas.manager)  # is a change (last_login)
    before = database_state(record)

    if kind.url_name is None:
        record_delete(record=record, by=getattr(personas, kind.by))
    else:
        assert deleter.post(reverse(kind.url_name, args=[record.pk])).status_code == 302
    assert model.all_objects.get(pk=record.pk).is_deleted
    trash = manager.get(reverse("core:trash")).content.decode()
    # As a Persian-digits reader sees it, codes isolated left to right (core.digits).
    assert to_persian_digits(str(record)) in re.sub("[\u2066\u2069]", "", trash)
    restore = reverse("core:trash_restore", args=[label, record.pk])
    assert manager.post(restore).status_code == 302

    after = database_state(record)
    assert differences(before, after) == {}
    # What the comparison leaves out: the history tells of both steps.
    history = ChangeRecord.objects.filter(
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
        object_id=record.pk,
    )
    assert list(history.values_list("action", flat=True)[:2]) == ["restored", "deleted"]


def test_a_restored_lead_is_back_in_my_follow_ups_with_its_reminders(client, personas):
    lead = a_lead(personas)
    pending = FollowUp.objects.get(lead=lead, settled_at__isnull=True)
    assert pending.next_by == personas.teammate  # referred to them: their turn
    reminders = list(Reminder.objects.filter(object_id=pending.pk, purpose="followup").values())
    assert {row["user_id"] for row in reminders} == {personas.owner.pk, personas.teammate.pk}
    due = reverse("sales:followup_due")
    client.force_login(personas.teammate)
    assert "خرید ۲۰ دستگاه" in client.get(due).content.decode()
    client.force_login(personas.owner)
    client.post(reverse("sales:lead_delete", args=[lead.pk]))
    client.force_login(personas.teammate)
    assert "خرید ۲۰ دستگاه" not in client.get(due).content.decode()
    assert not Reminder.objects.filter(object_id=pending.pk, purpose="followup").exists()

    client.force_login(personas.manager)
    client.post(reverse("core:trash_restore", args=["sales.lead", lead.pk]))

    client.force_login(personas.teammate)
    assert "خرید ۲۰ دستگاه" in client.get(due).content.decode()
    assert my_followups(personas.teammate) == [pending]
    assert list(Reminder.objects.filter(object_id=pending.pk, purpose="followup").values()) == (
        reminders
    )


def test_deleting_again_after_a_restore_is_undone_again(client, personas):
    event = an_event(personas)
    reminders = list(Reminder.objects.filter(purpose="event").values())
    for _round in range(2):
        client.force_login(personas.owner)
        client.post(reverse("activities:calendar_event_delete", args=[event.pk]))
        assert not Reminder.objects.filter(purpose="event").exists()
        client.force_login(personas.manager)
        client.post(reverse("core:trash_restore", args=["activities.event", event.pk]))
        assert list(Reminder.objects.filter(purpose="event").values()) == reminders
