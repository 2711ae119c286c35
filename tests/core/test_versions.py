"""Lost updates (core.versions): two people open the same record's edit page and both
save; the later save is refused with a Persian message naming who changed what, with
everything the second person typed kept, and the first person's change survives. Saving
the refused form again is then a deliberate overwrite."""

import datetime
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peyvand.activities import calls
from peyvand.activities import services as activities
from peyvand.activities.models import Call, Event, Task
from peyvand.contacts import services as contacts
from peyvand.contacts.models import PhoneBookEntry
from peyvand.core.dates import format_date, format_time
from peyvand.core.history import snapshot
from peyvand.core.models import ChangeRecord
from peyvand.core.versions import StaleEdit
from peyvand.lookups.models import Urgency
from peyvand.messaging import services as messaging
from peyvand.messaging.models import ContactGroup, Occasion
from peyvand.sales import services as sales
from peyvand.sales.models import Lead, Product, Quote, QuoteLine
from peyvand.service import services as service
from peyvand.service.models import Complaint, Request
from peyvand.surveys import services as surveys
from peyvand.surveys.models import Project
from tests.factories import ContactFactory, LeadFactory
from tests.html_forms import edit_form

pytestmark = pytest.mark.django_db


@dataclass
class Kind:
    """A kind of record with an edit page: how to make one, its edit URL, which text
    field both people change, and who the two editors are (persona names; the same
    person in two tabs where only one may edit it)."""

    make: Callable
    url: str
    field: str
    first: str = "owner"
    second: str = "teammate"


def _lead(people):
    return LeadFactory(owner=people.owner)


def _quote(people):
    quote = Quote(contact=ContactFactory(owner=people.owner))
    lines = [QuoteLine(description="نصب", unit_price=1_000_000)]
    return sales.quote_save(quote=quote, lines=lines, by=people.owner)


def _request(people):
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    item = Request(assignee=people.teammate, description="دستگاه روشن نمی‌شود", urgency=urgency)
    return service.request_register(request=item, by=people.owner)


def _complaint(people):
    complaint = Complaint(
        officer=people.teammate,
        contact=ContactFactory(owner=people.owner),
        description="کالا دیر رسید",
    )
    return service.complaint_register(complaint=complaint, by=people.owner)


def _task(people):
    task = Task(assignee=people.owner, description="تماس با مشتری", date=timezone.localdate())
    return activities.task_save(task=task, by=people.owner)


def _event(people):
    team = people.owner.teams.get()  # a team event: the manager sees it too
    event = Event(title="جلسهٔ فروش", date=timezone.localdate(), team=team)
    return activities.event_save(event=event, by=people.owner)


def _call(people):
    call = Call(kind=Call.Kind.OUTGOING, number="09121234567", started_at=timezone.now())
    return calls.call_log(call=call, by=people.owner)


def _phonebook(people):
    entry = PhoneBookEntry(name="پذیرش ساختمان", extension="101", is_public=True)
    return contacts.phonebook_save(entry=entry, by=people.owner)


def _project(people):
    project = Project(name="نصب تابلو", contact=ContactFactory(owner=people.owner))
    return surveys.project_save(project=project, by=people.owner)


def _group(people):
    return messaging.group_save(group=ContactGroup(name="مشتریان ویژه"), by=people.owner)


def _occasion(people):
    occasion = Occasion(title="نوروز", group=_group(people), month=1, day=1, hour=9, body="سلام")
    return messaging.occasion_save(occasion=occasion, by=people.owner)


def _contact(people):
    return ContactFactory(owner=people.owner)


KINDS = {
    "lead": Kind(_lead, "sales:lead_edit", "notes"),
    "proforma": Kind(_quote, "sales:quote_edit", "notes"),
    # Only its creator edits a request: the same person in two tabs.
    "request": Kind(_request, "service:request_edit", "description", second="owner"),
    "complaint": Kind(_complaint, "service:complaint_edit", "actions"),
    # A rep may not hand a task or someone else's event over: the manager edits it.
    "task": Kind(_task, "activities:task_edit", "description", second="manager"),
    "event": Kind(_event, "activities:calendar_event_edit", "title", second="manager"),
    "call": Kind(_call, "activities:call_edit", "notes"),
    "phone-book entry": Kind(_phonebook, "phonebook:edit", "notes", second="manager"),
    "project": Kind(_project, "surveys:project_edit", "description"),
    "send group": Kind(_group, "messaging:group_edit", "description"),
    "occasion": Kind(_occasion, "messaging:occasion_edit", "title"),
    "contact": Kind(_contact, "contacts:edit", "notes"),
}


def _opened_by(user, url: str) -> tuple[Client, dict]:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return client, edit_form(response.content.decode())


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_a_later_save_of_a_stale_form_is_refused_naming_who_changed_what(personas, kind):
    record = kind.make(personas)
    url = reverse(kind.url, args=[record.pk])
    first, second = getattr(personas, kind.first), getattr(personas, kind.second)
    first_client, first_form = _opened_by(first, url)
    second_client, second_form = _opened_by(second, url)

    saved = first_client.post(url, first_form | {kind.field: "نوشتهٔ نفر اول"})
    assert saved.status_code == 302, edit_form(saved.content.decode())
    refused = second_client.post(url, second_form | {kind.field: "نوشتهٔ نفر دوم"})

    assert refused.status_code == 200
    page = refused.content.decode()
    label = type(record)._meta.get_field(kind.field).verbose_name
    kind_name = type(record)._meta.verbose_name
    assert f"{first} این {kind_name} را " in page
    fields = re.search(r"تغییر داده است \(([^)]*)\)", page)[1].split("، ")
    assert label in fields
    assert edit_form(page)[kind.field] == ["نوشتهٔ نفر دوم"]  # what they typed is kept
    record.refresh_from_db()
    assert getattr(record, kind.field) == "نوشتهٔ نفر اول"

    # Having read what changed, saving the same form again is a deliberate overwrite.
    again = second_client.post(url, edit_form(page))
    assert again.status_code == 302
    record.refresh_from_db()
    assert getattr(record, kind.field) == "نوشتهٔ نفر دوم"


def test_an_edit_of_the_record_as_it_is_saves(client, personas):
    lead = LeadFactory(owner=personas.owner)
    url = reverse("sales:lead_edit", args=[lead.pk])
    client.force_login(personas.owner)
    for title in ("یک", "دو"):  # each save starts from a freshly opened form
        form = edit_form(client.get(url).content.decode())
        assert client.post(url, form | {"title": title}).status_code == 302
    lead.refresh_from_db()
    assert lead.title == "دو"


def test_the_refusal_names_each_person_with_their_fields_and_the_day_of_an_older_change(
    client, personas
):
    lead = LeadFactory(owner=personas.owner)
    url = reverse("sales:lead_edit", args=[lead.pk])
    _, stale = _opened_by(personas.manager, url)
    for user, changes in ((personas.owner, {"title": "تازه"}), (personas.teammate, {"stars": "3"})):
        editor, form = _opened_by(user, url)
        assert editor.post(url, form | changes).status_code == 302
    # Move the story back: the manager opened the form three days ago, the owner
    # changed the title two days ago, the teammate the stars just now.
    loaded = datetime.datetime.fromisoformat(stale["version"][0]) - datetime.timedelta(days=3)
    owner_line = ChangeRecord.objects.filter(object_id=lead.pk, user=personas.owner).get()
    owner_line.at -= datetime.timedelta(days=2)
    owner_line.save(update_fields=["at"])

    client.force_login(personas.manager)
    response = client.post(url, stale | {"version": loaded.isoformat(), "notes": "مدیر"})

    page = response.content.decode()
    title, stars = (Lead._meta.get_field(name).verbose_name for name in ("title", "stars"))
    when = f"{format_date(owner_line.at)} ساعت {format_time(owner_line.at)}"
    assert f"{personas.owner} این سرنخ را {when} تغییر داده است ({title})." in page
    assert f"{personas.teammate} این سرنخ را ساعت " in page
    assert f"تغییر داده است ({stars})." in page
    assert edit_form(page)["notes"] == ["مدیر"]


def test_a_catalogue_line_without_history_is_refused_all_the_same(personas):
    product = Product.objects.create(code="P-1", name="تابلو برق", price=1_000_000)
    url = reverse("sales:product_edit", args=[product.pk])
    first_client, first_form = _opened_by(personas.manager, url)
    second_client, second_form = _opened_by(personas.manager, url)
    assert first_client.post(url, first_form | {"name": "تابلو اول"}).status_code == 302

    refused = second_client.post(url, second_form | {"name": "تابلو دوم"})

    page = refused.content.decode()
    assert "کس دیگری این کالا یا خدمت را در این فاصله تغییر داده است." in page
    assert edit_form(page)["name"] == ["تابلو دوم"]
    product.refresh_from_db()
    assert product.name == "تابلو اول"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_many_saves_of_one_version_at_once_exactly_one_passes(personas):
    """The row lock: without it, saves that read the version before any of them
    committed would all pass on PostgreSQL."""
    lead = LeadFactory(owner=personas.owner)
    version = lead.updated_at
    start = threading.Barrier(20)
    outcomes: list[str] = []

    def save(index: int) -> None:
        try:
            mine = Lead.objects.get(pk=lead.pk)
            before = snapshot(mine)
            mine.notes = f"ویرایش {index}"
            start.wait()
            sales.lead_save(lead=mine, by=personas.owner, before=before, version=version)
            outcomes.append("saved")
        except StaleEdit:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 19 + ["saved"]
