"""The access walk (issue 9): every URL pattern of the project and every operation of the
JSON API, requested by every demo role — anonymous, each user `seed_demo` creates
(manager, sales, sales2, support) and the customer it opens the portal to — against the
real demo data.

tests/test_access.py pins each URL's exact answer for four made-up personas; this walk
asks the other question: with the roles and records people actually get, does anyone
see what they must not? What each role may do is derived here, independently of the
views, from two hand-written statements:

- `PAGES` / `API`: the permission(s) a page or an operation needs and, for a page about
  one record, who may see that record — stated from the visibility rules of the design
  (own records, teammates' records, everything with `accounts.see_all`; the stricter
  rules of personal phone-book entries, personal events, notifications, requests and
  complaints) and the demo's facts (sales and sales2 are one team, support another);
- `peyvand.accounts.roles.ROLE_PERMISSIONS`: which role holds which permission.

A role that may: never 401/403/404. A role that may not: 403 or 404 (never 2xx or 3xx;
an operation with a payload may answer 422 first, as it validates the empty body before
it runs). Anonymous: the login page (pages) or 401 (API), except the short `PUBLIC`
list. The portal customer, signed in through the portal's own pages (the demo mobile,
then the code texted to it), has no staff account: to staff pages and the API it is
anonymous; its portal pages, filled with its own records, answer 200, and the same pages
filled with other customers' records (`PORTAL_STRANGERS`) 404. Nobody: a 5xx.
`SECRETS` add a check of content: texts no answer to anyone outside their audience may
contain, searched for as well. A page that refuses GET (405) is then POSTed with an
empty form, an operation is called with its own method and an empty JSON body; every
request runs in a savepoint rolled back after it, so each one meets the demo exactly as
seeded (a sign-out it undid is resumed: the staff user's login, the customer's session).

Run with -s for the summary (patterns, operations, requests and statuses per role, and
the statuses of the portal pages filled with other customers' records)."""

import datetime
import functools
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from peyvand.accounts.models import ApiToken, Team, User
from peyvand.accounts.roles import PROJECT_APPS, ROLE_PERMISSIONS, SALES
from peyvand.activities.models import CalendarFeed, Call, Event, Notification, Task
from peyvand.api.api import api
from peyvand.automation.models import (
    Form,
    FormField,
    Rule,
    WebhookDelivery,
    WebhookSubscription,
)
from peyvand.contacts.lists import Ticked
from peyvand.contacts.models import Contact, PhoneBookEntry, Region
from peyvand.core import lists, workers
from peyvand.core.models import (
    Attachment,
    ExportJob,
    HolidayOverride,
    ImportJob,
    SavedView,
    Sequence,
)
from peyvand.core.services import record_save
from peyvand.customfields.lists import RANGED, CustomFieldFilters
from peyvand.customfields.models import CustomField
from peyvand.demo.management.commands.seed_demo import (
    PORTAL_MOBILE,
    PORTAL_MOBILE_NATIONAL,
    USERS,
)
from peyvand.finance.models import BankAccount, Cheque, Receipt
from peyvand.finance.payments import pay_token
from peyvand.finance.statements import statement_token
from peyvand.lookups.models import AcquaintanceSource, Grade
from peyvand.messaging.models import (
    Broadcast,
    ContactGroup,
    Mailbox,
    Message,
    MessageTemplate,
    Occasion,
)
from peyvand.portal.models import PortalAccess
from peyvand.portal.views import SESSION_KEY as PORTAL_SESSION_KEY
from peyvand.sales import services as sales_services
from peyvand.sales.models import (
    FollowUp,
    Invoice,
    Lead,
    PriceList,
    Product,
    Quote,
    QuoteLine,
    VatRate,
)
from peyvand.sales.services import quote_share_token
from peyvand.service.models import Complaint, Feedback, Request
from peyvand.surveys.models import Project, Questionnaire

# The walks drive every page and operation for every role: once, on PostgreSQL
# (tests/conftest.py); the pages' rendering is read on SQLite by the locale crawl.
pytestmark = pytest.mark.journey

ANONYMOUS = "anonymous"
# The demo's portal customer: the contact of the demo invoice, who signs in to the portal
# with the demo mobile. No staff account: to everything but the portal, it is anonymous.
CUSTOMER = "customer"
USERNAMES = [row[0] for row in USERS]
ROLE_OF = {row[0]: row[3] for row in USERS}
TEAM_OF = {row[0]: row[4] for row in USERS}
ROLES = [ANONYMOUS, *USERNAMES, CUSTOMER]
NO_STAFF_LOGIN = frozenset({ANONYMOUS, CUSTOMER})


def holds(username: str, permission: str) -> bool:
    """Whether the user's demo role holds a permission, read from the roles' definition
    (not from the database), so the walk checks what the app does against it."""
    codenames = ROLE_PERMISSIONS[ROLE_OF[username]]
    if codenames == ["*"]:
        return permission.split(".")[0] in PROJECT_APPS
    return permission in codenames


MANAGERS = frozenset(name for name in USERNAMES if holds(name, "accounts.see_all"))
USER_ADMINS = frozenset(name for name in USERNAMES if holds(name, "accounts.manage_users"))


def records_of(*owners: str) -> frozenset[str]:
    """The ordinary rule: the owners, their teammates, and whoever sees everything."""
    teams = {TEAM_OF[owner] for owner in owners} - {None}
    return MANAGERS | set(owners) | {name for name in USERNAMES if TEAM_OF[name] in teams}


def only(*usernames: str) -> frozenset[str]:
    return frozenset(usernames)


def team(name: str) -> frozenset[str]:
    return frozenset(user for user in USERNAMES if TEAM_OF[user] == name)


# Reachable without signing in, each on purpose; anonymous gets 200 from each.
PUBLIC = {
    "accounts:login": "the login page",
    "core:health": "monitors and load balancers do not log in; it shows no data",
    # Installing Peyvand on a phone (core.app_shell): the browser fetches these before
    # and without a sign-in; none holds data.
    "core:manifest": "the web app manifest: name, colours, icons",
    "core:service_worker": "the service worker's script (caches static files only)",
    "core:offline": "the Persian page shown without a connection",
    "core:app_icon": "the app's icon",
    "service:track": "customers track a request by its code and their mobile",
    "form_public": "a published form is for anyone: the website's visitors fill it",
    "sales:quote_shared": "the signed link in a proforma's SMS is the credential",
    "activities:ics": "the secret calendar address is the credential",
    "api:openapi-json": "the API's description (no data), for integrators without a token",
    "api:openapi-view": "the API's docs page (Swagger UI over openapi.json; no data)",
    "POST /api/v1/auth/token": "where an integration trades a password for a token",
    # The customer portal's sign-in (customers have no staff account; a code by SMS).
    "portal:login": "the portal's sign-in page",
    "portal:code": "the portal's sign-in: the code sent by SMS",
    "portal:choose": "the portal's sign-in: which customer, when a mobile has several",
    "portal:logout": "ends a portal sign-in",
    "finance:pay": "an invoice's signed pay link is the credential (customers have no login)",
    "finance:statement_shared": "the signed link in a statement's SMS is the credential",
    "finance:pay_callback": "where the payment gateway sends the buyer back; verified server-side",
}
# Public pages whose answer to a bare request is not 200, and why.
PUBLIC_STATUS = {
    "finance:pay_callback": (400, "without the gateway's Authority there is no payment to show"),
}
# The customer portal's own pages: for its signed-in customers only. The demo's portal
# customer gets each, filled with its own records (`PAGES`); every other role (staff
# included: they are no portal customers) gets the portal's sign-in.
PORTAL_PAGES = {
    "portal:home", "portal:section", "portal:request_detail", "portal:complaint_detail",
    "portal:document_pdf", "portal:survey", "portal:request_new", "portal:statement",
}  # fmt: skip
# Ninja's root of /api/v1/: no operation lives there, so it is 404 for everyone.
NOWHERE = {"api:api-root"}


class Demo:
    """The seeded demo, and the records the walk fills URL patterns with. Where the
    demo has no record of a kind (attachments, jobs, a broadcast…), `extras` adds one
    through the models, owned by a demo user."""

    def __init__(self):
        self.users = {user.username: user for user in User.objects.filter(username__in=USERNAMES)}
        self._contacts: dict[str, Contact] = {}

    def user(self, name: str) -> User:
        return self.users[name]

    def contact(self, owner: str) -> Contact:
        """The owner's first contact that nothing outside the owner's team refers to (the
        demo's requests, complaints and projects name some customers of every owner),
        with a name no other contact's name or company contains: its name is a secret
        from everyone who may not see it."""
        if owner not in self._contacts:
            referenced = {
                *Request.objects.values_list("contact", flat=True),
                *Complaint.objects.values_list("contact", flat=True),
                *Project.objects.values_list("contact", flat=True),
            }
            everyone = list(Contact.all_objects.values_list("pk", "name", "company"))
            self._contacts[owner] = next(
                contact
                for contact in Contact.objects.filter(owner=self.user(owner)).order_by("pk")
                if contact.pk not in referenced
                and not any(
                    contact.name in f"{name} {company}"
                    for pk, name, company in everyone
                    if pk != contact.pk
                )
            )
        return self._contacts[owner]

    def lead(self, owner: str) -> Lead:
        return Lead.objects.filter(owner=self.user(owner)).order_by("pk").first()

    def followup(self, owner: str) -> FollowUp:
        return FollowUp.objects.filter(lead=self.lead(owner)).order_by("pk").first()

    def quote(self) -> Quote:
        return Quote.objects.filter(owner=self.user("sales")).order_by("pk").first()

    def invoice(self) -> Invoice:
        return Invoice.objects.filter(owner=self.user("sales")).order_by("pk").first()

    def request(self, creator: str = "support") -> Request:
        return Request.objects.filter(owner=self.user(creator)).order_by("pk").first()

    def complaint(self) -> Complaint:
        """Registered by the manager, followed by support, about sales (who must not see it)."""
        return Complaint.objects.filter(staff=self.user("sales")).order_by("pk").first()

    def message(self, status: str = Message.Status.DELIVERED) -> Message:
        return Message.objects.filter(status=status).order_by("pk").first()

    def received_email(self) -> Message:
        """The demo's email that opened a request, with its photo (owner: support)."""
        return (
            Message.objects.filter(channel="email", direction="in").exclude(attachments=None).get()
        )

    def group(self) -> ContactGroup:
        return ContactGroup.objects.filter(owner=self.user("sales")).order_by("pk").first()

    def personal_event(self) -> Event:
        return Event.objects.filter(owner=self.user("sales"), team=None).order_by("pk").first()

    def team_event(self) -> Event:
        return Event.objects.exclude(team=None).order_by("pk").first()

    def task(self) -> Task:
        return Task.objects.filter(owner=self.user("sales")).order_by("pk").first()

    def call(self) -> Call:
        return Call.objects.filter(owner=self.user("sales")).order_by("pk").first()

    def customer(self) -> Contact:
        """The portal customer: the contact of the demo invoice (seed_demo's `_portal`
        gives it access and the demo mobile)."""
        return Invoice.objects.order_by("pk").first().contact

    def own(self, model) -> Request | Complaint | Invoice:
        """The portal customer's first request, complaint or invoice."""
        return model.objects.filter(contact=self.customer()).order_by("pk").first()

    def portal_code_sms(self) -> str:
        """The first line of the newest SMS to the portal customer: its sign-in code in
        words ("…: 519450"), distinctive where six digits alone could be any number's."""
        sms = Message.objects.filter(to=PORTAL_MOBILE).order_by("-created_at", "-pk").first()
        return sms.body.splitlines()[0]

    def own_project(self) -> Project:
        """The portal customer's finished project, not rated yet: its pending survey."""
        return (
            Project.objects.filter(
                contact=self.customer(),
                status=Project.Status.DONE,
                survey_responses__isnull=True,
            )
            .order_by("pk")
            .first()
        )

    def extras(self) -> None:
        sales, sales2, support = self.user("sales"), self.user("sales2"), self.user("support")
        contact = self.contact("sales2")
        self.attachment = Attachment.objects.create(
            record=contact,
            file=ContentFile(b"%PDF-1.4 walk", name="offer.pdf"),
            original_name="offer.pdf",
            mime_type="application/pdf",
            size=13,
            uploaded_by=sales2,
        )
        self.bank_account = contact.bank_accounts.create(iban="IR820540102680020817909002")
        self.import_job = ImportJob.objects.create(
            user=sales, target="contacts.contact", file="imports/x.xlsx", headers=["نام"]
        )
        self.export_job = ExportJob.objects.create(
            user=sales, kind="contacts", title="مخاطبین", status=ExportJob.Status.DONE
        )
        self.export_job.file.save("contacts.xlsx", ContentFile(b"PK"), save=False)
        self.export_job.filename = "contacts.xlsx"
        self.export_job.save()
        self.broadcast = Broadcast.objects.create(
            owner=sales, channel="sms", title="نوروز", target="list", body="نوروز مبارک"
        )
        self.feedback = record_save(
            record=Feedback(
                contact=self.contact("support"), kind="gift", description="سررسید", owner=support
            ),
            by=support,
        )
        self.custom_field = CustomField.objects.create(target="contacts.contact", label="آزمایش")
        grade = Grade.objects.create(name="همکار")
        self.price_list = PriceList.objects.create(name="همکاران", grade=grade)
        self.vat_rate = VatRate.objects.get_or_create(
            valid_from=datetime.date(2024, 3, 20), defaults={"percent": 10}
        )[0]
        self.feed = CalendarFeed.objects.create(user=sales, key=CalendarFeed.new_key())
        self.api_token = ApiToken.issue(sales, name="یکپارچه‌سازی")[0]
        self.notification = Notification.objects.filter(user=sales).order_by(
            "pk"
        ).first() or Notification.objects.create(user=sales, title="یادآوری", url="/")
        # Another portal customer (the one of the sent proforma), with what the portal
        # would show it: an invoice (its own proforma, accepted and invoiced) and a
        # finished project, each waiting for its survey. The stranger's project is
        # sales2's, so that the walk's project of sales stays the demo's.
        stranger = self.quote().contact
        PortalAccess.objects.create(contact=stranger, enabled=True, updated_by=sales)
        line = self.quote().lines.order_by("pk").first()
        sold = sales_services.quote_save(
            quote=Quote(contact=stranger),
            lines=[
                QuoteLine(
                    product=line.product,
                    description=line.description,
                    quantity=1,
                    unit=line.unit,
                    unit_price=line.unit_price,
                    vat_applies=line.vat_applies,
                )
            ],
            by=sales,
        )
        sales_services.quote_set_status(quote=sold, by=sales, status=Quote.Status.ACCEPTED)
        self.stranger_invoice = sales_services.quote_to_invoice(quote=sold, by=sales)
        today = timezone.localdate()
        self.stranger_project = Project.objects.create(
            owner=sales2,
            name="نگهداری تأسیسات",
            contact=stranger,
            status=Project.Status.DONE,
            start=today - datetime.timedelta(days=20),
            end=today - datetime.timedelta(days=1),
        )


@dataclass(frozen=True)
class Page:
    """What a page needs: permissions (all of them), and for a page about one record
    the URL's arguments from the demo and who may see that record."""

    needs: tuple[str, ...] = ()
    kwargs: Callable[[Demo], dict] | None = None
    audience: frozenset[str] | None = None


P = Page
SETTINGS = ("accounts.manage_settings",)
USERS_ADMIN = ("accounts.manage_users",)
AUTOMATION = ("automation.manage_automation",)


def pk(getter: Callable[[Demo], object], **more) -> Callable[[Demo], dict]:
    return lambda demo: {"pk": getter(demo).pk, **more}


contact2 = pk(lambda d: d.contact("sales2"))
lead2 = pk(lambda d: d.lead("sales2"))
quote = pk(Demo.quote)
invoice = pk(Demo.invoice)
request_ = pk(Demo.request)
complaint = pk(Demo.complaint)
group = pk(Demo.group)
personal_event = pk(Demo.personal_event)
task = pk(Demo.task)
call = pk(Demo.call)
project = pk(lambda d: Project.objects.filter(owner=d.user("sales")).first())
receipt = pk(lambda d: Receipt.objects.order_by("pk").first())
cheque = pk(lambda d: Cheque.objects.order_by("pk").first())
webhook = pk(lambda d: WebhookSubscription.objects.order_by("pk").first())
rule = pk(lambda d: Rule.objects.filter(key="").order_by("pk").first())
demo_form = pk(lambda d: Form.objects.order_by("pk").first())
form_field = pk(lambda d: FormField.objects.order_by("-pk").first())


def _tax_submission(demo: Demo):
    """The demo's sales invoice as sent and rejected by سامانه مودیان."""
    from peyvand.tax.models import MoadianSettings, TaxSubmission
    from peyvand.tax.services import submission_queue

    invoice = demo.invoice()
    existing = TaxSubmission.objects.filter(invoice=invoice).first()
    if existing is not None:
        return existing
    MoadianSettings.objects.update_or_create(pk=1, defaults={"memory_id": "A11216"})
    submission = submission_queue(invoice=invoice)
    TaxSubmission.objects.filter(pk=submission.pk).update(status=TaxSubmission.Status.REJECTED)
    return submission


tax_submission = pk(_tax_submission)
personal_entry = pk(lambda d: PhoneBookEntry.objects.get(owner=d.user("sales"), is_public=False))
SALES_TEAM = records_of("sales")
SUPPORT_AND_MANAGER = MANAGERS | only("support")
# A request (private, the default) is its creator's, its assignee's and its watchers';
# the demo's first is registered by support for the manager.
REQUEST_PARTIES = MANAGERS | only("support")
# A complaint is its registrar's (the manager) and its control officer's (support); the
# staff member it is about (sales) does not see it.
COMPLAINT_PARTIES = MANAGERS | only("support")

PAGES: dict[str, Page] = {
    "core:trash": P(("accounts.manage_trash",)),
    "core:trash_restore": P(
        ("accounts.manage_trash",),
        lambda d: {
            "model_label": "contacts.contact",
            "pk": Contact.all_objects.exclude(deleted_at=None).first().pk,
        },
    ),
    "core:site_settings": P(SETTINGS),
    "core:holidays": P(SETTINGS),
    "core:holiday_delete": P(SETTINGS, pk(lambda d: HolidayOverride.objects.first())),
    "core:sequence_list": P(SETTINGS),
    "core:sequence_edit": P(SETTINGS, pk(lambda d: Sequence.objects.first())),
    "core:attachment_upload": P(
        ("contacts.change_contact",),
        lambda d: {"model_label": "contacts.contact", "pk": d.contact("sales2").pk},
        records_of("sales2"),
    ),
    "core:attachment": P(
        ("contacts.view_contact",), pk(lambda d: d.attachment), records_of("sales2")
    ),
    "core:attachment_delete": P(
        ("contacts.change_contact",), pk(lambda d: d.attachment), records_of("sales2")
    ),
    "core:note_add": P(
        ("contacts.change_contact",),
        lambda d: {"model_label": "contacts.contact", "pk": d.contact("sales2").pk},
        records_of("sales2"),
    ),
    "core:import_start": P(("contacts.add_contact",), lambda d: {"target": "contacts.contact"}),
    # An import is its uploader's, and managers' who see everything.
    "core:import_detail": P(
        ("contacts.add_contact",), pk(lambda d: d.import_job), MANAGERS | only("sales")
    ),
    "core:import_issues": P(
        ("contacts.add_contact",), pk(lambda d: d.import_job), MANAGERS | only("sales")
    ),
    "core:app_icon": P((), lambda d: {"size": 192, "purpose": "any"}),
    "core:export_start": P(("contacts.export_contact",), lambda d: {"kind": "contacts"}),
    "core:list_export": P(("sales.view_lead",), lambda d: {"kind": "leads", "file_format": "xlsx"}),
    # A background export is its starter's alone (not even a manager's to download).
    "core:export_detail": P(
        ("contacts.export_contact",), pk(lambda d: d.export_job), only("sales")
    ),
    "core:export_download": P(
        ("contacts.export_contact",), pk(lambda d: d.export_job), only("sales")
    ),
    "accounts:user_list": P(USERS_ADMIN),
    "accounts:user_create": P(USERS_ADMIN),
    "accounts:user_edit": P(USERS_ADMIN, pk(lambda d: d.user("sales"))),
    "accounts:role_list": P(USERS_ADMIN),
    "accounts:role_create": P(USERS_ADMIN),
    "accounts:role_edit": P(USERS_ADMIN, pk(lambda d: Group.objects.get(name=SALES))),
    "accounts:team_list": P(USERS_ADMIN),
    "accounts:team_create": P(USERS_ADMIN),
    "accounts:team_edit": P(USERS_ADMIN, pk(lambda d: Team.objects.get(name=TEAM_OF["sales"]))),
    "accounts:user_two_factor_reset": P(USERS_ADMIN, pk(lambda d: d.user("sales"))),
    # The manager's own: the walk's other sessions must stay signed in.
    "accounts:user_end_sessions": P(USERS_ADMIN, pk(lambda d: d.user("manager"))),
    # An API token is its user's, and managers' of users (to revoke anyone's).
    "accounts:api_token_revoke": P((), pk(lambda d: d.api_token), only("sales") | USER_ADMINS),
    "lookups:index": P(SETTINGS),
    "lookups:list": P(SETTINGS, lambda d: {"slug": "sources"}),
    "lookups:edit": P(SETTINGS, pk(lambda d: AcquaintanceSource.objects.first(), slug="sources")),
    "lookups:delete": P(SETTINGS, pk(lambda d: AcquaintanceSource.objects.first(), slug="sources")),
    "customfields:list": P(SETTINGS),
    "customfields:create": P(SETTINGS),
    "customfields:edit": P(SETTINGS, pk(lambda d: d.custom_field)),
    "trees:tree": P(SETTINGS, lambda d: {"slug": "regions"}),
    "trees:node_edit": P(SETTINGS, pk(lambda d: Region.objects.first(), slug="regions")),
    "contacts:list": P(("contacts.view_contact",)),
    "contacts:create": P(("contacts.add_contact",)),
    "contacts:export": P(("contacts.export_contact",), lambda d: {"file_format": "csv"}),
    "contacts:detail": P(("contacts.view_contact",), contact2, records_of("sales2")),
    "contacts:history": P(("contacts.view_contact",), contact2, records_of("sales2")),
    "contacts:edit": P(("contacts.change_contact",), contact2, records_of("sales2")),
    "contacts:delete": P(("contacts.delete_contact",), contact2, records_of("sales2")),
    "contacts:logo": P(("contacts.change_contact",), contact2, records_of("sales2")),
    "contacts:merge": P(("contacts.merge_contact",), contact2, records_of("sales2")),
    "contacts:row_add": P(
        ("contacts.change_contact",),
        lambda d: {"pk": d.contact("sales2").pk, "kind": "bank"},
        records_of("sales2"),
    ),
    "contacts:row_remove": P(
        ("contacts.change_contact",),
        lambda d: {"pk": d.contact("sales2").pk, "kind": "bank", "row_pk": d.bank_account.pk},
        records_of("sales2"),
    ),
    "phonebook:list": P(("contacts.view_phonebookentry",)),
    "phonebook:create": P(("contacts.add_phonebookentry",)),
    # A personal entry is its owner's address book: nobody else's, managers neither.
    "phonebook:detail": P(("contacts.view_phonebookentry",), personal_entry, only("sales")),
    "phonebook:edit": P(("contacts.change_phonebookentry",), personal_entry, only("sales")),
    "phonebook:delete": P(("contacts.delete_phonebookentry",), personal_entry, only("sales")),
    "messaging:list": P(("messaging.view_message",)),
    "messaging:detail": P(("messaging.view_message",), pk(Demo.message), SALES_TEAM),
    "messaging:retry": P(
        ("messaging.send_message",), pk(lambda d: d.message(Message.Status.FAILED)), SALES_TEAM
    ),
    "messaging:cancel": P(("messaging.send_message",), pk(Demo.message), SALES_TEAM),
    # A customer's SMS to the sales rep: their team answers it.
    "messaging:reply": P(
        ("messaging.send_message",),
        pk(lambda d: d.message(Message.Status.RECEIVED)),
        SALES_TEAM,
    ),
    "messaging:file": P(
        ("messaging.view_message",),
        lambda d: {"pk": d.received_email().pk, "file_pk": d.received_email().attachments.get().pk},
        records_of("support"),
    ),
    "messaging:original": P(
        ("messaging.view_message",), pk(lambda d: d.received_email()), records_of("support")
    ),
    "messaging:about": P(
        ("messaging.send_message", "service.view_request"),
        lambda d: {"label": "service.request", "pk": d.request().pk},
        REQUEST_PARTIES,
    ),
    "messaging:preview": P(("messaging.send_message",)),
    "messaging:send": P(
        ("messaging.send_message",),
        lambda d: {"contact_pk": d.contact("support").pk},
        records_of("support"),
    ),
    "messaging:opt_out": P(
        ("messaging.send_message",),
        lambda d: {"contact_pk": d.contact("support").pk},
        records_of("support"),
    ),
    "messaging:broadcast_list": P(("messaging.view_broadcast",)),
    "messaging:broadcast_create": P(("messaging.send_broadcast",)),
    "messaging:broadcast_detail": P(
        ("messaging.view_broadcast",), pk(lambda d: d.broadcast), SALES_TEAM
    ),
    "messaging:broadcast_cancel": P(
        ("messaging.send_broadcast",), pk(lambda d: d.broadcast), SALES_TEAM
    ),
    "messaging:broadcast_retry": P(
        ("messaging.send_broadcast",), pk(lambda d: d.broadcast), SALES_TEAM
    ),
    "messaging:occasion_list": P(("messaging.view_occasion",)),
    "messaging:occasion_create": P(("messaging.add_occasion",)),
    "messaging:occasion_edit": P(
        ("messaging.change_occasion",), pk(lambda d: Occasion.objects.first()), SALES_TEAM
    ),
    "messaging:occasion_delete": P(
        ("messaging.delete_occasion",), pk(lambda d: Occasion.objects.first()), SALES_TEAM
    ),
    "messaging:group_list": P(("messaging.view_contactgroup",)),
    "messaging:group_create": P(("messaging.add_contactgroup",)),
    "messaging:group_add": P(("messaging.change_contactgroup",)),
    "messaging:group_detail": P(("messaging.view_contactgroup",), group, SALES_TEAM),
    "messaging:group_edit": P(("messaging.change_contactgroup",), group, SALES_TEAM),
    "messaging:group_delete": P(("messaging.delete_contactgroup",), group, SALES_TEAM),
    "messaging:group_remove": P(
        ("messaging.change_contactgroup",),
        lambda d: {"pk": d.group().pk, "contact_pk": d.group().memberships.first().contact_id},
        SALES_TEAM,
    ),
    "messaging:template_list": P(("messaging.manage_messaging",)),
    "messaging:template_create": P(("messaging.manage_messaging",)),
    "messaging:template_edit": P(
        ("messaging.manage_messaging",), pk(lambda d: MessageTemplate.objects.first())
    ),
    "messaging:settings": P(("messaging.manage_messaging",)),
    "messaging:bale_settings": P(("messaging.manage_messaging",)),
    "messaging:sms_settings": P(("messaging.manage_messaging",)),
    "messaging:smtp_settings": P(("messaging.manage_messaging",)),
    "messaging:mailbox_list": P(("messaging.manage_messaging",)),
    "messaging:mailbox_create": P(("messaging.manage_messaging",)),
    "messaging:mailbox_edit": P(
        ("messaging.manage_messaging",), pk(lambda d: Mailbox.objects.first())
    ),
    "automation:webhook_list": P(AUTOMATION),
    "automation:webhook_create": P(AUTOMATION),
    "automation:webhook_detail": P(AUTOMATION, webhook),
    "automation:webhook_edit": P(AUTOMATION, webhook),
    "automation:webhook_secret": P(AUTOMATION, webhook),
    "automation:webhook_ping": P(AUTOMATION, webhook),
    "automation:delivery_resend": P(
        AUTOMATION, pk(lambda d: WebhookDelivery.objects.filter(status="failed").first())
    ),
    "automation:form_list": P(AUTOMATION),
    "automation:form_create": P(AUTOMATION),
    "automation:form_detail": P(AUTOMATION, demo_form),
    "automation:form_edit": P(AUTOMATION, demo_form),
    "automation:field_create": P(AUTOMATION, lambda d: {"form_pk": demo_form(d)["pk"]}),
    "automation:field_edit": P(AUTOMATION, form_field),
    "automation:field_delete": P(AUTOMATION, form_field),
    "automation:field_move": P(AUTOMATION, form_field),
    "automation:submission_list": P(AUTOMATION, demo_form),
    "automation:submission_export": P(AUTOMATION, lambda d: {**demo_form(d), "file_format": "csv"}),
    "form_public": P((), lambda d: {"key": Form.objects.get(is_published=True).key}),
    "automation:rule_list": P(AUTOMATION),
    "automation:rule_new": P(AUTOMATION),
    "automation:rule_create": P(AUTOMATION, lambda d: {"kind": "leads"}),
    "automation:rule_detail": P(AUTOMATION, rule),
    "automation:rule_edit": P(AUTOMATION, rule),
    "automation:rule_switch": P(AUTOMATION, rule),
    "sales:lead_list": P(("sales.view_lead",)),
    "sales:lead_board": P(("sales.view_lead",)),
    "sales:lead_create": P(("sales.add_lead",)),
    "sales:lead_detail": P(("sales.view_lead",), lead2, records_of("sales2")),
    "sales:lead_edit": P(("sales.change_lead",), lead2, records_of("sales2")),
    "sales:lead_stage": P(("sales.change_lead",), lead2, records_of("sales2")),
    "sales:lead_close": P(("sales.change_lead",), lead2, records_of("sales2")),
    "sales:lead_reopen": P(("sales.change_lead",), lead2, records_of("sales2")),
    "sales:lead_delete": P(("sales.delete_lead",), lead2, records_of("sales2")),
    "sales:followup_create": P(
        ("sales.view_lead", "sales.add_followup"), lead2, records_of("sales2")
    ),
    "sales:followup_due": P(("sales.view_followup",)),
    "sales:followup_quick": P(("sales.view_lead", "sales.add_followup")),
    "sales:lead_autocomplete": P(("sales.view_lead",)),
    "sales:followup_task": P(
        ("activities.add_task",), pk(lambda d: d.followup("sales2")), records_of("sales2")
    ),
    "sales:product_list": P(("sales.view_product",)),
    "sales:product_create": P(("sales.add_product",)),
    "sales:product_edit": P(("sales.change_product",), pk(lambda d: Product.objects.first())),
    "sales:quote_list": P(("sales.view_quote",)),
    "sales:quote_create": P(("sales.add_quote",)),
    "sales:quote_detail": P(("sales.view_quote",), quote, SALES_TEAM),
    "sales:quote_edit": P(("sales.change_quote",), quote, SALES_TEAM),
    "sales:quote_status": P(("sales.change_quote",), quote, SALES_TEAM),
    "sales:quote_invoice": P(("sales.add_invoice",), quote, SALES_TEAM),
    "sales:quote_pdf": P(("sales.view_quote",), quote, SALES_TEAM),
    "sales:quote_print": P(("sales.view_quote",), quote, SALES_TEAM),
    "sales:quote_followup_create": P(("sales.view_quote", "sales.add_followup"), quote, SALES_TEAM),
    "sales:quote_send": P(
        ("sales.view_quote", "messaging.send_message"),
        pk(Demo.quote, channel="email"),
        SALES_TEAM,
    ),
    "sales:quote_shared": P((), lambda d: {"token": quote_share_token(d.quote())}),
    "finance:pay": P((), lambda d: {"token": pay_token(d.invoice())}),
    "finance:pay_callback": P(()),
    "finance:statement_shared": P(
        (), lambda d: {"token": statement_token(d.contact("sales2"), None, None)}
    ),
    "finance:statement_pdf": P(("finance.view_account",), contact2, records_of("sales2")),
    "finance:statement_xlsx": P(("finance.view_account",), contact2, records_of("sales2")),
    "finance:statement_send": P(
        ("finance.view_account", "messaging.send_message"),
        lambda d: {"pk": d.contact("sales2").pk, "channel": "sms"},
        records_of("sales2"),
    ),
    "sales:fiscal_years": P(("sales.add_fiscalyear",)),
    "sales:price_list_list": P(("sales.view_pricelist",)),
    "sales:price_list_create": P(("sales.add_pricelist",)),
    "sales:price_list_edit": P(("sales.change_pricelist",), pk(lambda d: d.price_list)),
    "sales:vat_rates": P(("sales.view_vatrate",)),
    "sales:vat_rate_edit": P(("sales.view_vatrate",), pk(lambda d: d.vat_rate)),
    "sales:invoice_list": P(("sales.view_invoice",)),
    "sales:service_customers": P(("contacts.view_contact", "sales.view_invoice")),
    # The money side: the demo's receipts and cheques are of the sales team's customers,
    # recorded by finance (who sees everything).
    "finance:account": P(("finance.view_account",), contact2, records_of("sales2")),
    "finance:opening_balance": P(("finance.change_account",), contact2, records_of("sales2")),
    "finance:receipt_list": P(("finance.view_receipt",)),
    "finance:receipt_create": P(("finance.add_receipt",), lambda d: {"direction": "in"}),
    "finance:receipt_detail": P(("finance.view_receipt",), receipt, SALES_TEAM),
    "finance:receipt_delete": P(("finance.delete_receipt",), receipt, SALES_TEAM),
    "finance:receipt_allocate": P(("finance.change_receipt",), receipt, SALES_TEAM),
    "finance:cheque_list": P(("finance.view_cheque",)),
    "finance:cheque_detail": P(("finance.view_cheque",), cheque, SALES_TEAM),
    "finance:settings": P(SETTINGS),
    "finance:pay_link_send": P(
        ("finance.view_account", "messaging.send_message"),
        lambda d: {"pk": d.invoice().pk, "channel": "sms"},
        SALES_TEAM,
    ),
    "finance:bank_account_create": P(SETTINGS),
    "finance:bank_account_edit": P(SETTINGS, pk(lambda d: BankAccount.objects.first())),
    "sales:invoice_detail": P(("sales.view_invoice",), invoice, SALES_TEAM),
    "tax:settings": P(SETTINGS),
    "tax:submission_list": P(("sales.view_invoice",)),
    "tax:submission_resend": P(("sales.add_invoice",), tax_submission, SALES_TEAM),
    "sales:invoice_pdf": P(("sales.view_invoice",), invoice, SALES_TEAM),
    "sales:invoice_print": P(("sales.view_invoice",), invoice, SALES_TEAM),
    "core:list_view_save": P(("sales.view_invoice",), lambda d: {"key": "invoices"}),
    "core:list_columns": P(("sales.view_invoice",), lambda d: {"key": "invoices"}),
    "core:list_bulk": P(
        ("sales.view_lead", "sales.change_lead"),
        lambda d: {"key": "leads", "action": "responsible"},
    ),
    # A saved view is its owner's to delete (a team's members only open it).
    "core:list_view_delete": P(
        (),
        pk(
            lambda d: SavedView.objects.get_or_create(
                owner=d.user("sales"), list_key="invoices", name="فاکتورهای باز"
            )[0]
        ),
        only("sales"),
    ),
    # A view becomes the start page of who may open it: here its owner only.
    "core:list_view_start": P(
        (),
        pk(
            lambda d: SavedView.objects.get_or_create(
                owner=d.user("sales"), list_key="invoices", name="فاکتورهای باز"
            )[0]
        ),
        only("sales"),
    ),
    "core:start_page_clear": P(()),
    "sales:invoice_adjust": P(
        ("sales.add_invoice",), pk(Demo.invoice, subject="return"), SALES_TEAM
    ),
    "service:request_inbox": P(("service.view_request",)),
    "service:request_sent": P(("service.view_request",)),
    "service:request_all": P(("service.view_request",)),
    "service:request_create": P(("service.add_request",)),
    "service:request_detail": P(("service.view_request",), request_, REQUEST_PARTIES),
    "service:request_edit": P(("service.change_request",), request_, REQUEST_PARTIES),
    "service:request_delete": P(("service.delete_request",), request_, REQUEST_PARTIES),
    "service:request_done": P(("service.change_request",), request_, REQUEST_PARTIES),
    "service:request_archive": P(("service.change_request",), request_, REQUEST_PARTIES),
    "service:request_reject": P(("service.change_request",), request_, REQUEST_PARTIES),
    "service:request_sms": P(
        ("service.view_request", "messaging.send_message"), request_, REQUEST_PARTIES
    ),
    "service:request_watch": P(("service.view_request",), request_, REQUEST_PARTIES),
    "service:request_link": P(("service.change_request",), request_, REQUEST_PARTIES),
    "service:request_unlink": P(
        ("service.change_request",),
        lambda d: {"pk": d.request().pk, "other_pk": d.request("manager").pk},
        REQUEST_PARTIES,
    ),
    "service:settings": P(SETTINGS),
    "service:feedback_create": P(
        ("service.add_feedback",),
        lambda d: {"contact_pk": d.contact("support").pk},
        records_of("support"),
    ),
    "service:feedback_delete": P(
        ("service.delete_feedback",), pk(lambda d: d.feedback), records_of("support")
    ),
    "service:complaint_list": P(("service.view_complaint",)),
    "service:complaint_create": P(("service.add_complaint",)),
    "service:complaint_detail": P(("service.view_complaint",), complaint, COMPLAINT_PARTIES),
    "service:complaint_edit": P(("service.change_complaint",), complaint, COMPLAINT_PARTIES),
    "service:complaint_delete": P(("service.delete_complaint",), complaint, COMPLAINT_PARTIES),
    "service:complaint_close": P(("service.change_complaint",), complaint, COMPLAINT_PARTIES),
    "service:complaint_reopen": P(("service.change_complaint",), complaint, COMPLAINT_PARTIES),
    "service:complaint_followup_create": P(
        ("service.change_complaint", "sales.add_followup"), complaint, COMPLAINT_PARTIES
    ),
    "reports:show": P(("sales.view_lead",), lambda d: {"slug": "leads"}),
    "reports:export": P(("sales.view_lead",), lambda d: {"slug": "leads", "file_format": "xlsx"}),
    "surveys:questionnaire_list": P(SETTINGS),
    "surveys:questionnaire_create": P(SETTINGS),
    "surveys:questionnaire_edit": P(SETTINGS, pk(lambda d: Questionnaire.objects.first())),
    "surveys:project_list": P(("surveys.view_project",)),
    "surveys:project_create": P(("surveys.add_project",)),
    "surveys:project_detail": P(("surveys.view_project",), project, SALES_TEAM),
    "surveys:project_edit": P(("surveys.change_project",), project, SALES_TEAM),
    "surveys:project_delete": P(("surveys.delete_project",), project, SALES_TEAM),
    "surveys:survey_create": P(
        ("surveys.add_surveyresponse",), pk(Demo.invoice, kind="invoice"), SALES_TEAM
    ),
    # The portal customer's own records (see PORTAL_STRANGERS for other customers').
    "portal:request_detail": P((), pk(lambda d: d.own(Request))),
    "portal:complaint_detail": P((), pk(lambda d: d.own(Complaint))),
    "portal:document_pdf": P((), pk(lambda d: d.own(Invoice), name="invoices")),
    "portal:survey": P((), pk(Demo.own_project, kind="project")),
    "portal:section": P((), lambda d: {"name": "requests"}),
    "portal:statement": P(()),
    # Staff open a customer's portal access from the customer's page.
    "portal:access_edit": P(
        ("contacts.change_contact",),
        lambda d: {"contact_pk": d.contact("sales2").pk},
        records_of("sales2"),
    ),
    "activities:task_list": P(("activities.view_task",)),
    "activities:task_create": P(("activities.add_task",)),
    "activities:task_edit": P(("activities.change_task",), task, SALES_TEAM),
    "activities:task_done": P(("activities.change_task",), task, SALES_TEAM),
    "activities:task_reopen": P(("activities.change_task",), task, SALES_TEAM),
    # Notifications are one user's own: nobody else opens them, managers neither.
    "activities:notification_open": P((), pk(lambda d: d.notification), only("sales")),
    "activities:calendar": P(("activities.view_event",)),
    "activities:event_list": P(("activities.view_event",)),
    "activities:calendar_event_create": P(("activities.add_event",)),
    # A personal event is its owner's alone, as a diary is (managers included).
    "activities:calendar_event_edit": P(
        ("activities.change_event",), personal_event, only("sales")
    ),
    "activities:calendar_event_done": P(
        ("activities.change_event",), personal_event, only("sales")
    ),
    "activities:calendar_event_delete": P(
        ("activities.delete_event",), personal_event, only("sales")
    ),
    "activities:ics": P((), lambda d: {"key": d.feed.key}),
    "activities:call_list": P(("activities.view_call",)),
    "activities:call_create": P(("activities.add_call",)),
    "activities:call_detail": P(("activities.view_call",), call, SALES_TEAM),
    "activities:call_edit": P(("activities.change_call",), call, SALES_TEAM),
}


@dataclass(frozen=True)
class Stranger:
    """A portal page filled with a record of another customer than the portal's: the
    signed-in customer gets 404 (as for a record that does not exist), everyone else the
    portal's sign-in."""

    name: str
    record: Callable[[Demo], Request | Complaint | Quote | Invoice | Project]
    more: dict = field(default_factory=dict)


PORTAL_STRANGERS = [
    Stranger("portal:request_detail", Demo.request),  # support's request for another customer
    Stranger("portal:complaint_detail", Demo.complaint),  # the complaint about sales
    Stranger("portal:document_pdf", Demo.quote, {"name": "quotes"}),  # the sent proforma
    Stranger("portal:document_pdf", lambda d: d.stranger_invoice, {"name": "invoices"}),
    Stranger("portal:survey", lambda d: d.stranger_invoice, {"kind": "invoice"}),
    Stranger("portal:survey", lambda d: d.stranger_project, {"kind": "project"}),
]


@dataclass(frozen=True)
class Operation:
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subject:
    """The record an API path is about: its path parameters and who may see it."""

    params: Callable[[Demo], dict]
    audience: frozenset[str] | None = None


# Path prefixes (as the OpenAPI schema writes them) -> the demo record they are filled with.
API_SUBJECTS: dict[str, Subject] = {
    "/api/v1/lookups/{slug}": Subject(lambda d: {"slug": "sources"}),
    "/api/v1/contacts/{contact_id}": Subject(
        lambda d: {"contact_id": d.contact("sales2").pk}, records_of("sales2")
    ),
    "/api/v1/messages/{message_id}": Subject(
        lambda d: {"message_id": d.message(Message.Status.FAILED).pk}, SALES_TEAM
    ),
    "/api/v1/tasks/{task_id}": Subject(lambda d: {"task_id": d.task().pk}, SALES_TEAM),
    # The sales team's weekly meeting: its members see it, and whoever sees everything.
    "/api/v1/events/{event_id}": Subject(
        lambda d: {"event_id": d.team_event().pk}, MANAGERS | team(TEAM_OF["sales"])
    ),
    "/api/v1/calls/{call_id}": Subject(lambda d: {"call_id": d.call().pk}, SALES_TEAM),
    "/api/v1/leads/{lead_id}": Subject(
        lambda d: {"lead_id": d.lead("sales2").pk}, records_of("sales2")
    ),
    "/api/v1/followups/{followup_id}": Subject(
        lambda d: {"followup_id": d.followup("sales2").pk}, records_of("sales2")
    ),
    "/api/v1/products/{product_id}": Subject(lambda d: {"product_id": Product.objects.first().pk}),
    "/api/v1/quotes/{quote_id}": Subject(lambda d: {"quote_id": d.quote().pk}, SALES_TEAM),
    "/api/v1/invoices/{invoice_id}": Subject(lambda d: {"invoice_id": d.invoice().pk}, SALES_TEAM),
    "/api/v1/requests/{request_id}": Subject(
        lambda d: {"request_id": d.request().pk}, REQUEST_PARTIES
    ),
    "/api/v1/complaints/{complaint_id}": Subject(
        lambda d: {"complaint_id": d.complaint().pk}, COMPLAINT_PARTIES
    ),
    "/api/v1/reports/{slug}": Subject(lambda d: {"slug": "leads"}),
    # The demo's one contact in the recycle bin (only managers restore).
    "/api/v1/trash/{label}/{record_id}": Subject(
        lambda d: {
            "label": "contacts.contact",
            "record_id": Contact.all_objects.filter(deleted_at__isnull=False).first().pk,
        }
    ),
    # The demo's money is of the sales team's customers, recorded by finance.
    "/api/v1/receipts/{receipt_id}": Subject(
        lambda d: {"receipt_id": Receipt.objects.order_by("pk").first().pk}, SALES_TEAM
    ),
    "/api/v1/cheques/{cheque_id}": Subject(
        lambda d: {"cheque_id": Cheque.objects.order_by("pk").first().pk}, SALES_TEAM
    ),
}
# Required query parameters, by operation.
API_QUERIES: dict[str, dict] = {
    "GET /api/v1/events": {"start": "2026-01-01", "end": "2026-12-31"},
}
A = Operation
API: dict[str, Operation] = {
    "GET /api/v1/contacts": A(("contacts.view_contact",)),
    "POST /api/v1/contacts": A(("contacts.add_contact",)),
    "GET /api/v1/contacts/{contact_id}": A(("contacts.view_contact",)),
    "PUT /api/v1/contacts/{contact_id}": A(("contacts.change_contact",)),
    "PATCH /api/v1/contacts/{contact_id}": A(("contacts.change_contact",)),
    "DELETE /api/v1/contacts/{contact_id}": A(("contacts.delete_contact",)),
    "POST /api/v1/trash/{label}/{record_id}/restore": A(("accounts.manage_trash",)),
    "GET /api/v1/categories": A(("contacts.view_contact",)),
    "GET /api/v1/regions": A(("contacts.view_contact",)),
    "GET /api/v1/phonebook": A(("contacts.view_phonebookentry",)),
    "POST /api/v1/phonebook": A(("contacts.add_phonebookentry",)),
    "GET /api/v1/messages": A(("messaging.view_message",)),
    "POST /api/v1/messages": A(("messaging.send_message",)),
    "GET /api/v1/messages/{message_id}": A(("messaging.view_message",)),
    "POST /api/v1/messages/{message_id}/retry": A(("messaging.send_message",)),
    "POST /api/v1/messages/{message_id}/cancel": A(("messaging.send_message",)),
    "GET /api/v1/tasks": A(("activities.view_task",)),
    "POST /api/v1/tasks": A(("activities.add_task",)),
    "GET /api/v1/tasks/{task_id}": A(("activities.view_task",)),
    "POST /api/v1/tasks/{task_id}/done": A(("activities.change_task",)),
    "GET /api/v1/events": A(("activities.view_event",)),
    "POST /api/v1/events": A(("activities.add_event",)),
    "GET /api/v1/events/{event_id}": A(("activities.view_event",)),
    "POST /api/v1/events/{event_id}/done": A(("activities.change_event",)),
    "GET /api/v1/calls": A(("activities.view_call",)),
    "POST /api/v1/calls": A(("activities.add_call",)),
    "GET /api/v1/calls/{call_id}": A(("activities.view_call",)),
    "POST /api/v1/pbx/calls": A(("activities.add_call",)),
    "GET /api/v1/leads": A(("sales.view_lead",)),
    "POST /api/v1/leads": A(("sales.add_lead",)),
    "GET /api/v1/leads/{lead_id}": A(("sales.view_lead",)),
    "PUT /api/v1/leads/{lead_id}": A(("sales.change_lead",)),
    "PATCH /api/v1/leads/{lead_id}": A(("sales.change_lead",)),
    "DELETE /api/v1/leads/{lead_id}": A(("sales.delete_lead",)),
    "POST /api/v1/leads/{lead_id}/stage": A(("sales.change_lead",)),
    "POST /api/v1/leads/{lead_id}/close": A(("sales.change_lead",)),
    "POST /api/v1/leads/{lead_id}/reopen": A(("sales.change_lead",)),
    "GET /api/v1/leads/{lead_id}/followups": A(("sales.view_lead",)),
    "POST /api/v1/leads/{lead_id}/followups": A(("sales.view_lead", "sales.add_followup")),
    "GET /api/v1/followups/due": A(("sales.view_followup",)),
    "POST /api/v1/followups/{followup_id}/task": A(("activities.add_task",)),
    "GET /api/v1/products": A(("sales.view_product",)),
    "POST /api/v1/products": A(("sales.add_product",)),
    "PUT /api/v1/products/{product_id}": A(("sales.change_product",)),
    "GET /api/v1/quotes": A(("sales.view_quote",)),
    "POST /api/v1/quotes": A(("sales.add_quote",)),
    "GET /api/v1/quotes/{quote_id}": A(("sales.view_quote",)),
    "PUT /api/v1/quotes/{quote_id}": A(("sales.change_quote",)),
    "POST /api/v1/quotes/{quote_id}/status": A(("sales.change_quote",)),
    "POST /api/v1/quotes/{quote_id}/invoice": A(("sales.add_invoice",)),
    "GET /api/v1/quotes/{quote_id}/pdf": A(("sales.view_quote",)),
    "GET /api/v1/quotes/{quote_id}/followups": A(("sales.view_quote",)),
    "POST /api/v1/quotes/{quote_id}/followups": A(("sales.view_quote", "sales.add_followup")),
    "GET /api/v1/invoices": A(("sales.view_invoice",)),
    "GET /api/v1/invoices/{invoice_id}": A(("sales.view_invoice",)),
    "GET /api/v1/invoices/{invoice_id}/pdf": A(("sales.view_invoice",)),
    "GET /api/v1/requests": A(("service.view_request",)),
    "POST /api/v1/requests": A(("service.add_request",)),
    "GET /api/v1/requests/{request_id}": A(("service.view_request",)),
    "PUT /api/v1/requests/{request_id}": A(("service.change_request",)),
    "PATCH /api/v1/requests/{request_id}": A(("service.change_request",)),
    "DELETE /api/v1/requests/{request_id}": A(("service.delete_request",)),
    "POST /api/v1/requests/{request_id}/done": A(("service.change_request",)),
    "POST /api/v1/requests/{request_id}/archive": A(("service.change_request",)),
    "POST /api/v1/requests/{request_id}/reject": A(("service.change_request",)),
    "GET /api/v1/complaints": A(("service.view_complaint",)),
    "POST /api/v1/complaints": A(("service.add_complaint",)),
    "GET /api/v1/complaints/{complaint_id}": A(("service.view_complaint",)),
    "PUT /api/v1/complaints/{complaint_id}": A(("service.change_complaint",)),
    "PATCH /api/v1/complaints/{complaint_id}": A(("service.change_complaint",)),
    "DELETE /api/v1/complaints/{complaint_id}": A(("service.delete_complaint",)),
    "POST /api/v1/complaints/{complaint_id}/close": A(("service.change_complaint",)),
    "POST /api/v1/complaints/{complaint_id}/reopen": A(("service.change_complaint",)),
    "GET /api/v1/complaints/{complaint_id}/followups": A(("service.view_complaint",)),
    "POST /api/v1/complaints/{complaint_id}/followups": A(
        ("service.change_complaint", "sales.add_followup")
    ),
    "GET /api/v1/feedback": A(("service.view_feedback",)),
    "POST /api/v1/feedback": A(("service.add_feedback",)),
    "GET /api/v1/reports/{slug}": A(("sales.view_lead",)),
    # The money side, with the pages' permissions (reallocating has no page: change).
    "GET /api/v1/receipts": A(("finance.view_receipt",)),
    "POST /api/v1/receipts": A(("finance.add_receipt",)),
    "GET /api/v1/receipts/{receipt_id}": A(("finance.view_receipt",)),
    "DELETE /api/v1/receipts/{receipt_id}": A(("finance.delete_receipt",)),
    "GET /api/v1/receipts/{receipt_id}/allocations": A(("finance.view_receipt",)),
    "POST /api/v1/receipts/{receipt_id}/allocations": A(("finance.change_receipt",)),
    "GET /api/v1/cheques": A(("finance.view_cheque",)),
    "GET /api/v1/cheques/{cheque_id}": A(("finance.view_cheque",)),
    "POST /api/v1/cheques/{cheque_id}/move": A(("finance.view_cheque", "finance.manage_cheque")),
    "GET /api/v1/contacts/{contact_id}/account": A(("finance.view_account",)),
    "GET /api/v1/contacts/{contact_id}/statement": A(("finance.view_account",)),
    "GET /api/v1/bank-accounts": A(("finance.view_receipt",)),
}


@dataclass(frozen=True)
class Secret:
    """A text only its audience may read anywhere: no page, list, search, report or API
    answer to anyone else may contain it. `shown_to` (one of the audience) must meet it
    somewhere in the walk, or the check would be vacuous. A secret its audience reads
    outside the app (a code texted to the customer) has a `stand_in` instead: what the
    app shows in its place, which `shown_to` (then outside the audience) must meet."""

    what: str
    text: Callable[[Demo], str]
    audience: frozenset[str]
    shown_to: str
    stand_in: str = ""


SECRETS = [
    Secret(
        "a contact of sales2", lambda d: d.contact("sales2").name, records_of("sales2"), "sales"
    ),
    Secret(
        "a contact of support",
        lambda d: d.contact("support").name,
        records_of("support"),
        "manager",
    ),
    Secret(
        "the complaint about sales",
        lambda d: d.complaint().description,
        COMPLAINT_PARTIES,
        "support",
    ),
    Secret(
        "a private request (support → manager)",
        lambda d: d.request().subject,
        REQUEST_PARTIES,
        "support",
    ),
    Secret(
        "sales's personal phone-book entry",
        lambda d: PhoneBookEntry.objects.get(owner=d.user("sales"), is_public=False).name,
        only("sales"),
        "sales",
    ),
    Secret(
        "support's personal phone-book entry",
        lambda d: PhoneBookEntry.objects.get(owner=d.user("support"), is_public=False).name,
        only("support"),
        "support",
    ),
    Secret("sales's personal event", lambda d: d.personal_event().title, only("sales"), "sales"),
    # The portal customer's own request and complaint (support's, for the manager): the
    # customer reads them in the portal; sales, whose customer it is, does not.
    Secret(
        "the portal customer's request",
        lambda d: d.own(Request).subject,
        REQUEST_PARTIES | only(CUSTOMER),
        CUSTOMER,
    ),
    Secret(
        "the portal customer's complaint",
        lambda d: d.own(Complaint).description,
        COMPLAINT_PARTIES | only(CUSTOMER),
        CUSTOMER,
    ),
    # Whoever reads it signs in as the customer. Asked for at the portal while each role
    # walks (the customer's own sign-in, for the customer); sales, whose customer it is,
    # lists the SMS and reads that a code went, not the code.
    Secret(
        "the portal customer's sign-in code",
        Demo.portal_code_sms,
        only(CUSTOMER),
        "sales",
        stand_in="کد ورود پرتال — متن محرمانه است",
    ),
]
# A link whose secret is the credential acts for its owner: what it shows is theirs.
CREDENTIAL_LINKS = {
    "activities:ics", "sales:quote_shared", "finance:pay", "finance:statement_shared",
}  # fmt: skip
# Searches each secret is typed into by every role outside its audience: (URL name or
# API path, parameters).
PROBES = [
    ("core:search", {}),
    ("contacts:list", {}),
    ("contacts:autocomplete", {}),
    ("sales:lead_autocomplete", {}),
    ("phonebook:list", {}),
    ("sales:lead_list", {"status": "all"}),
    ("service:request_all", {}),
    ("service:complaint_list", {"view": "all"}),
    # core.lists: their text also finds the customer (by name or phone).
    ("finance:receipt_list", {}),
    ("finance:cheque_list", {"status": "all"}),
    # The call log's text also finds the contact by name: among those the reader sees.
    ("activities:call_list", {"user": "all"}),
    ("activities:task_list", {"assignee": "all", "status": "all"}),
    ("activities:event_list", {}),
    ("/api/v1/contacts", {}),
    ("/api/v1/phonebook", {}),
    ("/api/v1/requests", {"view": "all"}),
    # A complaint's text is searched in every tab.
    ("/api/v1/complaints", {}),
    ("/api/v1/receipts", {}),
    ("/api/v1/cheques", {}),
    ("/api/v1/leads", {"status": "all"}),
    ("/api/v1/calls", {"user": "all"}),
    ("/api/v1/tasks", {"assignee": "all", "status": "all"}),
]


# The walk ---------------------------------------------------------------------------


def page_patterns() -> Iterator[tuple[str, str, list[str]]]:
    """(name, route, argument names) of every named URL pattern, the API's operations
    excepted: they are walked from the OpenAPI schema, each with its own method."""
    operation_paths = {path for _key, path, _operation in api_operations()}

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    pattern.namespace or namespace,
                )
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) in operation_paths:
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, route, list(pattern.pattern.converters)

    yield from walk(get_resolver().url_patterns)


@functools.cache
def api_operations() -> list[tuple[str, str, dict]]:
    """("METHOD /path", path, OpenAPI operation) for every operation of the API."""
    return [
        (f"{method.upper()} {path}", path, operation)
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method, operation in methods.items()
    ]


def unfillable() -> list[str]:
    """What the walk cannot request, each with the line to add."""
    problems = []
    for name, route, arguments in page_patterns():
        if arguments and (name not in PAGES or PAGES[name].kwargs is None):
            problems.append(
                f"URL pattern {name!r} ({route}) takes {arguments}: add "
                f'PAGES["{name}"] = Page(needs=(…), kwargs=lambda d: {{…}}, audience=…) '
                "in tests/test_access_walk.py, filled from a demo record"
            )
    for key, path, operation in api_operations():
        params = [p for p in operation.get("parameters", []) if p["in"] == "path"]
        if params and subject_of(path) is None:
            problems.append(
                f"API operation {key!r} takes {[p['name'] for p in params]}: add "
                f'API_SUBJECTS["{path}"] = Subject(lambda d: {{…}}, audience) '
                "in tests/test_access_walk.py"
            )
        required = {p["name"] for p in operation.get("parameters", [])
                    if p["in"] == "query" and p.get("required")}  # fmt: skip
        if required - set(API_QUERIES.get(key, {})):
            problems.append(
                f"API operation {key!r} needs query {sorted(required)}: add API_QUERIES"
            )
    return problems


def subject_of(path: str) -> Subject | None:
    matches = [prefix for prefix in API_SUBJECTS if path.startswith(prefix)]
    return API_SUBJECTS[max(matches, key=len)] if matches else None


@contextmanager
def rolled_back():
    """Each request meets the demo as seeded: whatever it writes is undone."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def read(response) -> None:
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # a download read to its end closes its file


@dataclass
class Tally:
    patterns: int = 0
    operations: int = 0
    requests: int = 0
    probes: int = 0
    statuses: Counter = field(default_factory=Counter)
    strangers: Counter = field(default_factory=Counter)  # statuses of PORTAL_STRANGERS


SUMMARY: dict[str, Tally] = {}


@pytest.fixture(scope="module", autouse=True)
def _summary():
    yield
    if not SUMMARY:
        return
    lines = ["", "Access walk (tests/test_access_walk.py):"]
    for role in ROLES:
        if tally := SUMMARY.get(role):
            histogram = ", ".join(f"{code}×{n}" for code, n in sorted(tally.statuses.items()))
            strangers = ", ".join(f"{code}×{n}" for code, n in sorted(tally.strangers.items()))
            lines.append(
                f"  {role:<10} {tally.patterns} URL patterns, {tally.operations} API operations,"
                f" {tally.probes} searches for secrets, {tally.requests} requests: {histogram};"
                f" {tally.strangers.total()} portal pages of other customers: {strangers}"
            )
    print("\n".join(lines))


@pytest.fixture
def demo(db, settings) -> Demo:
    return seeded_demo(settings)


def seeded_demo(settings) -> Demo:
    """The demo as `seed_demo` leaves it, with the walk's extras (the locale crawl reads
    the same pages)."""
    call_command("seed_demo", stdout=io.StringIO())
    # A live worker, so /health/ answers 200, however long the walk takes.
    settings.WORKER_HEARTBEAT_SECONDS = 24 * 3600
    workers.started("walk")
    demo = Demo()
    demo.extras()
    return demo


def login_url() -> str:
    return reverse("accounts:login")


def page_verdict(name: str, role: str, response, demo: Demo) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"{status} (server error: {crash(response)})"
    redirect = response.url if status == 302 else ""
    sent_to_login = redirect.startswith(login_url())
    if name in NOWHERE:
        return None if status == 404 else f"{status}, expected 404 (nothing lives there)"
    if name in PORTAL_PAGES:
        if role == CUSTOMER:
            return None if status == 200 else f"{status}: the customer's own page (expected 200)"
        if redirect.startswith(reverse("portal:login")):
            return None
        return f"{status}: {role} is no portal customer (expected the portal's sign-in)"
    if name == "accounts:logout" and sent_to_login:
        return None  # signing out ends on the login page
    if role in NO_STAFF_LOGIN:
        if name in PUBLIC_STATUS:
            expected, why = PUBLIC_STATUS[name]
            return None if status == expected else f"{status}, expected {expected} ({why})"
        if name in PUBLIC:
            ok = status == 200 or (status == 302 and not sent_to_login)
            return None if ok else f"{status}, public ({PUBLIC[name]}) should answer"
        if not sent_to_login:
            return (
                f"{status} without a staff login: expected the login page; if it is public "
                "on purpose, add it to PUBLIC with the reason"
            )
        return None
    if sent_to_login:
        return "a signed-in user was sent to the login page"
    spec = PAGES.get(name, Page())
    may = all(holds(role, permission) for permission in spec.needs) and (
        spec.audience is None or role in spec.audience
    )
    if may and status in (401, 403, 404):
        return (
            f"{status}, but {role} holds {spec.needs or 'no permission needed'} and may see "
            "the record; if the page needs a permission, say which in PAGES"
        )
    if not may and status not in (403, 404):
        return f"{status}: {refusal(role, spec.needs, spec.audience)} (expected 403/404)"
    return None


def crash(response) -> str:
    """The exception behind a 500, for the failure message."""
    exc_info = getattr(response, "exc_info", None)
    return repr(exc_info[1]) if exc_info else "no exception raised"


def refusal(role: str, needs: tuple[str, ...], audience: frozenset[str] | None) -> str:
    missing = [permission for permission in needs if not holds(role, permission)]
    if missing:
        return f"{role} lacks {', '.join(missing)}"
    return f"{role} may not see the record (only {', '.join(sorted(audience or ()))})"


def api_verdict(key: str, role: str, response, has_body: bool) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"{status} (server error: {crash(response)})"
    if role in NO_STAFF_LOGIN:
        if key in PUBLIC:
            return None
        return None if status == 401 else f"{status} without a token (expected 401)"
    if key not in API:
        # Any signed-in user: me, lookups, notifications, the reports they may read.
        return None if status not in (401, 403, 404) else f"{status} for any signed-in user"
    path = key.split(" ", 1)[1]
    subject = subject_of(path)
    audience = subject.audience if subject else None
    may = all(holds(role, p) for p in API[key].needs) and (audience is None or role in audience)
    if may and status in (401, 403, 404):
        return f"{status}, but {role} holds {API[key].needs} and may see the record"
    # The payload is validated before the operation runs: an empty body answers 422 to
    # everyone, which reveals nothing.
    refused = (403, 404, 422) if has_body else (403, 404)
    if not may and status not in refused:
        return f"{status}: {refusal(role, API[key].needs, audience)}"
    return None


def portal_sign_in(client: Client, demo: Demo) -> list[str]:
    """Signs the portal customer in as a customer does, through the portal's own pages:
    the demo mobile as they would type it, then the six-digit code texted to it (the
    newest message to that mobile in the outbox)."""
    response = client.post(reverse("portal:login"), {"mobile": PORTAL_MOBILE_NATIONAL})
    if response.status_code != 302 or response.url != reverse("portal:code"):
        return [f"portal sign-in: the mobile answered {response.status_code}, not the code page"]
    sms = Message.objects.filter(to=PORTAL_MOBILE).order_by("-created_at", "-pk").first()
    code = re.search(r"\d{6}", sms.body) if sms else None
    if code is None:
        return [f"portal sign-in: no code texted to {PORTAL_MOBILE}"]
    response = client.post(reverse("portal:code"), {"code": code.group()})
    if response.status_code != 302 or response.url != reverse("portal:home"):
        return [f"portal sign-in: the code answered {response.status_code}, not the portal"]
    home = client.get(reverse("portal:home"))
    if home.status_code != 200 or demo.customer().name not in home.content.decode():
        return [f"portal sign-in: the portal's home is not {demo.customer().name}'s"]
    return []


def portal_code_asked() -> list[str]:
    """The portal customer asks for a sign-in code, in their own browser, while a staff
    role (or a stranger) walks: the code's SMS waits in the outbox for its worker."""
    response = Client().post(reverse("portal:login"), {"mobile": PORTAL_MOBILE_NATIONAL})
    if response.status_code != 302 or response.url != reverse("portal:code"):
        return [f"portal code: the mobile answered {response.status_code}, not the code page"]
    return []


def walk(role: str, demo: Demo) -> list[str]:
    client = Client(raise_request_exception=False)
    user = demo.user(role) if role in USERNAMES else None
    if user:
        client.force_login(user)
    tally = SUMMARY.setdefault(role, Tally())
    problems = unfillable()
    portal_cookie = None
    if role == CUSTOMER:
        if failed := portal_sign_in(client, demo):
            return problems + failed
        portal_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    elif failed := portal_code_asked():
        return problems + failed

    def resume() -> None:
        """A sign-out (staff or portal) was undone in the database by the rollback, not
        in the client: sign the user in again, give the customer its session back."""
        if user and not client.session.get("_auth_user_id"):
            client.force_login(user)
        if portal_cookie and not client.session.get(PORTAL_SESSION_KEY):
            client.cookies[settings.SESSION_COOKIE_NAME] = portal_cookie
            if not client.session.get(PORTAL_SESSION_KEY):
                problems.append("the customer's portal session could not be resumed")

    secrets = [(secret, secret.text(demo)) for secret in SECRETS]
    seen: set[str] = set()

    def look(where: str, name: str, response) -> None:
        """No secret outside its audience; note those the role's own walk met."""
        if response.status_code != 200 or getattr(response, "streaming", False):
            return
        body = response.content.decode(errors="replace")
        for secret, text in secrets:
            if text in body or json.dumps(text)[1:-1] in body:
                seen.add(secret.what)
                if role not in secret.audience and name not in CREDENTIAL_LINKS:
                    problems.append(f"{role} {where}: LEAK of {secret.what} ({text!r})")
            stand_in = secret.stand_in
            if stand_in and (stand_in in body or json.dumps(stand_in)[1:-1] in body):
                seen.add(secret.what)

    fillable = {name for name, _route, args in page_patterns() if not args or name in PAGES}
    for name, _route, arguments in page_patterns():
        if name not in fillable:
            continue
        spec = PAGES.get(name, Page())
        url = reverse(name, kwargs=spec.kwargs(demo) if arguments else {})
        with rolled_back():
            response = client.get(url)
            read(response)
        tally.requests += 1
        method = "GET"
        if response.status_code == 405:
            method = "POST"
            with rolled_back():
                response = client.post(url)
                read(response)
            tally.requests += 1
        resume()
        tally.patterns += 1
        tally.statuses[response.status_code] += 1
        if verdict := page_verdict(name, role, response, demo):
            problems.append(f"{role} {method} {url} ({name}): {verdict}")
        look(f"{method} {url}", name, response)
    customer = demo.customer()
    for stranger in PORTAL_STRANGERS:
        record = stranger.record(demo)
        url = reverse(stranger.name, kwargs={"pk": record.pk, **stranger.more})
        if record.contact_id == customer.pk:
            problems.append(f"{url} ({stranger.name}): the portal customer's own, not another's")
        with rolled_back():
            response = client.get(url)
            read(response)
        tally.requests += 1
        tally.strangers[response.status_code] += 1
        if role == CUSTOMER:
            if response.status_code != 404:
                problems.append(
                    f"{role} GET {url} ({stranger.name}): {response.status_code}, but the "
                    f"{type(record).__name__} is another customer's (expected 404)"
                )
        elif not (response.status_code == 302 and response.url == reverse("portal:login")):
            problems.append(
                f"{role} GET {url} ({stranger.name}): {response.status_code}, {role} is no "
                "portal customer (expected the portal's sign-in)"
            )
        look(f"GET {url}", stranger.name, response)
    headers = {}
    if user:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user)[1]}"
    for key, path, operation in api_operations():
        method = key.split(" ", 1)[0]
        subject = subject_of(path)
        if "{" in path and subject is None:
            continue  # reported by unfillable()
        url = path.format(**subject.params(demo)) if subject else path
        has_body = "requestBody" in operation
        extra = {"data": "{}", "content_type": "application/json"} if has_body else {}
        if method == "GET":
            extra = {"data": API_QUERIES.get(key, {})}
        with rolled_back():
            if method == "GET":
                response = client.get(url, **extra, **headers)
            else:
                response = client.generic(method, url, **extra, **headers)
            read(response)
        tally.operations += 1
        tally.requests += 1
        tally.statuses[response.status_code] += 1
        if verdict := api_verdict(key, role, response, has_body):
            problems.append(f"{role} {key} ({url}): {verdict}")
        look(f"{key} ({url})", key, response)
    for secret, text in secrets:
        if role in secret.audience:
            continue
        # Typed in part, so that finding the whole text is no echo of the search box.
        query = text[: max(3, len(text) * 2 // 3)].strip()
        for target, params in PROBES:
            url = target if target.startswith("/") else reverse(target)
            response = client.get(url, {**params, "q": query}, **headers)
            tally.requests += 1
            tally.probes += 1
            if response.status_code >= 500:
                problems.append(f"{role} GET {url}?q={query}: {crash(response)}")
            look(f"GET {url}?q={query}", target, response)
    for secret, _text in secrets:
        if role == secret.shown_to and secret.what not in seen:
            problems.append(
                f"{role} never met {secret.what}, which it may see: the leak check of it is "
                "vacuous (choose a text the walk shows to its audience)"
            )
    return problems


def test_every_url_pattern_and_operation_can_be_filled():
    assert unfillable() == []


def test_the_demo_roles_are_the_walks():
    """Every seeded user is walked, and the roles differ where the walk relies on it."""
    assert set(USERNAMES) >= {"manager", "sales", "sales2", "support"}
    # Finance sees every customer's money, so every record (and holds little else).
    assert sorted(MANAGERS) == ["finance", "manager"]
    assert records_of("sales2") == {"finance", "manager", "sales", "sales2"}
    assert records_of("support") == {"finance", "manager", "support"}
    assert CUSTOMER not in USERNAMES and ROLES[-1] == CUSTOMER  # walked as its own role


@pytest.mark.parametrize("role", ROLES)
def test_access_walk(demo, role):
    problems = walk(role, demo)
    assert problems == [], "\n".join(problems)


# Any value in any list parameter ---------------------------------------------------------

# What a clumsy user or an attacker types into a query string: numbers no database column
# holds (SQLite overflows past 2**63 - 1), Persian digits, no number at all, a negative,
# a fraction, a NUL byte, a very long text.
ODD_VALUES = [
    "9" * 30,
    "۹" * 30,
    str(2**63),
    "abc",
    "-5",
    "1.5",
    "1e400",
    "\x00",
    "ی" * 5000,
]
# A page's parameters, each odd value in all of them at once (a page's request costs ten
# of an API operation's): not «۹۹۹…» — Python reads Persian digits as it reads Latin
# ones, so it takes the same path as «999…» — nor NUL, which CleanQueryStringMiddleware
# takes out before any view (tests/core/test_bad_request.py).
PAGE_ODD_VALUES = [value for value in ODD_VALUES if value not in ("۹" * 30, "\x00")]


class _ParameterNames(HTMLParser):
    """The names a page's own GET forms and its links would put in the query string."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self._get_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._get_form = (attrs.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._get_form and attrs.get("name"):
            self.names.add(attrs["name"])
        elif tag == "a" and (href := attrs.get("href") or "").startswith("?"):
            self.names.update(parse_qs(href[1:], keep_blank_values=True))

    def handle_endtag(self, tag):
        if tag == "form":
            self._get_form = False


def parameter_names(html: str) -> set[str]:
    parser = _ParameterNames()
    parser.feed(html)
    return parser.names - {"csrfmiddlewaretoken"}


def test_every_list_parameter_takes_any_value(demo):
    """Every page the role can open, asked again with each odd value in every parameter
    its forms and links use (and `page`), and every API operation that reads GET
    parameters, with each odd value in each: an answer, never a server error. The
    manager opens every page, so every parameter is met."""
    client = Client(raise_request_exception=False)
    manager = demo.user("manager")
    client.force_login(manager)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(manager)[1]}"}
    problems, asked = [], 0
    for name, _route, arguments in page_patterns():
        if (arguments and name not in PAGES) or name in PORTAL_PAGES or name in NOWHERE:
            continue
        if name in ("accounts:logout",):
            continue
        spec = PAGES.get(name, Page())
        url = reverse(name, kwargs=spec.kwargs(demo) if arguments else {})
        with rolled_back():
            response = client.get(url)
            read(response)
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        names = parameter_names(response.content.decode(errors="replace")) | {"page"}
        for value in PAGE_ODD_VALUES:
            with rolled_back():
                response = client.get(url, dict.fromkeys(names, value))
                read(response)
            asked += 1
            if response.status_code >= 500:
                problems.append(f"GET {url} {sorted(names)}={value[:12]!r}: {crash(response)}")
    for key, path, operation in api_operations():
        queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        if not key.startswith("GET ") or not queries:
            continue
        subject = subject_of(path)
        if "{" in path and subject is None:
            continue
        url = path.format(**subject.params(demo)) if subject else path
        for query in queries:
            for value in ODD_VALUES:
                with rolled_back():
                    params = {**API_QUERIES.get(key, {}), query: value}
                    response = client.get(url, params, **headers)
                    read(response)
                asked += 1
                if response.status_code >= 500:
                    problems.append(f"{key} {query}={value[:12]!r}: {crash(response)}")
    assert asked > 500, asked
    assert problems == [], "\n".join(problems)


def _has_field(model, name: str) -> bool:
    return name in {field.name for field in model._meta.get_fields()}


def _list_samples(spec, user, base: set) -> Iterator[dict]:
    """Query strings that set each filter of a list to each value it offers — and,
    where a filter takes a record, a person or text, those of the rows the user may not
    see (another team's customer, its owner, the customer's name) — then every filter at
    once."""
    reading = lists.ListReading(user=user)
    unseen = spec.model.objects.exclude(pk__in=base)
    together: dict = {}
    for list_filter in spec.filters:
        if isinstance(list_filter, lists.Search) and spec.model is Contact:
            values = [
                {list_filter.name: name} for name in unseen.values_list("name", flat=True)[:3]
            ]
        elif isinstance(list_filter, lists.Search) and _has_field(spec.model, "contact"):
            names = Contact.objects.filter(pk__in=unseen.values("contact")).values("name")
            values = [{list_filter.name: row["name"]} for row in names[:3]]
        elif isinstance(list_filter, lists.Search):  # a task, an event: its own words
            values = [{list_filter.name: str(row)[:30]} for row in unseen[:3]]
        elif isinstance(list_filter, Ticked):
            values = [{list_filter.name: str(pk)} for pk in unseen.values_list("pk", flat=True)[:3]]
        elif isinstance(list_filter, CustomFieldFilters):
            values = [
                {f"cf{field.pk}_from": "0"}
                if field.kind in RANGED
                else {f"cf{field.pk}": (field.option_list or ["1"])[0]}
                for field in list_filter.fields(reading)
            ]
        elif isinstance(list_filter, (lists.Record, lists.Person)):
            ids = unseen.values_list(f"{list_filter.field}_id", flat=True).distinct()[:3]
            values = [{list_filter.name: str(pk)} for pk in ids]
            if isinstance(list_filter, lists.Person):
                values.append({list_filter.name: "me"})
        elif isinstance(list_filter, lists.DateRange):
            values = [{f"{list_filter.name}_period": key} for key in list_filter.presets]
            values.append({f"{list_filter.name}_from": "1300/01/01"})
        elif isinstance(list_filter, lists.AmountRange):
            values = [{f"{list_filter.name}_min": "0"}]
        elif isinstance(list_filter, (lists.Choice, lists.Tree, lists.YesNo)):
            values = [{list_filter.name: str(key)} for key, _ in list_filter.options(reading)]
            values.append({list_filter.name: "all"})
        else:
            pytest.fail(f"{spec.key}: no sample for {type(list_filter).__name__}; add one here")
        yield from values
        if values:
            together.update(values[-1])
    yield together


def test_no_list_filter_widens_what_a_role_sees(demo):
    """For every list on core.lists (pages, exports and the API read the same rows) and
    every staff role that may open it: whatever each filter is set to — another team's
    customer, user or customer's name included — the rows stay among what the role may
    see, and the list starts from that visibility."""
    checked, outside = 0, 0
    stranger = demo.user("support")  # another team than sales'
    for spec in lists.LISTS.values():
        # Two rows of each list, and their customers, become the other team's.
        moved = list(spec.model.objects.order_by("pk").values_list("pk", flat=True)[:2])
        fields = {field.name for field in spec.model._meta.get_fields()}
        if "owner" in fields:
            spec.model.objects.filter(pk__in=moved).update(owner=stranger)
        if "contact" in fields:
            customers = spec.model.objects.filter(pk__in=moved).values("contact")
            Contact.objects.filter(pk__in=customers).update(owner=stranger)
    for spec in lists.LISTS.values():
        for username in USERNAMES:
            if not holds(username, spec.permission):
                continue
            user = demo.user(username)
            base = set(spec.base(user).values_list("pk", flat=True))
            visible = spec.model.objects.visible_to(user).values_list("pk", flat=True)
            assert base <= set(visible), (spec.key, username)
            outside += spec.model.objects.exclude(pk__in=base).exists()
            for params in _list_samples(spec, user, base):
                query = QueryDict(mutable=True)
                for name, value in params.items():
                    query[name] = value
                rows = set(spec.rows(user, query).values_list("pk", flat=True))
                assert rows <= base, (spec.key, username, params)
                checked += 1
    # The demo has rows each list hides from someone, and the walk asked enough.
    assert outside >= len(lists.LISTS) and checked > 100, (outside, checked)
