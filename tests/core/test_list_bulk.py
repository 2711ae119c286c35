"""A list's bulk actions (core.lists.bulk, core:list_bulk): the ticked rows or every row
of the list's query, re-read through the list (so never a row the user may not see),
capped, refused without the action's permission, and each action done by the app's own
service (history as for a single edit)."""

import copy

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.urls import reverse

from peyvand.accounts.roles import SUPPORT
from peyvand.activities.models import Notification, Task
from peyvand.core.lists import BULK_LIMIT
from peyvand.core.models import ChangeRecord
from peyvand.core.text import to_persian_digits
from peyvand.lookups.models import Urgency
from peyvand.sales.models import Lead
from peyvand.service import services as service
from peyvand.service.models import Request
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


def bulk(list_key: str, action: str) -> str:
    return reverse("core:list_bulk", args=[list_key, action])


def said(response) -> list[str]:
    """What the redirect's page will say: the messages not shown yet (a test follows no
    redirect, so the earlier posts' are still there: the last is this one's)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def changes_of(record) -> list[dict]:
    """The history lines' field changes of a record, oldest first."""
    lines = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        action=ChangeRecord.Action.CHANGED,
    ).order_by("at", "pk")
    return [change for line in lines for change in line.changes]


def user_with(*codenames: str):
    user = UserFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def responsibles() -> dict[int, int]:
    return dict(Lead.objects.values_list("pk", "responsible_id"))


# Leads: the core view's rules, on the lead list's «تغییر مسئول» ---------------------------


def test_a_rep_hands_ticked_leads_to_a_teammate_and_history_says_so(client, personas):
    first, second = LeadFactory.create_batch(2, owner=personas.owner)
    hidden = LeadFactory(owner=personas.outsider)  # another team's: not the rep's to see
    client.force_login(personas.owner)
    answer = client.post(
        bulk("leads", "responsible"),
        {
            "id": [first.pk, second.pk, hidden.pk],
            "responsible-person": personas.teammate.pk,
            "next": "/sales/leads/?stars=1",
        },
    )
    assert answer.status_code == 302 and answer.url == "/sales/leads/?stars=1"
    assert said(answer) == [f"۲ سرنخ به «{personas.teammate}» سپرده شد."]
    now = responsibles()
    assert now[first.pk] == now[second.pk] == personas.teammate.pk
    assert now[hidden.pk] == personas.outsider.pk  # its id posted, still untouched
    assert any(change["new"] == str(personas.teammate) for change in changes_of(first))
    assert changes_of(hidden) == []


def test_the_new_responsible_is_told_once_of_many_leads_and_as_ever_of_one(client, personas):
    """Five thousand leads handed over are one notification that opens the newcomer's
    leads, not five thousand; a single lead is told by its code, as the form does."""
    many = LeadFactory.create_batch(3, owner=personas.owner)
    one = LeadFactory(owner=personas.owner)
    client.force_login(personas.owner)
    told = Notification.objects.filter(user=personas.teammate)
    client.post(
        bulk("leads", "responsible"),
        {"id": [lead.pk for lead in many], "responsible-person": personas.teammate.pk},
    )
    assert list(told.values_list("title", "url")) == [
        (f"3 سرنخ از {personas.owner} به شما سپرده شد", "/sales/leads/?responsible=me")
    ]
    told.delete()
    client.post(
        bulk("leads", "responsible"), {"id": [one.pk], "responsible-person": personas.teammate.pk}
    )
    assert list(told.values_list("title", "url")) == [
        (f"سرنخ {one.code} از {personas.owner} به شما سپرده شد", one.get_absolute_url())
    ]


def test_who_may_see_the_list_but_not_act_is_refused(client, personas):
    lead = LeadFactory(owner=personas.owner)
    viewer = user_with("view_lead", "see_all")
    client.force_login(viewer)
    data = {"id": [lead.pk], "responsible-person": personas.teammate.pk}
    assert client.post(bulk("leads", "responsible"), data).status_code == 403
    # Nor may who cannot see the list at all, whatever actions they hold.
    client.force_login(user_with("change_lead"))
    assert client.post(bulk("leads", "responsible"), data).status_code == 403
    assert responsibles()[lead.pk] == personas.owner.pk


def test_an_unknown_list_or_action_is_not_found_and_get_is_refused(client, personas):
    client.force_login(personas.manager)
    assert client.post(bulk("nonsense", "responsible"), {}).status_code == 404
    assert client.post(bulk("leads", "nonsense"), {}).status_code == 404
    assert client.get(bulk("leads", "responsible")).status_code == 405


def test_all_filtered_results_are_the_list_s_query_within_what_the_user_sees(client, personas):
    """«همه نتایج فیلتر»: the page's query (``params``), with the list's defaults (open
    leads), never what is ticked nor another team's rows."""
    starred = LeadFactory(owner=personas.owner, stars=3)
    plain = LeadFactory(owner=personas.owner, stars=1)
    won = LeadFactory(owner=personas.owner, stars=3, status=Lead.Status.WON)
    hidden = LeadFactory(owner=personas.outsider, stars=3)
    client.force_login(personas.owner)
    answer = client.post(
        bulk("leads", "responsible"),
        {
            "all": "1",
            "params": "stars=3",
            "id": [plain.pk],
            "responsible-person": personas.teammate.pk,
        },
    )
    assert said(answer) == [f"۱ سرنخ به «{personas.teammate}» سپرده شد."]
    now = responsibles()
    assert now[starred.pk] == personas.teammate.pk
    assert now[plain.pk] == now[won.pk] == personas.owner.pk
    assert now[hidden.pk] == personas.outsider.pk


def test_ticked_rows_are_found_whatever_the_list_s_defaults(client, personas):
    """A won lead is off the list's default («باز»), yet ticked under «همه»: it goes."""
    won = LeadFactory(owner=personas.owner, status=Lead.Status.WON)
    client.force_login(personas.owner)
    client.post(
        bulk("leads", "responsible"), {"id": [won.pk], "responsible-person": personas.teammate.pk}
    )
    assert responsibles()[won.pk] == personas.teammate.pk


def test_more_rows_than_the_limit_change_nothing_and_say_so(client, personas):
    template = LeadFactory(owner=personas.owner)
    copies = []
    for number in range(BULK_LIMIT):
        lead = copy.copy(template)
        lead.pk = None
        lead.code = f"B{number:05d}"
        copies.append(lead)
    Lead.objects.bulk_create(copies, batch_size=500)
    client.force_login(personas.owner)
    answer = client.post(
        bulk("leads", "responsible"),
        {"all": "1", "params": "", "responsible-person": personas.teammate.pk},
    )
    assert said(answer) == [
        "بیش از ۵٬۰۰۰ ردیف انتخاب شده است؛ فیلترها را تنگ‌تر کنید و دوباره بزنید."
    ]
    assert not Lead.objects.filter(responsible=personas.teammate).exists()


def test_nothing_ticked_or_no_new_responsible_changes_nothing(client, personas):
    lead = LeadFactory(owner=personas.owner)
    stranger = UserFactory()  # no role: not among who may hold leads
    client.force_login(personas.owner)
    url = bulk("leads", "responsible")
    nothing = client.post(url, {"responsible-person": personas.teammate.pk})
    assert said(nothing) == [
        "ردیفی انتخاب نشده است: ردیف‌ها را تیک بزنید یا «همه نتایج فیلتر» را بزنید."
    ]
    assert said(client.post(url, {"id": [lead.pk]}))[-1] == "مسئول تازه را انتخاب کنید."
    refused = client.post(url, {"id": [lead.pk], "responsible-person": stranger.pk})
    assert said(refused)[-1] == "مسئول تازه را از فهرست انتخاب کنید."
    only_hidden = client.post(
        url,
        {"id": [LeadFactory(owner=personas.outsider).pk], "responsible-person": lead.owner.pk},
    )
    assert said(only_hidden)[-1] == "ردیفی از این فهرست که شما ببینید انتخاب نشده است."
    assert responsibles()[lead.pk] == personas.owner.pk


def test_back_goes_only_to_a_page_of_this_site(client, personas):
    lead = LeadFactory(owner=personas.owner)
    client.force_login(personas.owner)
    data = {"id": [lead.pk], "responsible-person": personas.teammate.pk}
    answer = client.post(bulk("leads", "responsible"), data | {"next": "https://evil.example/"})
    assert answer.url == reverse("sales:lead_list")


def test_the_list_gives_ticks_and_the_action_bar_only_to_who_may_act(client, personas):
    LeadFactory.create_batch(3, owner=personas.owner)
    client.force_login(personas.owner)
    page = client.get(reverse("sales:lead_list"))
    html = page.content.decode()
    assert html.count('name="id" form="bulk-form"') == 3
    assert 'data-check-all="id" aria-label="انتخاب همه ردیف‌های این صفحه"' in html
    assert f'formaction="{bulk("leads", "responsible")}"' in html
    assert 'name="responsible-person"' in html and "همه نتایج فیلتر" in html
    lead = Lead.objects.order_by("pk").first()
    assert f'aria-label="انتخاب {to_persian_digits(str(lead))}"' in html
    viewer = user_with("view_lead", "see_all")
    client.force_login(viewer)
    html = client.get(reverse("sales:lead_list")).content.decode()
    assert 'form="bulk-form"' not in html and 'id="bulk-form"' not in html


# Tasks: «انجام شد» -----------------------------------------------------------------------


def test_ticked_tasks_are_done_as_their_own_button_does_it(client, personas):
    mine = Task.objects.create(owner=personas.teammate, assignee=personas.owner, description="یک")
    # The list starts at «من»; a teammate's task ticked under «همه» is done too.
    theirs = Task.objects.create(
        owner=personas.teammate, assignee=personas.teammate, description="دو"
    )
    done = Task.objects.create(
        owner=personas.owner, assignee=personas.owner, description="سه", status="done"
    )
    hidden = Task.objects.create(
        owner=personas.outsider, assignee=personas.outsider, description="چهار"
    )
    client.force_login(personas.owner)
    answer = client.post(bulk("tasks", "done"), {"id": [mine.pk, theirs.pk, done.pk, hidden.pk]})
    assert said(answer) == ["۲ وظیفه انجام شد."]
    status = dict(Task.objects.values_list("pk", "status"))
    assert status[mine.pk] == status[theirs.pk] == "done"
    assert status[hidden.pk] == "open"
    assert changes_of(mine) and changes_of(hidden) == []
    assert Task.objects.get(pk=mine.pk).done_at is not None


def test_all_filtered_tasks_are_the_reader_s_by_default(client, personas):
    mine = Task.objects.create(owner=personas.teammate, assignee=personas.owner, description="یک")
    theirs = Task.objects.create(
        owner=personas.teammate, assignee=personas.teammate, description="دو"
    )
    client.force_login(personas.owner)
    client.post(bulk("tasks", "done"), {"all": "1", "params": ""})
    status = dict(Task.objects.values_list("pk", "status"))
    assert status[mine.pk] == "done" and status[theirs.pk] == "open"


# Requests: «ارجاع» and «تأیید و بایگانی» -------------------------------------------------


@pytest.fixture
def desk(db):
    return (
        UserFactory(username="agent", role=SUPPORT),
        UserFactory(username="colleague", role=SUPPORT),
        UserFactory(username="third", role=SUPPORT),
    )


def register(by, assignee) -> Request:
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    item = Request(description="دستگاه روشن نمی‌شود", urgency=urgency, assignee=assignee)
    return service.request_register(request=item, by=by)


def test_the_creator_reassigns_ticked_requests_the_assignee_has_not_acted_on(client, desk):
    agent, colleague, third = desk
    fresh = register(agent, colleague)
    acted = register(agent, colleague)
    service.request_done(request=acted, by=colleague, result="انجام شد")
    theirs = register(colleague, agent)  # visible (assigned to the agent), not theirs to edit
    client.force_login(agent)
    answer = client.post(
        bulk("requests", "assign"),
        {"id": [fresh.pk, acted.pk, theirs.pk], "assign-person": third.pk},
    )
    assert said(answer)[0].startswith(f"۱ درخواست از ۳ به «{third}» ارجاع شد")
    assignees = dict(Request.objects.values_list("pk", "assignee_id"))
    assert assignees[fresh.pk] == third.pk
    assert assignees[acted.pk] == colleague.pk  # the assignee acted: skipped
    assert assignees[theirs.pk] == agent.pk  # not the agent's request: skipped
    assert any(change["new"] == str(third) for change in changes_of(fresh))
    assert third.notifications.count() == 1  # told once, as the edit form tells


def test_the_creator_archives_every_done_request_of_the_filter(client, desk):
    agent, colleague, _third = desk
    done = register(agent, colleague)
    service.request_done(request=done, by=colleague, result="تعمیر شد")
    open_one = register(agent, colleague)
    client.force_login(agent)
    answer = client.post(bulk("requests", "archive"), {"all": "1", "params": "status=all"})
    assert said(answer)[0].startswith("۱ درخواست از ۲ تأیید و بایگانی شد")
    status = dict(Request.objects.values_list("pk", "status"))
    assert status[done.pk] == Request.Status.ARCHIVED
    assert status[open_one.pk] == Request.Status.OPEN
