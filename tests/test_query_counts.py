"""Each page's SQL query count, pinned, and the same whether a list holds a few rows or
many: a page whose count grows with its rows has an N+1."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from peyvand.activities.models import Call, Event, Notification, Task
from peyvand.contacts.models import PhoneBookEntry
from peyvand.core.models import HolidayOverride, Sequence
from peyvand.customfields.models import CustomField
from peyvand.lookups.models import Urgency
from peyvand.messaging.models import (
    Broadcast,
    ContactGroup,
    Message,
    MessageTemplate,
    Occasion,
)
from peyvand.sales.models import Product, Quote, QuoteLine
from peyvand.sales.services import quote_save, quote_set_status, quote_to_invoice
from peyvand.service.models import Complaint, Request
from peyvand.service.services import complaint_register, request_register
from peyvand.surveys.models import Project, Questionnaire
from tests.factories import (
    ContactFactory,
    FollowUpFactory,
    LeadFactory,
    TeamFactory,
    UserFactory,
)
from tests.finance.money import receive_cheque

# Every page starts with: session, user, the user's permissions (2 queries), and the
# site settings (company name, money unit): 5.
BASE = 5
PAGES: dict[str, tuple[list, int]] = {
    # url name: (args, queries beyond BASE)
    # (the manager holds "see all", so no team-ids query)
    # my due follow-ups (their ids, then the rows), holiday overrides, my tasks and my
    # events for today, my recent contacts, the requests waiting for me (to do, to
    # confirm), what customers owe this week and the cheques due (a manager follows both)
    "core:home": ([], 10),
    # one query per search source (contacts, phone book, leads, requests, complaints)
    "core:search": ([], 5),
    # one query per trashable model: contacts, phone book, groups, occasions, tasks,
    # events, leads, proformas, requests, suggestions/gifts/discounts, complaints,
    # projects, receipts and payments
    "core:trash": ([], 13),
    "core:site_settings": ([], 0),
    "core:holidays": ([], 1),  # overrides of the year
    "core:sequence_list": ([], 1),
    "accounts:preferences": ([], 1),  # the API tokens card
    "accounts:user_list": ([], 3),  # users, their groups, their teams
    "accounts:team_list": ([], 2),  # teams, their members
    "accounts:role_list": ([], 3),  # roles, permissions, content types
    "lookups:index": ([], 0),
    "lookups:list": (["results"], 1),
    "customfields:list": ([], 1),
    # core.lists: the entries (with owner); the bar's owners and the custom fields; the
    # user's columns, the saved views and the teams to share one with
    "phonebook:list": ([], 6),
    # core.lists: the contacts (with category, region, grade, source, position, owner);
    # the bar's sources whether set or not (owners, categories, regions, grades, sources,
    # positions, the send groups the user may see, the custom fields); the user's
    # columns, the saved views and the teams to share one with
    "contacts:list": ([], 12),
    # core.lists: the tasks (with people, urgency, team); the bar's sources whether set or
    # not (assignees, givers, teams, urgencies); the user's columns, the saved views and
    # the teams to share one with
    "activities:task_list": ([], 8),
    "activities:notification_list": ([], 1),
    # my teams (the filter), holiday overrides, events (with team and owner), my tasks
    "activities:calendar": ([], 4),
    # core.lists: the calls with contact (and whether the reader may see it) and owner;
    # the users to filter by; the user's columns, saved views and teams to share with
    "activities:call_list": ([], 5),
    # core.lists: the events with team and owner; the bar's teams and owners; columns,
    # saved views, teams to share with
    "activities:event_list": ([], 6),
    "activities:calendar_feed": ([], 1),
    # core.lists: the leads (with customer, its category and region, source, last result,
    # responsible); the footer's count and expected amounts (one capped aggregate); the
    # bar's sources whether set or
    # not (the customer's name, the responsibles, the results, the teams, the sources,
    # the categories, the regions, the fiscal years, the custom fields); columns, saved
    # views, teams to share a view with
    "sales:lead_list": ([], 14),
    # one query per column (4 stages, won, lost), the responsible filter
    "sales:lead_board": ([], 7),
    # follow-ups with their lead, proforma or complaint, its customer, and the result
    "sales:followup_due": ([], 1),
    "sales:product_list": ([], 1),
    # core.lists: the rows with customer and issuer, the footer's totals (one capped aggregate), the
    # bar's sources whether set or not (the customer's name, the issuers, the fiscal
    # years), the user's columns, the saved views and (for the manager, who may share a
    # view) the teams to share with
    "sales:quote_list": ([], 8),
    "sales:invoice_list": ([], 8),
    # customers who bought services (each one's figures: subqueries of the same query)
    "sales:service_customers": ([], 1),
    # core.lists: the rows with customer, recorder and bank account; the footer's totals
    # (one capped aggregate: in and out apart); the bar's sources whether set or not (the
    # customer's name, the company's bank accounts, the recorders); the user's columns,
    # the saved views and the teams to share one with (as the invoice list)
    "finance:receipt_list": ([], 8),
    # the rows with customer, receipt and bank account; the footer's count and sum; the
    # customer's name and the bank accounts (the cheque's bank is a fixed list); columns,
    # saved views, teams to share with
    "finance:cheque_list": ([], 7),
    # core.lists («کارتابل من» and «ارسالی‌های من» lead here with a preset): the rows
    # with customer, people, urgency, channel and types; the fields the service settings
    # hide; the bar's sources whether set or not (the customer's name, the people, the
    # urgencies, the channels, the three levels of types in one, the custom fields); the
    # user's columns, the saved views and the teams to share one with
    "service:request_all": ([], 11),
    # the rows with customer, people, channel and product; the hidden fields; the
    # customer's name, the products, the users (staff and officer), the channels, the
    # custom fields; columns, saved views, teams
    "service:complaint_list": ([], 10),
    "reports:index": ([], 0),
    # core.lists: the projects (with customer and owner); the customer filter's name
    # and the owners; the user's columns, the saved views and the teams to share one with
    "surveys:project_list": ([], 6),
    "surveys:questionnaire_list": ([], 1),  # questionnaires with their question counts
    # the filter form's trees (categories, regions), users and teams; the report:
    # follow-ups counted by result
    "reports:show": (["followups"], 5),
    # core.lists: the messages (with sender and contact); the bar's sources whether set
    # or not (the senders, the contact's name, the broadcast's title); the user's
    # columns, the saved views and the teams to share one with; the SMS provider's
    # settings row (which one sends, named above the list)
    "messaging:list": ([], 8),
    "messaging:broadcast_list": ([], 1),
    "messaging:group_list": ([], 1),
    "messaging:occasion_list": ([], 1),  # occasions with group, owner and last broadcast
    "messaging:template_list": ([], 1),
    # the settings row, the templates, the users to choose (twice: two fields), the SMS
    # provider's settings row
    "messaging:settings": ([], 5),
}


# Pages asked with filters: the filters cost no query of their own.
PARAMS = {
    "core:search": {"q": "کریمی"},
    "phonebook:list": {"q": "البرز", "tab": "public", "owner": "me", "sort": "-name"},
    "surveys:project_list": {
        "status": "active",
        "contact": "1",
        "owner": "me",
        "start_from": "1405/01/01",
        "start_to": "1405/12/29",
        "sort": "-start",
    },
    # Every filter of the list at once, and a sort.
    "sales:quote_list": {
        "q": "کریمی",
        "date_period": "this_year",
        "contact": "1",
        "owner": "me",
        "kind": "service",
        "amount_min": "۱۰۰۰",
        "amount_max": "10,000,000,000",
        "year": "1405",
        "status": "accepted",
        "valid_period": "next_30_days",
        "sort": "-total",
    },
    "sales:invoice_list": {
        "q": "1405",
        "date_from": "1405/01/01",
        "date_to": "1405/12/29",
        "contact": "1",
        "owner": "me",
        "kind": "service",
        "amount_min": "1",
        "year": "1405",
        "payment": "unpaid",
        "due_period": "overdue",
        "subject": "1",
        "sort": "number",
    },
    "finance:receipt_list": {
        "q": "1405",
        "direction": "in",
        "date_period": "this_month",
        "contact": "1",
        "method": "cheque",
        "amount_min": "۱۰۰۰",
        "amount_max": "5,000,000",
        "bank_account": "1",
        "owner": "me",
        "sort": "-amount",
    },
    "contacts:list": {
        "q": "کریمی",
        "category": "1",
        "region": "2",
        "owner": "me",
        "status": "customer",
        "kind": "person",
        "role": "agent",
        "vip": "yes",
        "group": "1",
        "grade": "1",
        "source": "1",
        "position": "1",
        "birth_month": "1",
        "created_period": "this_year",
        "cf1": "الف",
        "id": "1",
        "sort": "-name",
    },
    "sales:lead_list": {
        "q": "کریمی",
        "status": "all",
        "responsible": "me",
        "due_period": "next_30_days",
        "stars": "3",
        "result": "1",
        "contact": "1",
        "team": "1",
        "source": "1",
        "category": "1",
        "region": "1",
        "expected_min": "۱۰۰۰",
        "expected_max": "10,000,000,000",
        "created_from": "1405/01/01",
        "created_to": "1405/12/29",
        "fiscal_year": "1405",
        "sort": "-expected",
    },
    "activities:call_list": {
        "q": "۰۹۱۲۱۲۳",
        "date_period": "this_month",
        "kind": "incoming",
        "user": "me",
        "result": "call_back",
        "sort": "-date",
    },
    "activities:task_list": {
        "q": "وظیفه",
        "status": "all",
        "assignee": "me",
        "date_from": "1405/01/01",
        "date_to": "1405/12/29",
        "owner": "1",
        "team": "mine",
        "urgency": "1",
        "overdue": "no",
        "sort": "-date",
    },
    "activities:event_list": {
        "q": "جلسه",
        "date_period": "next_30_days",
        "team": "personal",
        "owner": "me",
        "done": "no",
        "sort": "-start",
    },
    "finance:cheque_list": {
        "q": "کریمی",
        "status": "received",
        "due_from": "1405/01/01",
        "due_to": "1405/12/29",
        "contact": "1",
        "bank": "ملت",
        "amount_min": "1",
        "amount_max": "۱۰۰۰۰۰۰۰۰",
        "bank_account": "1",
        "sort": "amount",
    },
    "service:request_all": {
        "q": "خرابی",
        "status": "open",
        "assignee": "me",
        "creator": "1",
        "contact": "1",
        "date_period": "this_year",
        "deadline_from": "1405/01/01",
        "deadline_to": "1405/12/29",
        "overdue": "no",
        "unseen": "yes",
        "urgency": "1",
        "channel": "1",
        "type1": "1",
        "type2": "1",
        "type3": "1",
        "confidentiality": "private",
        "sort": "deadline",
    },
    "messaging:list": {
        "q": "۰۹۱۲۱۲۳",
        "status": ["queued", "failed"],
        "channel": "sms",
        "created_from": "1405/01/01",
        "created_to": "1405/12/29",
        "owner": "me",
        "contact": "1",
        "backend": "console",
        "broadcast": "1",
        "sort": "-created",
    },
    "service:complaint_list": {
        "q": "تأخیر",
        "view": "all",
        "status": "all",
        "date_period": "this_month",
        "contact": "1",
        "product": "1",
        "staff": "me",
        "officer": "1",
        "channel": "1",
        "sort": "-date",
    },
}


def grow(personas, rows: int) -> None:
    """More of everything a page might list."""
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    for number in range(rows):
        user = UserFactory()
        TeamFactory().members.add(user, personas.manager)
        ContactFactory(owner=personas.manager, name=f"کریمی {number}")
        ContactFactory(owner=personas.manager, deleted_at=timezone.now())
        HolidayOverride.objects.create(date=f"2026-06-{number + 1:02d}", note="استثنا")
        Sequence.objects.create(kind=f"k{number}", name=f"سری {number}")
        PhoneBookEntry.objects.create(
            owner=personas.manager, name=f"کریمی {number}", mobile="+989121234567", is_public=True
        )
        CustomField.objects.create(
            target="contacts.contact", label=f"فیلد {number}", kind="choice", options="الف\nب"
        )
        contact = ContactFactory(owner=user, phones=["+989121234567"])
        broadcast = Broadcast.objects.create(
            owner=user, channel="sms", title=f"ارسال {number}", target="list", body="سلام"
        )
        Message.objects.create(
            owner=user, channel="sms", to=contact.mobile, contact=contact, body="سلام",
            broadcast=broadcast,
        )  # fmt: skip
        group = ContactGroup.objects.create(owner=user, name=f"گروه {number}")
        for assignee in (personas.manager, user):
            Task.objects.create(owner=user, assignee=assignee, description=f"وظیفه {number}")
        Notification.objects.create(user=personas.manager, title=f"اعلان {number}", url="/")
        Task.objects.create(
            owner=user, assignee=personas.manager, description="امروز", date=timezone.localdate()
        )
        for team in personas.manager.teams.all()[:1]:
            Event.objects.create(owner=user, team=team, title=f"جلسه {number}")
        Event.objects.create(owner=personas.manager, title=f"دیدار {number}", start_time="10:00")
        Call.objects.create(
            owner=user, kind="incoming", number="+989121234567", contact=contact, extension="101"
        )
        occasion = Occasion.objects.create(
            owner=user, title=f"یلدا {number}", channel="sms", group=group, month=9, day=30,
            body="یلدا مبارک", last_year=1404,
        )  # fmt: skip
        Broadcast.objects.create(
            owner=user, channel="sms", title="یلدا ۱۴۰۴", target="group", group=group,
            body="یلدا مبارک", occasion=occasion,
        )  # fmt: skip
        MessageTemplate.objects.create(
            name=f"الگو {number}", channel="sms", body="سلام {نام}", created_by=user
        )
        lead = LeadFactory(owner=user, responsible=personas.manager, contact=contact,
                           title=f"کریمی {number}", next_at=timezone.now())  # fmt: skip
        FollowUpFactory(lead=lead, owner=user, next_at=timezone.now(), next_by=personas.manager)
        Product.objects.create(code=f"P{number}", name=f"کالا {number}", price=1000)
        quote = quote_save(
            quote=Quote(lead=lead, contact=contact, owner=user, kind="service"),
            lines=[QuoteLine(description="خدمات", unit_price=1000)],
            by=user,
        )
        quote_set_status(quote=quote, by=user, status="accepted")
        quote_to_invoice(quote=quote, by=user)
        for creator, assignee in ((user, personas.manager), (personas.manager, user)):
            item = Request(
                description=f"خرابی {number}", urgency=urgency, assignee=assignee, contact=contact
            )
            request_register(request=item, by=creator)
        complaint = Complaint(contact=contact, description=f"تأخیر {number}", officer=user)
        complaint_register(complaint=complaint, by=personas.manager)
        Project.objects.create(owner=user, name=f"پروژه {number}", contact=contact)
        # A cheque received: a receipt and its cheque, both listed.
        receive_cheque(contact, personas.manager, 1_000_000, sayad_id=f"{number:016d}")
        Questionnaire.objects.create(name=f"پرسشنامه {number}")
        FollowUpFactory(  # due for the manager: «پیگیری‌های من» shows complaints too
            lead=None, complaint=complaint, owner=user, next_at=timezone.now(),
            next_by=personas.manager,
        )  # fmt: skip


@pytest.mark.parametrize("rows", [1, 6])
@pytest.mark.parametrize("url_name", sorted(PAGES))
def test_the_page_query_count_is_pinned(
    client, personas, django_assert_num_queries, url_name, rows
):
    grow(personas, rows)
    args, extra = PAGES[url_name]
    client.force_login(personas.manager)
    url = reverse(url_name, args=args)
    params = PARAMS.get(url_name, {})
    ContentType.objects.clear_cache()
    client.get(url, params)  # warm per-process caches (content types)
    with django_assert_num_queries(BASE + extra):
        response = client.get(url, params)
    assert response.status_code == 200


# The lists on core.lists: whichever filters are set (PARAMS sets them all), none.
LISTS = [
    "activities:call_list",
    "activities:event_list",
    "activities:task_list",
    "contacts:list",
    "finance:cheque_list",
    "finance:receipt_list",
    "messaging:list",
    "phonebook:list",
    "sales:invoice_list",
    "sales:lead_list",
    "sales:quote_list",
    "service:complaint_list",
    "service:request_all",
    "surveys:project_list",
]


@pytest.mark.parametrize("url_name", LISTS)
def test_a_list_costs_the_same_without_its_filters(
    client, personas, django_assert_num_queries, url_name
):
    grow(personas, 1)
    args, extra = PAGES[url_name]
    client.force_login(personas.manager)
    url = reverse(url_name, args=args)
    client.get(url)
    with django_assert_num_queries(BASE + extra):
        assert client.get(url).status_code == 200


# The money reports (each grouping): the filter form's four queries (categories, regions,
# users, teams), then the report's own.
MONEY_REPORT_QUERIES = {
    # the biggest accounts (with name and code), their open lines summed, the total row
    ("aging", "customer"): 3,
    ("aging", "user"): 2,  # open lines grouped by rep, the reps' names
    ("aging", "team"): 2,  # … by rep, the reps' first teams
    ("aging", "grade"): 2,  # … by grade, the grades
    ("aging", "region"): 2,  # … by region, the regions (folded into their provinces)
    ("aging", "category"): 2,  # … by category, the categories
    ("cheques_due", ""): 2,  # the cheques with their customers, the totals per state
    ("cheques_bounced", ""): 2,  # the bounces with cheque and customer, totals per state
    ("collections", "user"): 3,  # receipts and cleared cheques per rep and day, the names
    ("collections", "month"): 2,  # receipts and cleared cheques per day
    ("money_totals", "grade"): 5,  # invoices, receipts, cleared cheques, balances, grades
    ("money_totals", "user"): 5,  # … and the reps' names
}


def grow_money(personas, rows: int) -> None:
    """Customers of several reps, grades and regions, with invoices, receipts and cheques
    cleared, in hand and bounced."""
    from peyvand.contacts.models import Category, Region
    from peyvand.finance.models import BankAccount, Cheque
    from peyvand.finance.services import cheque_move
    from peyvand.lookups.models import Grade
    from tests.finance.money import issue_invoice, receive, receive_cheque

    bank = BankAccount.objects.create(name="جاری ملت", bank="ملت")
    today = timezone.localdate()
    for number in range(rows):
        user = UserFactory()
        TeamFactory().members.add(user)
        contact = ContactFactory(
            owner=user,
            grade=Grade.objects.create(name=f"درجه {number}"),
            region=Region.objects.create(name=f"استان {number}"),
            category=Category.objects.create(name=f"صنف {number}"),
        )
        issue_invoice(contact, user, 5_000_000)
        receive(contact, personas.manager, 1_000_000, date=today)
        for index, status in enumerate(("cleared", "bounced", "received")):
            cheque = receive_cheque(
                contact, personas.manager, 1_000_000, date=today, due_date=today,
                sayad_id=f"{number:08d}{index:08d}",
            )  # fmt: skip
            if status == Cheque.Status.BOUNCED:
                cheque_move(cheque=cheque, status="deposited", by=personas.manager, date=today,
                            bank_account=bank)  # fmt: skip
            if status != Cheque.Status.RECEIVED:
                cheque_move(cheque=cheque, status=status, by=personas.manager, date=today,
                            reason="کسری موجودی")  # fmt: skip


@pytest.mark.parametrize("rows", [1, 6])
@pytest.mark.parametrize(("slug", "group"), sorted(MONEY_REPORT_QUERIES))
def test_a_money_report_page_query_count_is_pinned(
    client, personas, django_assert_num_queries, slug, group, rows
):
    grow_money(personas, rows)
    client.force_login(personas.manager)
    url = reverse("reports:show", args=[slug])
    params = {"group": group} if group else {}
    client.get(url, params)
    with django_assert_num_queries(BASE + 4 + MONEY_REPORT_QUERIES[slug, group]):
        response = client.get(url, params)
    assert response.status_code == 200
    assert response.context["result"].rows


@pytest.mark.parametrize("rows", [1, 6])
def test_the_contact_list_costs_the_same_with_custom_field_columns_shown(
    client, personas, django_assert_num_queries, rows
):
    """The custom fields the filters read anyway are the columns' too (one query for
    both), and each row's values come with the row."""
    from peyvand.contacts.models import Contact
    from peyvand.core.models import ListPreference

    grow(personas, rows)
    number = CustomField.objects.create(target="contacts.contact", label="کارکنان", kind="number")
    day = CustomField.objects.create(target="contacts.contact", label="قرارداد", kind="date")
    Contact.objects.update(custom={number.key: 1250, day.key: "2025-03-20"})
    shown = ["name", *(f"custom:{field.key}" for field in CustomField.objects.all())]
    ListPreference.objects.create(user=personas.manager, list_key="contacts", columns=shown)
    client.force_login(personas.manager)
    url = reverse("contacts:list")
    for params in ({}, PARAMS["contacts:list"]):
        client.get(url, params)
        with django_assert_num_queries(BASE + PAGES["contacts:list"][1]):
            response = client.get(url, params)
        assert [column.key for column in response.context["columns"]] == shown
    response = client.get(url)
    assert response.content.decode().count("۱۴۰۳/۱۲/۳۰") == len(response.context["page"].items) > 1
