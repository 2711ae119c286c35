"""Every URL's access rule, walked for the four personas: anonymous, an outsider (no
visibility), the owner (a sales rep) and a manager. A meta-test fails when a new URL
appears without a line here."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from peyvand.accounts.models import ApiToken
from peyvand.accounts.roles import SALES
from peyvand.activities.models import CalendarFeed, Call, Event, Notification, Task
from peyvand.automation.models import Form as AutomationForm
from peyvand.automation.models import FormField, WebhookDelivery, WebhookSubscription
from peyvand.automation.models import Rule as AutomationRule
from peyvand.contacts.models import PhoneBookEntry, Region
from peyvand.core.models import (
    Attachment,
    ExportJob,
    HolidayOverride,
    ImportJob,
    SavedView,
    Sequence,
)
from peyvand.core.services import record_save
from peyvand.customfields.models import CustomField
from peyvand.finance.models import BankAccount
from peyvand.finance.payments import pay_token
from peyvand.finance.statements import statement_token
from peyvand.lookups.models import AcquaintanceSource, Grade, Urgency
from peyvand.messaging.models import (
    Broadcast,
    ContactGroup,
    Mailbox,
    Message,
    MessageAttachment,
    MessageTemplate,
    Occasion,
)
from peyvand.sales.models import Invoice, PriceList, Product, Quote, QuoteLine, VatRate
from peyvand.sales.services import (
    quote_save,
    quote_set_status,
    quote_share_token,
    quote_to_invoice,
)
from peyvand.service.models import Complaint, Feedback, Request
from peyvand.service.services import complaint_register, request_register
from peyvand.surveys.models import Project, Question, Questionnaire
from tests.factories import ContactFactory, FollowUpFactory, LeadFactory
from tests.finance.money import receive_cheque

LOGIN = "login"  # anonymous users are sent to the login page


@dataclass
class Rule:
    args: Callable[[object], list]  # personas -> URL arguments (creates what it needs)
    anonymous: object
    outsider: int
    owner: int
    manager: int
    method: str = "get"


def no_args(personas) -> list:
    return []


def owners_contact(personas) -> list:
    return [ContactFactory(owner=personas.owner).pk]


def deleted_contact(personas) -> list:
    contact = ContactFactory(owner=personas.owner, deleted_at=timezone.now())
    return ["contacts.contact", contact.pk]


def lookup_list(personas) -> list:
    return ["sources"]


def lookup_item(personas) -> list:
    return ["sources", AcquaintanceSource.objects.create(name="منبع آزمایشی").pk]


def holiday_override(personas) -> list:
    return [HolidayOverride.objects.create(date="2026-12-01", note="آزمایش").pk]


def a_sequence(personas) -> list:
    return [Sequence.objects.create(kind="test", name="آزمایش").pk]


def a_user(personas) -> list:
    return [personas.owner.pk]


def owners_api_token(personas) -> list:
    return [ApiToken.issue(personas.owner, name="یکپارچه‌سازی")[0].pk]


def a_role(personas) -> list:
    return [Group.objects.get(name=SALES).pk]


def a_region(personas) -> list:
    return ["regions", Region.objects.get(name="اصفهان", depth=0).pk]


def a_custom_field(personas) -> list:
    return [CustomField.objects.create(target="contacts.contact", label="آزمایش").pk]


def owners_import(personas) -> list:
    job = ImportJob.objects.create(
        user=personas.owner, target="contacts.contact", file="imports/x.xlsx", headers=["نام"]
    )
    return [job.pk]


def owners_phonebook_entry(personas) -> list:
    """A personal entry of the owner: only its owner sees it, managers included."""
    entry = PhoneBookEntry.objects.create(
        owner=personas.owner, name="شماره من", mobile="+989121111111"
    )
    return [entry.pk]


def owners_contact_label(personas) -> list:
    return ["contacts.contact", ContactFactory(owner=personas.owner).pk]


def owners_attachment(personas) -> list:
    contact = ContactFactory(owner=personas.owner)
    attachment = Attachment.objects.create(
        record=contact,
        file=ContentFile(b"%PDF-1.4 test", name="offer.pdf"),
        original_name="offer.pdf",
        mime_type="application/pdf",
        size=13,
        uploaded_by=personas.owner,
    )
    return [attachment.pk]


def owners_bank_account(personas) -> list:
    contact = ContactFactory(owner=personas.owner)
    account = contact.bank_accounts.create(iban="IR820540102680020817909002")
    return [contact.pk, "bank", account.pk]


def a_team(personas) -> list:
    return [personas.owner.teams.first().pk]


def owners_message(personas, status="queued") -> list:
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    message = Message.objects.create(
        channel="sms", to=contact.mobile, contact=contact, body="سلام", owner=personas.owner,
        status=status,
    )  # fmt: skip
    return [message.pk]


def owners_received_message(personas) -> list:
    """A customer's SMS to the owner's contact: what «پاسخ» answers."""
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    message = Message.objects.create(
        channel="sms", direction="in", status="received", to=contact.mobile, contact=contact,
        body="سلام", owner=personas.owner, backend="kavenegar", provider_id="7001",
    )  # fmt: skip
    return [message.pk]


def owners_broadcast(personas) -> list:
    broadcast = Broadcast.objects.create(
        owner=personas.owner, channel="sms", title="نوروز", target="list", body="نوروز مبارک"
    )
    return [broadcast.pk]


def owners_group(personas) -> list:
    return [ContactGroup.objects.create(owner=personas.owner, name="گروه من").pk]


def owners_received_email(personas) -> list:
    """A customer's email to the owner, its original kept."""
    message = Message.objects.create(
        channel="email", direction="in", status="received", to="maryam@example.ir",
        subject="سلام", body="سلام", owner=personas.owner, backend="imap:1", provider_id="1:1",
    )  # fmt: skip
    message.raw.save("1.eml", ContentFile(b"From: maryam@example.ir\r\n\r\nHi\r\n"))
    return [message.pk]


def owners_received_email_file(personas) -> list:
    [pk] = owners_received_email(personas)
    file = MessageAttachment(message_id=pk, name="a.pdf", mime_type="application/pdf")
    file.file.save("a.pdf", ContentFile(b"%PDF-1.4\n"))
    return [pk, file.pk]


def a_mailbox(personas) -> list:
    mailbox = Mailbox.objects.create(
        name="پشتیبانی", address="support@example.ir", host="127.0.0.1", username="support",
        password="secret", owner=personas.manager,
    )  # fmt: skip
    return [mailbox.pk]


def a_webhook(personas) -> list:
    subscription = WebhookSubscription.objects.create(
        name="حسابداری", url="https://192.0.2.10/peyvand", owner=personas.manager,
        events=["sales.lead.created"],
    )  # fmt: skip
    return [subscription.pk]


def _form(personas, published: bool = False) -> AutomationForm:
    form = AutomationForm.objects.create(
        name="تماس با ما", title="تماس با ما", owner=personas.manager, is_published=published
    )
    FormField.objects.create(form=form, kind="name", label="نام", required=True)
    return form


def a_form(personas) -> list:
    return [_form(personas).pk]


def a_form_field(personas) -> list:
    return [_form(personas).fields.get().pk]


def a_published_form(personas) -> list:
    return [_form(personas, published=True).key]


def a_rule(personas) -> list:
    rule = AutomationRule.objects.create(
        name="سرنخ تازه", list_key="leads", trigger="created", conditions="status=all",
        owner=personas.manager, actions=[{"kind": "notify", "who": "owner", "title": "سرنخ تازه"}],
    )  # fmt: skip
    return [rule.pk]


def a_failed_webhook_delivery(personas) -> list:
    [subscription] = a_webhook(personas)
    delivery = WebhookDelivery.objects.create(
        subscription_id=subscription, event="sales.lead.created", status="failed"
    )
    return [delivery.pk]


def owners_occasion(personas) -> list:
    group = ContactGroup.objects.create(owner=personas.owner, name="گروه من")
    occasion = Occasion.objects.create(
        owner=personas.owner, title="یلدا", channel="sms", group=group, month=9, day=30, body="یلدا"
    )
    return [occasion.pk]


def owners_task(personas) -> list:
    return [Task.objects.create(owner=personas.owner, assignee=personas.owner, description="x").pk]


def owners_event(personas) -> list:
    """A personal event: its owner's alone, as a diary is (managers included)."""
    return [Event.objects.create(owner=personas.owner, title="دیدار").pk]


def owners_feed(personas) -> list:
    return [CalendarFeed.objects.create(user=personas.owner, key=CalendarFeed.new_key()).key]


def owners_call(personas) -> list:
    return [Call.objects.create(owner=personas.owner, kind="incoming", number="+989121234567").pk]


def owners_notification(personas) -> list:
    return [Notification.objects.create(user=personas.owner, title="x", url="/").pk]


def owners_group_member(personas) -> list:
    group = ContactGroup.objects.create(owner=personas.owner, name="گروه من")
    contact = ContactFactory(owner=personas.owner)
    group.memberships.create(contact=contact)
    return [group.pk, contact.pk]


def a_message_template(personas) -> list:
    template = MessageTemplate.objects.create(
        name="تبریک", channel="sms", body="{نام} عزیز", created_by=personas.manager
    )
    return [template.pk]


def owners_lead(personas) -> list:
    return [LeadFactory(owner=personas.owner).pk]


def owners_followup(personas) -> list:
    return [FollowUpFactory(lead=LeadFactory(owner=personas.owner)).pk]


def a_product(personas) -> list:
    return [Product.objects.create(code="P-1", name="کالا", price=1000).pk]


def a_price_list(personas) -> list:
    grade = Grade.objects.create(name="همکار")
    return [PriceList.objects.create(name="همکاران", grade=grade).pk]


def a_vat_rate(personas) -> list:
    return [VatRate.objects.get_or_create(valid_from=datetime.date(2024, 3, 20), percent=10)[0].pk]


def owners_feedback(personas) -> list:
    contact = ContactFactory(owner=personas.owner)
    item = Feedback(contact=contact, kind="gift", description="سررسید", owner=personas.owner)
    return [record_save(record=item, by=personas.owner).pk]


def owners_request(personas) -> list:
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    item = Request(description="خرابی", urgency=urgency, assignee=personas.owner)
    return [request_register(request=item, by=personas.owner).pk]


def owners_request_with_customer(personas) -> list:
    """A request of the owner's about a customer: what «پیام به مشتری» writes about."""
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    contact = ContactFactory(owner=personas.owner, email="customer@example.ir")
    item = Request(description="خرابی", urgency=urgency, assignee=personas.owner, contact=contact)
    return ["service.request", request_register(request=item, by=personas.owner).pk]


def owners_complaint(personas) -> list:
    contact = ContactFactory(owner=personas.owner)
    item = Complaint(contact=contact, description="تأخیر در ارسال", officer=personas.owner)
    return [complaint_register(complaint=item, by=personas.owner).pk]


def two_owners_requests(personas) -> list:
    return owners_request(personas) + owners_request(personas)


def a_questionnaire(personas) -> list:
    return [Questionnaire.objects.create(name="رضایت", subject="project").pk]


def owners_project(personas) -> list:
    project = Project.objects.create(
        owner=personas.owner, name="نصب", contact=ContactFactory(owner=personas.owner)
    )
    return [project.pk]


def owners_project_survey(personas) -> list:
    questionnaire = Questionnaire.objects.create(name="تحویل", subject="project")
    Question.objects.create(questionnaire=questionnaire, text="کیفیت")
    return ["project", *owners_project(personas)]


def leads_as_excel(personas) -> list:
    return ["leads", "xlsx"]


def contacts_exporter(personas) -> list:
    return ["contacts"]


def owners_export(personas) -> list:
    job = ExportJob.objects.create(
        user=personas.owner, kind="contacts", title="مخاطبین", status=ExportJob.Status.DONE
    )
    job.file.save("contacts.xlsx", ContentFile(b"PK"), save=True)
    job.filename = "contacts.xlsx"
    job.save()
    return [job.pk]


def a_report(personas) -> list:
    return ["followups"]


def a_report_as_excel(personas) -> list:
    return ["followups", "xlsx"]


def owners_quote(personas) -> list:
    lead = LeadFactory(owner=personas.owner)
    line = QuoteLine(description="خدمات", unit_price=1000)
    quote = Quote(lead=lead, contact=lead.contact)
    return [quote_save(quote=quote, lines=[line], by=personas.owner).pk]


def owners_quote_by_email(personas) -> list:
    return [*owners_quote(personas), "email"]


def shared_quote(personas) -> list:
    return [quote_share_token(Quote.objects.get(pk=owners_quote(personas)[0]))]


def owners_invoice(personas) -> list:
    quote = Quote.objects.get(pk=owners_quote(personas)[0])
    quote_set_status(quote=quote, by=personas.owner, status="accepted")
    return [quote_to_invoice(quote=quote, by=personas.owner).pk]


def owners_tax_submission(personas) -> list:
    """The owner's invoice queued for سامانه مودیان (not resendable: the resend says so)."""
    from peyvand.tax.models import MoadianSettings
    from peyvand.tax.services import submission_queue

    MoadianSettings.objects.update_or_create(pk=1, defaults={"memory_id": "A11216"})
    invoice = Invoice.objects.get(pk=owners_invoice(personas)[0])
    return [submission_queue(invoice=invoice).pk]


def owners_cheque_receipt(personas) -> list:
    """A cheque of the owner's customer, recorded by finance (the manager here)."""
    cheque = receive_cheque(ContactFactory(owner=personas.owner), personas.manager, 5_000_000)
    return [cheque.receipt_id]


def owners_cheque(personas) -> list:
    cheque = receive_cheque(ContactFactory(owner=personas.owner), personas.manager, 5_000_000)
    return [cheque.pk]


def owners_invoice_pay_token(personas) -> list:
    invoice = Invoice.objects.get(pk=owners_invoice(personas)[0])
    return [pay_token(invoice)]


def owners_saved_view(personas) -> list:
    view = SavedView.objects.create(owner=personas.owner, list_key="invoices", name="باز")
    return [view.pk]


def owners_invoice_correction(personas) -> list:
    return [*owners_invoice(personas), "correction"]


def owners_invoice_sms(personas) -> list:
    return [*owners_invoice(personas), "sms"]


def owners_contact_sms(personas) -> list:
    return [*owners_contact(personas), "sms"]


def owners_statement_token(personas) -> list:
    contact = ContactFactory(owner=personas.owner)
    return [statement_token(contact, None, None)]


def a_bank_account(personas) -> list:
    return [BankAccount.objects.create(name="جاری ملت", bank="ملت").pk]


MANAGER_ONLY = {"outsider": 403, "owner": 403, "manager": 200}
RULES: dict[str, Rule] = {
    "core:home": Rule(no_args, LOGIN, 200, 200, 200),
    "core:search": Rule(no_args, LOGIN, 200, 200, 200),
    "core:dialog_saved": Rule(no_args, LOGIN, 200, 200, 200),
    "core:trash": Rule(no_args, LOGIN, **MANAGER_ONLY),
    # Public on purpose (monitors do not log in), and it shows no data: 503 here, as no
    # worker has beaten in this test.
    "core:health": Rule(no_args, 503, 503, 503, 503),
    # A background export is its starter's alone (not even a manager's to download).
    "core:export_start": Rule(contacts_exporter, LOGIN, 302, 302, 302, "post"),
    "core:list_export": Rule(leads_as_excel, LOGIN, 200, 200, 200),
    "core:export_detail": Rule(owners_export, LOGIN, 404, 200, 404),
    "core:export_download": Rule(owners_export, LOGIN, 404, 200, 404),
    "core:trash_restore": Rule(deleted_contact, LOGIN, 403, 403, 302, "post"),
    "core:site_settings": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "core:holidays": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "core:holiday_delete": Rule(holiday_override, LOGIN, 403, 403, 302, "post"),
    "core:sequence_list": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "core:sequence_edit": Rule(a_sequence, LOGIN, **MANAGER_ONLY),
    "core:attachment_upload": Rule(owners_contact_label, LOGIN, 404, 302, 302, "post"),
    "core:attachment": Rule(owners_attachment, LOGIN, 404, 200, 200),
    "core:attachment_delete": Rule(owners_attachment, LOGIN, 404, 302, 302, "post"),
    "core:note_add": Rule(owners_contact_label, LOGIN, 404, 302, 302, "post"),
    "core:import_start": Rule(lambda personas: ["contacts.contact"], LOGIN, 200, 200, 200),
    "core:import_detail": Rule(owners_import, LOGIN, 404, 200, 200),
    "core:import_issues": Rule(owners_import, LOGIN, 404, 200, 200),
    "accounts:login": Rule(no_args, 200, 302, 302, 302),
    "accounts:logout": Rule(no_args, 302, 302, 302, 302, "post"),
    "accounts:password_change": Rule(no_args, LOGIN, 200, 200, 200),
    "accounts:password_change_done": Rule(no_args, LOGIN, 200, 200, 200),
    "accounts:preferences": Rule(no_args, LOGIN, 200, 200, 200),
    # The code step needs a pending sign-in (anonymous: back to the password); logged in,
    # there is nothing to do there.
    "accounts:two_factor_verify": Rule(no_args, LOGIN, 302, 302, 302),
    "accounts:two_factor": Rule(no_args, LOGIN, 200, 200, 200),
    "accounts:two_factor_setup": Rule(no_args, LOGIN, 200, 200, 200),
    # Without new codes in the session: back to the two-factor page.
    "accounts:two_factor_codes": Rule(no_args, LOGIN, 302, 302, 302),
    "accounts:two_factor_new_codes": Rule(no_args, LOGIN, 302, 302, 302, "post"),
    # Without the password: the page again, with the error.
    "accounts:two_factor_disable": Rule(no_args, LOGIN, 200, 200, 200, "post"),
    "accounts:user_two_factor_reset": Rule(a_user, LOGIN, 403, 403, 302, "post"),
    # Ends the user's other sessions; this one stays (back to the preferences).
    "accounts:end_other_sessions": Rule(no_args, LOGIN, 302, 302, 302, "post"),
    "accounts:user_end_sessions": Rule(a_user, LOGIN, 403, 403, 302, "post"),
    # A token is its user's; a manager of users may revoke anyone's (others: 404).
    "accounts:api_token_create": Rule(no_args, LOGIN, 302, 302, 302, "post"),
    "accounts:api_token_revoke": Rule(owners_api_token, LOGIN, 404, 302, 302, "post"),
    "accounts:user_list": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "accounts:user_create": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "accounts:user_edit": Rule(a_user, LOGIN, **MANAGER_ONLY),
    "accounts:role_list": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "accounts:role_create": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "accounts:role_edit": Rule(a_role, LOGIN, **MANAGER_ONLY),
    "accounts:team_list": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "accounts:team_create": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "accounts:team_edit": Rule(a_team, LOGIN, **MANAGER_ONLY),
    "lookups:index": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "lookups:list": Rule(lookup_list, LOGIN, **MANAGER_ONLY),
    "lookups:edit": Rule(lookup_item, LOGIN, **MANAGER_ONLY),
    "lookups:delete": Rule(lookup_item, LOGIN, 403, 403, 302, "post"),
    "trees:tree": Rule(lambda personas: ["regions"], LOGIN, **MANAGER_ONLY),
    "trees:node_edit": Rule(a_region, LOGIN, **MANAGER_ONLY),
    "contacts:list": Rule(no_args, LOGIN, 200, 200, 200),
    "contacts:create": Rule(no_args, LOGIN, 200, 200, 200),
    "contacts:autocomplete": Rule(no_args, LOGIN, 200, 200, 200),
    "contacts:export": Rule(lambda personas: ["csv"], LOGIN, 200, 200, 200),
    "customfields:list": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "customfields:create": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "customfields:edit": Rule(a_custom_field, LOGIN, **MANAGER_ONLY),
    "phonebook:list": Rule(no_args, LOGIN, 200, 200, 200),
    "phonebook:create": Rule(no_args, LOGIN, 200, 200, 200),
    "phonebook:detail": Rule(owners_phonebook_entry, LOGIN, 404, 200, 404),
    "phonebook:edit": Rule(owners_phonebook_entry, LOGIN, 404, 200, 404),
    "phonebook:delete": Rule(owners_phonebook_entry, LOGIN, 404, 302, 404, "post"),
    "contacts:logo": Rule(owners_contact, LOGIN, 404, 302, 302, "post"),
    "contacts:row_add": Rule(
        lambda personas: [owners_contact(personas)[0], "bank"], LOGIN, 404, 200, 200, "post"
    ),
    "contacts:row_remove": Rule(owners_bank_account, LOGIN, 404, 302, 302, "post"),
    "contacts:merge": Rule(owners_contact, LOGIN, 403, 403, 200),
    "contacts:detail": Rule(owners_contact, LOGIN, 404, 200, 200),
    # سابقه طرف حساب: whatever of the customer each user may see, on one page.
    "contacts:history": Rule(owners_contact, LOGIN, 404, 200, 200),
    "contacts:edit": Rule(owners_contact, LOGIN, 404, 200, 200),
    "contacts:delete": Rule(owners_contact, LOGIN, 404, 302, 302, "post"),
    "activities:task_list": Rule(no_args, LOGIN, 200, 200, 200),
    "activities:task_create": Rule(no_args, LOGIN, 200, 200, 200),
    "activities:task_edit": Rule(owners_task, LOGIN, 404, 200, 200),
    "activities:task_done": Rule(owners_task, LOGIN, 404, 302, 302, "post"),
    "activities:task_reopen": Rule(owners_task, LOGIN, 404, 302, 302, "post"),
    # Notifications are one user's own: nobody else opens them, managers neither.
    "activities:notification_list": Rule(no_args, LOGIN, 200, 200, 200),
    "activities:notification_open": Rule(owners_notification, LOGIN, 404, 302, 404),
    "activities:notifications_seen": Rule(no_args, LOGIN, 302, 302, 302, "post"),
    "activities:notification_poll": Rule(no_args, LOGIN, 200, 200, 200),
    "activities:calendar": Rule(no_args, LOGIN, 200, 200, 200),
    "activities:event_list": Rule(no_args, LOGIN, 200, 200, 200),
    "activities:calendar_event_create": Rule(no_args, LOGIN, 200, 200, 200),
    "activities:calendar_event_edit": Rule(owners_event, LOGIN, 404, 200, 404),
    "activities:calendar_event_done": Rule(owners_event, LOGIN, 404, 302, 404, "post"),
    "activities:calendar_event_delete": Rule(owners_event, LOGIN, 404, 302, 404, "post"),
    "activities:calendar_feed": Rule(no_args, LOGIN, 200, 200, 200),
    # The secret address is the credential: whoever holds it reads the owner's calendar.
    "activities:ics": Rule(owners_feed, 200, 200, 200, 200),
    "activities:call_list": Rule(no_args, LOGIN, 200, 200, 200),
    "activities:call_create": Rule(no_args, LOGIN, 200, 200, 200),
    "activities:call_detail": Rule(owners_call, LOGIN, 404, 200, 200),
    "activities:call_edit": Rule(owners_call, LOGIN, 404, 200, 200),
    "messaging:list": Rule(no_args, LOGIN, 200, 200, 200),
    "messaging:detail": Rule(owners_message, LOGIN, 404, 200, 200),
    "messaging:retry": Rule(
        lambda personas: owners_message(personas, "failed"), LOGIN, 404, 302, 302, "post"
    ),
    "messaging:cancel": Rule(owners_message, LOGIN, 404, 302, 302, "post"),
    "messaging:reply": Rule(owners_received_message, LOGIN, 404, 200, 200),
    "messaging:file": Rule(owners_received_email_file, LOGIN, 404, 200, 200),
    "messaging:original": Rule(owners_received_email, LOGIN, 404, 200, 200),
    "messaging:about": Rule(owners_request_with_customer, LOGIN, 404, 200, 200),
    "messaging:preview": Rule(no_args, LOGIN, 200, 200, 200, "post"),
    "messaging:send": Rule(owners_contact, LOGIN, 404, 200, 200),
    "messaging:opt_out": Rule(owners_contact, LOGIN, 404, 302, 302, "post"),
    "messaging:broadcast_list": Rule(no_args, LOGIN, 200, 200, 200),
    "messaging:broadcast_create": Rule(no_args, LOGIN, 200, 200, 200),
    "messaging:broadcast_detail": Rule(owners_broadcast, LOGIN, 404, 200, 200),
    "messaging:broadcast_cancel": Rule(owners_broadcast, LOGIN, 404, 302, 302, "post"),
    "messaging:broadcast_retry": Rule(owners_broadcast, LOGIN, 404, 302, 302, "post"),
    "messaging:group_list": Rule(no_args, LOGIN, 200, 200, 200),
    "messaging:occasion_list": Rule(no_args, LOGIN, 200, 200, 200),
    "messaging:occasion_create": Rule(no_args, LOGIN, 200, 200, 200),
    "messaging:occasion_edit": Rule(owners_occasion, LOGIN, 404, 200, 200),
    "messaging:occasion_delete": Rule(owners_occasion, LOGIN, 404, 302, 302, "post"),
    "messaging:group_create": Rule(no_args, LOGIN, 200, 200, 200),
    "messaging:group_add": Rule(no_args, LOGIN, 200, 200, 200),
    "messaging:group_detail": Rule(owners_group, LOGIN, 404, 200, 200),
    "messaging:group_edit": Rule(owners_group, LOGIN, 404, 200, 200),
    "messaging:group_delete": Rule(owners_group, LOGIN, 404, 302, 302, "post"),
    "messaging:group_remove": Rule(owners_group_member, LOGIN, 404, 302, 302, "post"),
    "messaging:template_list": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "messaging:template_create": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "messaging:template_edit": Rule(a_message_template, LOGIN, **MANAGER_ONLY),
    "messaging:settings": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "messaging:bale_settings": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "messaging:sms_settings": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "messaging:smtp_settings": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "messaging:mailbox_list": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "messaging:mailbox_create": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "messaging:mailbox_edit": Rule(a_mailbox, LOGIN, **MANAGER_ONLY),
    "automation:webhook_list": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "automation:webhook_create": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "automation:webhook_detail": Rule(a_webhook, LOGIN, **MANAGER_ONLY),
    "automation:webhook_edit": Rule(a_webhook, LOGIN, **MANAGER_ONLY),
    "automation:webhook_secret": Rule(a_webhook, LOGIN, 403, 403, 302, "post"),
    # Sent at once: to a documentation address (RFC 5737), refused before any network.
    "automation:webhook_ping": Rule(a_webhook, LOGIN, 403, 403, 302, "post"),
    "automation:delivery_resend": Rule(a_failed_webhook_delivery, LOGIN, 403, 403, 302, "post"),
    "automation:form_list": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "automation:form_create": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "automation:form_detail": Rule(a_form, LOGIN, **MANAGER_ONLY),
    "automation:form_edit": Rule(a_form, LOGIN, **MANAGER_ONLY),
    "automation:field_create": Rule(a_form, LOGIN, **MANAGER_ONLY),
    "automation:field_edit": Rule(a_form_field, LOGIN, **MANAGER_ONLY),
    "automation:field_delete": Rule(a_form_field, LOGIN, 403, 403, 302, "post"),
    "automation:field_move": Rule(a_form_field, LOGIN, 403, 403, 302, "post"),
    "automation:submission_list": Rule(a_form, LOGIN, **MANAGER_ONLY),
    "automation:submission_export": Rule(
        lambda personas: [*a_form(personas), "csv"], LOGIN, **MANAGER_ONLY
    ),
    # A published form is for anyone: the website's visitors.
    "form_public": Rule(a_published_form, 200, 200, 200, 200),
    "automation:rule_list": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "automation:rule_new": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "automation:rule_create": Rule(lambda personas: ["leads"], LOGIN, **MANAGER_ONLY),
    "automation:rule_detail": Rule(a_rule, LOGIN, **MANAGER_ONLY),
    "automation:rule_edit": Rule(a_rule, LOGIN, **MANAGER_ONLY),
    "automation:rule_switch": Rule(a_rule, LOGIN, 403, 403, 302, "post"),
    "sales:lead_list": Rule(no_args, LOGIN, 200, 200, 200),
    "sales:lead_board": Rule(no_args, LOGIN, 200, 200, 200),
    "sales:lead_autocomplete": Rule(no_args, LOGIN, 200, 200, 200),
    "sales:lead_create": Rule(no_args, LOGIN, 200, 200, 200),
    "sales:lead_detail": Rule(owners_lead, LOGIN, 404, 200, 200),
    "sales:lead_edit": Rule(owners_lead, LOGIN, 404, 200, 200),
    # No stage posted: a bad request once the lead is found.
    "sales:lead_stage": Rule(owners_lead, LOGIN, 404, 400, 400, "post"),
    "sales:lead_close": Rule(owners_lead, LOGIN, 404, 302, 302, "post"),
    "sales:lead_reopen": Rule(owners_lead, LOGIN, 404, 302, 302, "post"),
    "sales:lead_delete": Rule(owners_lead, LOGIN, 404, 302, 302, "post"),
    # Nothing typed: the lead's page again, with the entry row's Persian errors.
    "sales:followup_create": Rule(owners_lead, LOGIN, 404, 200, 200, "post"),
    "sales:followup_due": Rule(no_args, LOGIN, 200, 200, 200),
    "sales:followup_quick": Rule(no_args, LOGIN, 200, 200, 200),
    "sales:followup_task": Rule(owners_followup, LOGIN, 404, 302, 302, "post"),
    # The catalogue: reps read it, managers keep it.
    "sales:product_list": Rule(no_args, LOGIN, 200, 200, 200),
    "sales:product_create": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "sales:product_edit": Rule(a_product, LOGIN, **MANAGER_ONLY),
    "sales:quote_list": Rule(no_args, LOGIN, 200, 200, 200),
    "sales:quote_create": Rule(no_args, LOGIN, 200, 200, 200),
    "sales:quote_detail": Rule(owners_quote, LOGIN, 404, 200, 200),
    "sales:quote_edit": Rule(owners_quote, LOGIN, 404, 200, 200),
    "sales:quote_status": Rule(owners_quote, LOGIN, 404, 302, 302, "post"),
    "sales:quote_invoice": Rule(owners_quote, LOGIN, 404, 302, 302, "post"),
    "sales:quote_pdf": Rule(owners_quote, LOGIN, 404, 200, 200),
    "sales:quote_print": Rule(owners_quote, LOGIN, 404, 200, 200),
    # Nothing typed: the proforma's page again, with the entry row's Persian errors.
    "sales:quote_followup_create": Rule(owners_quote, LOGIN, 404, 200, 200, "post"),
    "sales:quote_send": Rule(owners_quote_by_email, LOGIN, 404, 200, 200),
    # The PDF behind a proforma's SMS link: the signed link is the credential.
    "sales:quote_shared": Rule(shared_quote, 200, 200, 200, 200),
    "sales:fiscal_years": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "sales:price_list_list": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "sales:price_list_create": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "sales:price_list_edit": Rule(a_price_list, LOGIN, **MANAGER_ONLY),
    "sales:vat_rates": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "sales:vat_rate_edit": Rule(a_vat_rate, LOGIN, **MANAGER_ONLY),
    "sales:invoice_list": Rule(no_args, LOGIN, 200, 200, 200),
    # «مشتریان خدمات»: a list of what each may see (outsiders get their own, if any).
    "sales:service_customers": Rule(no_args, LOGIN, 200, 200, 200),
    # The money side: reps read their customers' accounts; finance records and moves.
    "finance:account": Rule(owners_contact, LOGIN, 404, 200, 200),
    "finance:opening_balance": Rule(owners_contact, LOGIN, **MANAGER_ONLY),
    "finance:receipt_list": Rule(no_args, LOGIN, 200, 200, 200),
    "finance:receipt_create": Rule(lambda personas: ["in"], LOGIN, **MANAGER_ONLY),
    "finance:receipt_detail": Rule(owners_cheque_receipt, LOGIN, 404, 200, 200),
    "finance:receipt_delete": Rule(owners_cheque_receipt, LOGIN, 403, 403, 302, "post"),
    "finance:receipt_allocate": Rule(owners_cheque_receipt, LOGIN, 403, 403, 200),
    "finance:cheque_list": Rule(no_args, LOGIN, 200, 200, 200),
    "finance:cheque_detail": Rule(owners_cheque, LOGIN, 404, 200, 200),
    "finance:settings": Rule(no_args, LOGIN, **MANAGER_ONLY),
    # The pay link is the credential (a customer has no login); the callback without a
    # gateway's answer is refused for everyone alike.
    "finance:pay": Rule(owners_invoice_pay_token, 200, 200, 200, 200),
    "finance:pay_callback": Rule(no_args, 400, 400, 400, 400),
    "finance:pay_link_send": Rule(owners_invoice_sms, LOGIN, 404, 200, 200),
    "finance:statement_pdf": Rule(owners_contact, LOGIN, 404, 200, 200),
    "finance:statement_xlsx": Rule(owners_contact, LOGIN, 404, 200, 200),
    "finance:statement_send": Rule(owners_contact_sms, LOGIN, 404, 200, 200),
    "finance:statement_shared": Rule(owners_statement_token, 200, 200, 200, 200),
    "finance:bank_account_create": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "finance:bank_account_edit": Rule(a_bank_account, LOGIN, **MANAGER_ONLY),
    "sales:invoice_detail": Rule(owners_invoice, LOGIN, 404, 200, 200),
    "sales:invoice_pdf": Rule(owners_invoice, LOGIN, 404, 200, 200),
    "sales:invoice_print": Rule(owners_invoice, LOGIN, 404, 200, 200),
    "sales:invoice_adjust": Rule(owners_invoice_correction, LOGIN, 404, 200, 200),
    "core:list_view_save": Rule(lambda personas: ["invoices"], LOGIN, 302, 302, 302, "post"),
    "core:list_columns": Rule(lambda personas: ["invoices"], LOGIN, 302, 302, 302, "post"),
    # A list's bulk action: nothing ticked, back to the list with an error (the rows it
    # may touch: tests/core/test_list_bulk.py).
    "core:list_bulk": Rule(lambda personas: ["leads", "responsible"], LOGIN, 302, 302, 302, "post"),
    "core:list_view_delete": Rule(owners_saved_view, LOGIN, 404, 302, 404, "post"),
    "core:list_view_start": Rule(owners_saved_view, LOGIN, 404, 302, 404, "post"),
    "core:start_page_clear": Rule(no_args, LOGIN, 302, 302, 302, "post"),
    "tax:settings": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "tax:submission_list": Rule(no_args, LOGIN, 200, 200, 200),
    "tax:submission_resend": Rule(owners_tax_submission, LOGIN, 404, 302, 302, "post"),
    # «کارتابل من» and «ارسالی‌های من»: the request list with a preset (assignee=me,
    # creator=me), at its one address.
    "service:request_inbox": Rule(no_args, LOGIN, 302, 302, 302),
    "service:request_sent": Rule(no_args, LOGIN, 302, 302, 302),
    "service:request_all": Rule(no_args, LOGIN, 200, 200, 200),
    "service:request_create": Rule(no_args, LOGIN, 200, 200, 200),
    "service:request_detail": Rule(owners_request, LOGIN, 404, 200, 200),
    # Only the creator edits: anyone else who can see it is sent back with the reason.
    "service:request_edit": Rule(owners_request, LOGIN, 404, 200, 302),
    "service:request_delete": Rule(owners_request, LOGIN, 404, 302, 302, "post"),
    # Nothing posted: refused with a Persian reason, back on the request's page.
    "service:request_done": Rule(owners_request, LOGIN, 404, 302, 302, "post"),
    "service:request_archive": Rule(owners_request, LOGIN, 404, 302, 302, "post"),
    "service:request_reject": Rule(owners_request, LOGIN, 404, 302, 302, "post"),
    "service:request_sms": Rule(owners_request, LOGIN, 404, 200, 200),
    # Anyone who sees a request may follow it; links need the right to change requests.
    "service:request_watch": Rule(owners_request, LOGIN, 404, 302, 302, "post"),
    "service:request_link": Rule(owners_request, LOGIN, 404, 302, 302, "post"),
    "service:request_unlink": Rule(two_owners_requests, LOGIN, 404, 302, 302, "post"),
    "service:settings": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "service:feedback_create": Rule(owners_contact, LOGIN, 404, 200, 200),
    "service:feedback_delete": Rule(owners_feedback, LOGIN, 404, 302, 302, "post"),
    "service:complaint_list": Rule(no_args, LOGIN, 200, 200, 200),
    "service:complaint_create": Rule(no_args, LOGIN, 200, 200, 200),
    "service:complaint_detail": Rule(owners_complaint, LOGIN, 404, 200, 200),
    "service:complaint_edit": Rule(owners_complaint, LOGIN, 404, 200, 200),
    # Nothing posted / a complaint with nothing against it: back on its page.
    "service:complaint_close": Rule(owners_complaint, LOGIN, 404, 302, 302, "post"),
    "service:complaint_reopen": Rule(owners_complaint, LOGIN, 404, 302, 302, "post"),
    "service:complaint_delete": Rule(owners_complaint, LOGIN, 404, 302, 302, "post"),
    # Nothing typed: the complaint's page again, with the entry row's Persian errors.
    "service:complaint_followup_create": Rule(owners_complaint, LOGIN, 404, 200, 200, "post"),
    # The customers' tracking page: public on purpose (a code and its mobile reveal one
    # request's or complaint's status), rate-limited.
    "service:track": Rule(no_args, 200, 200, 200, 200),
    # Installing Peyvand on a phone: fetched by the browser without a sign-in, no data.
    "core:manifest": Rule(no_args, 200, 200, 200, 200),
    "core:service_worker": Rule(no_args, 200, 200, 200, 200),
    "core:offline": Rule(no_args, 200, 200, 200, 200),
    "core:app_icon": Rule(lambda personas: [512, "maskable"], 200, 200, 200, 200),
    # The customer portal: its pages are for a signed-in customer (a portal session, not
    # a staff login), so everyone else is sent to the portal's own sign-in page.
    "portal:login": Rule(no_args, 200, 200, 200, 200),
    "portal:code": Rule(no_args, 302, 302, 302, 302),
    "portal:choose": Rule(no_args, 302, 302, 302, 302),
    "portal:logout": Rule(no_args, 302, 302, 302, 302, "post"),
    "portal:home": Rule(no_args, 302, 302, 302, 302),
    "portal:statement": Rule(no_args, 302, 302, 302, 302),
    "portal:section": Rule(lambda personas: ["requests"], 302, 302, 302, 302),
    "portal:request_new": Rule(no_args, 302, 302, 302, 302),
    "portal:request_detail": Rule(owners_request, 302, 302, 302, 302),
    "portal:complaint_detail": Rule(owners_complaint, 302, 302, 302, 302),
    "portal:document_pdf": Rule(lambda p: ["invoices", *owners_invoice(p)], 302, 302, 302, 302),
    "portal:survey": Rule(lambda p: ["invoice", *owners_invoice(p)], 302, 302, 302, 302),
    # Granting portal access is editing the contact: its visibility and permission.
    "portal:access_edit": Rule(owners_contact, LOGIN, 404, 200, 200),
    # Reports count only what the reader may see; reps read the sales ones.
    "reports:index": Rule(no_args, LOGIN, 200, 200, 200),
    "reports:dashboard": Rule(no_args, LOGIN, 200, 200, 200),
    "reports:show": Rule(a_report, LOGIN, 200, 200, 200),
    "reports:export": Rule(a_report_as_excel, LOGIN, 200, 200, 200),
    # Questionnaires are the managers'; projects and surveys follow their records.
    "surveys:questionnaire_list": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "surveys:questionnaire_create": Rule(no_args, LOGIN, **MANAGER_ONLY),
    "surveys:questionnaire_edit": Rule(a_questionnaire, LOGIN, **MANAGER_ONLY),
    "surveys:project_list": Rule(no_args, LOGIN, 200, 200, 200),
    "surveys:project_create": Rule(no_args, LOGIN, 200, 200, 200),
    "surveys:project_detail": Rule(owners_project, LOGIN, 404, 200, 200),
    "surveys:project_edit": Rule(owners_project, LOGIN, 404, 200, 200),
    # Reps do not delete projects; managers do (to the recycle bin).
    "surveys:project_delete": Rule(owners_project, LOGIN, 403, 403, 302, "post"),
    "surveys:survey_create": Rule(owners_project_survey, LOGIN, 404, 200, 200),
    # The API docs page is public, as the README says: it describes the endpoints, never
    # data; the API itself has its own tests (tests/api).
    "api:openapi-view": Rule(no_args, 200, 200, 200, 200),
}


def all_url_names() -> set[str]:
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns)
    return names


API_OPERATIONS_TESTED_IN_TESTS_API = {"api:openapi-json"}


def test_every_url_has_an_access_rule():
    api_operations = {name for name in all_url_names() if name.startswith("api:")}
    missing = all_url_names() - set(RULES) - api_operations
    assert missing == set()
    assert "api:openapi-view" in api_operations


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "owner", "manager"])
@pytest.mark.parametrize("url_name", sorted(RULES))
def test_access(client, personas, url_name, persona):
    rule = RULES[url_name]
    url = reverse(url_name, args=rule.args(personas))
    if persona != "anonymous":
        client.force_login(getattr(personas, persona))
    response = getattr(client, rule.method)(url)
    if response.streaming:
        b"".join(response.streaming_content)  # reading a download to its end closes its file
    expected = getattr(rule, persona)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected, response.content[:300]
