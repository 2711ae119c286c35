"""سابقه طرف حساب: a customer's open and archived items of every kind and all their
files, only what the user may see, in a fixed number of queries."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import reverse

from peyvand.accounts.roles import SALES, SUPPORT
from peyvand.activities.models import Task
from peyvand.core.models import Attachment
from peyvand.lookups.models import Urgency
from peyvand.sales.models import Lead, Quote, QuoteLine
from peyvand.sales.services import lead_close, quote_save, quote_set_status, quote_to_invoice
from peyvand.service import services
from peyvand.service.models import Complaint, Feedback, Request
from tests.factories import ContactFactory, LeadFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def attach(record, name: str, by) -> Attachment:
    return Attachment.objects.create(
        record=record,
        file=ContentFile(b"%PDF-1.4 test", name=name),
        original_name=name,
        mime_type="application/pdf",
        size=13,
        uploaded_by=by,
    )


def customer_with_everything(rep, agent, number: int = 0):
    """A customer with, of every kind, one item still open and one archived."""
    customer = ContactFactory(owner=rep, name=f"فروشگاه آریا {number}")
    TeamFactory().members.add(rep, agent)
    normal = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    open_lead = LeadFactory(owner=rep, contact=customer, title=f"خرید یخچال {number}")
    won = LeadFactory(owner=rep, contact=customer, title=f"خرید کولر {number}")
    lead_close(lead=won, by=rep, status=Lead.Status.WON)
    line = [QuoteLine(description="نصب", unit_price=1000)]
    quote_save(quote=Quote(contact=customer, lead=open_lead), lines=line, by=rep)
    sold = quote_save(quote=Quote(contact=customer), lines=list(line), by=rep)
    quote_set_status(quote=sold, by=rep, status="accepted")
    quote_to_invoice(quote=sold, by=rep)
    request = Request(contact=customer, description=f"خرابی {number}", urgency=normal)
    request.assignee = agent
    request = services.request_register(request=request, by=agent)
    attach(request, f"عکس-خرابی-{number}.pdf", agent)
    done = Request(contact=customer, description="نصب", urgency=normal, assignee=agent)
    done = services.request_register(request=done, by=agent)
    services.request_done(request=done, by=agent, result="نصب شد")
    services.request_archive(request=done, by=agent)
    complaint = services.complaint_register(
        complaint=Complaint(contact=customer, description="تأخیر", officer=agent), by=agent
    )
    services.complaint_close(complaint=complaint, by=agent, result="پوزش خواستیم")
    Feedback.objects.create(contact=customer, kind="gift", description="سررسید", owner=agent)
    task = Task(owner=rep, assignee=rep, description="تماس برای تمدید")
    task.related = customer
    task.save()
    attach(customer, f"قرارداد-{number}.pdf", rep)
    return customer


def test_the_history_shows_every_kind_open_apart_from_archived_and_all_files(client):
    rep = UserFactory(role=SALES)
    agent = UserFactory(role=SUPPORT)
    customer = customer_with_everything(rep, agent)
    hidden = Request(contact=customer, description="محرمانه", urgency=Urgency.objects.first())
    hidden.assignee = outsider = UserFactory(role=SUPPORT)
    services.request_register(request=hidden, by=outsider)
    client.force_login(rep)
    page = client.get(reverse("contacts:history", args=[customer.pk]))
    assert page.status_code == 200
    opened = {source.label: items for source, items in page.context["open_groups"]}
    archived = {source.label: items for source, items in page.context["closed_groups"]}
    assert [item.title for item in opened["سرنخ‌ها"]] == ["خرید یخچال 0"]
    assert [item.title for item in archived["سرنخ‌ها"]] == ["خرید کولر 0"]
    assert len(opened["پیش فاکتورها"]) == 1 and len(archived["پیش فاکتورها"]) == 1
    assert len(archived["فاکتورها"]) == 1 and "فاکتورها" not in opened
    assert len(opened["وظایف"]) == 1
    # The rep's teammate registered the requests and the complaint: the requests are
    # private (creator and assignee only), so the rep sees none; a complaint is its
    # people's only.
    assert "درخواست‌ها" not in opened and "شکایات" not in archived
    names = [file.original_name for file in page.context["files"]]
    assert names == ["قرارداد-0.pdf"]

    client.force_login(agent)
    page = client.get(reverse("contacts:history", args=[customer.pk]))
    opened = {source.label: items for source, items in page.context["open_groups"]}
    archived = {source.label: items for source, items in page.context["closed_groups"]}
    assert [item.record.description for item in opened["درخواست‌ها"]] == ["خرابی 0"]
    assert [item.record.description for item in archived["درخواست‌ها"]] == ["نصب"]
    assert len(archived["شکایات"]) == 1 and len(archived["پیشنهادها، هدایا و تخفیف‌ها"]) == 1
    assert "سرنخ‌ها" not in opened  # support does not work leads
    html = page.content.decode()
    # File names are text a person reads: in Persian digits (core.digits).
    assert "عکس-خرابی-۰.pdf" in html and "قرارداد-۰.pdf" in html
    assert "محرمانه" not in html
    assert (
        reverse("contacts:history", args=[customer.pk])
        in client.get(customer.get_absolute_url()).content.decode()
    )


def test_the_history_query_count_does_not_grow(client, django_assert_num_queries):
    rep = UserFactory(role=SALES)
    agent = UserFactory(role=SUPPORT)
    customer = customer_with_everything(rep, agent)
    for number in range(1, 4):  # more of everything
        other = customer_with_everything(rep, agent, number)
        for model in (Lead, Quote, Request, Complaint, Feedback):
            model.all_objects.filter(contact=other).update(contact=customer)
        Task.objects.filter(object_id=other.pk).update(object_id=customer.pk)
        contact_type = ContentType.objects.get_for_model(customer)
        Attachment.objects.filter(content_type=contact_type, object_id=other.pk).update(
            object_id=customer.pk
        )
    client.force_login(agent)
    ContentType.objects.clear_cache()
    # session, user, permissions (2), team ids, site settings, the contact; one query
    # per kind (tasks, requests, complaints, feedback, projects); the files; and the
    # content types (contact, task, request, complaint, feedback), read once per process
    with django_assert_num_queries(18):
        page = client.get(reverse("contacts:history", args=[customer.pk]))
    assert len(page.context["files"]) == 8  # 4 contracts, 4 requests' photos
