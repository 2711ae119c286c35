"""The form builder (issue 29, point 1): a manager designs a form and publishes it; a
visitor fills the public page; a submission finds or makes the contact (by mobile, then
email), makes a lead or a request with the answers kept, queues the confirmation SMS and
sets off the «a form sent» rules; spam is kept out by a hidden field, a time check and a
per-address limit; conditions hide fields (and their «required»)."""

import time

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peyvand.accounts.roles import MANAGER, SALES
from peyvand.activities.models import Notification
from peyvand.automation import rules
from peyvand.automation.models import Form, FormField, FormSubmission, Rule, RuleRun
from peyvand.automation.services import rule_save
from peyvand.automation.submissions import LIMIT, SMS_LIMIT
from peyvand.contacts.models import Contact
from peyvand.core.models import Attachment
from peyvand.core.timeline import timeline_of
from peyvand.lookups.models import AcquaintanceSource, Urgency
from peyvand.messaging.models import Message
from peyvand.sales.models import Lead
from peyvand.service.models import Request
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db
Kind = FormField.Kind
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def started(seconds_ago: float = 30) -> str:
    """The page's signed start time, as if it was opened ``seconds_ago``."""
    return signing.dumps(time.time() - seconds_ago, salt="automation.form")


@pytest.fixture
def manager():
    return UserFactory(role=MANAGER)


@pytest.fixture
def consult(manager) -> Form:
    """«درخواست مشاوره»: name, mobile, budget (the lead's expected value), a service
    choice, «which other» shown only for «سایر», consent, a file."""
    website = AcquaintanceSource.objects.get_or_create(name="وب‌سایت")[0]
    form = Form.objects.create(
        name="درخواست مشاوره", title="درخواست مشاوره", owner=manager, source=website,
        creates=Form.Creates.LEAD, is_published=True, confirm_sms=True,
    )  # fmt: skip
    fields = [
        FormField(kind=Kind.NAME, label="نام و نام خانوادگی", required=True),
        FormField(kind=Kind.MOBILE, label="تلفن همراه", required=True),
        FormField(kind=Kind.EMAIL, label="ایمیل"),
        FormField(kind=Kind.MONEY, label="بودجه", target=FormField.Target.EXPECTED),
        FormField(kind=Kind.CHOICE, label="خدمت", options="نصب\nپشتیبانی\nسایر", required=True),
        FormField(kind=Kind.TEXT, label="کدام خدمت", required=True, show_value="سایر"),
        FormField(kind=Kind.CONSENT, label="با قوانین موافقم", required=True),
        FormField(kind=Kind.FILE, label="نقشه"),
    ]
    for order, field in enumerate(fields, start=1):
        field.form, field.order = form, order
        field.save()
    fields[5].show_if = fields[4]
    fields[5].save()
    return form


def answers(form: Form, **by_label) -> dict:
    by_name = {field.label: field.name for field in form.fields.all()}
    return {by_name[label]: value for label, value in by_label.items()} | {"started": started()}


GOOD = {
    "نام و نام خانوادگی": "نرگس فرهادی",
    "تلفن همراه": "۰۹۱۲ ۳۴۵ ۶۷۸۹",
    "بودجه": "۶٬۰۰۰٬۰۰۰٬۰۰۰",
    "خدمت": "نصب",
    "با قوانین موافقم": "on",
}


def test_a_visitor_fills_the_public_page_and_a_contact_a_lead_and_an_sms_follow(
    client, consult, manager
):
    url = reverse("form_public", args=[consult.key])
    page = client.get(url)
    assert page.status_code == 200 and "درخواست مشاوره" in page.text
    data = answers(consult, **GOOD) | {
        next(f.name for f in consult.fields.all() if f.kind == Kind.FILE): SimpleUploadedFile(
            "plan.pdf", PDF, content_type="application/pdf"
        )
    }
    sent = client.post(url, data)
    assert sent.status_code == 200
    assert "پیام شما رسید" in sent.text

    contact = Contact.objects.get()
    assert (contact.name, contact.mobile, contact.owner) == (
        "نرگس فرهادی",
        "+989123456789",
        manager,
    )
    lead = Lead.objects.get()
    assert (lead.contact, lead.expected_value, lead.source, lead.responsible) == (
        contact, 6_000_000_000, consult.source, manager,
    )  # fmt: skip
    submission = FormSubmission.objects.get()
    assert submission.record == lead and submission.by is None
    assert {"label": "خدمت", "value": "نصب"} in submission.answers
    assert {"label": "بودجه", "value": "6,000,000,000"} in submission.answers
    assert {"label": "تلفن همراه", "value": "09123456789"} in submission.answers
    assert Attachment.objects.get().record == lead
    sms = Message.objects.get()
    assert sms.to == "+989123456789" and lead.code in sms.body and sms.related == lead
    # The answers are on the lead's timeline.
    [item] = [item for item in timeline_of(lead) if item.kind == "form"]
    assert "خدمت: نصب" in item.extra["text"]


def test_the_same_mobile_finds_the_same_contact_and_a_visitor_changes_nothing_of_it(
    client, consult, manager
):
    known = ContactFactory(name="نرگس فرهادی", phones=["+989123456789"], email="")
    url = reverse("form_public", args=[consult.key])
    client.post(url, answers(consult, **GOOD, ایمیل="someone@example.ir"))
    assert Contact.objects.count() == 1
    known.refresh_from_db()
    # Anyone may type a customer's number: the answers stay on the submission.
    assert known.email == ""
    assert Lead.objects.get().contact == known
    assert {"label": "ایمیل", "value": "someone@example.ir"} in FormSubmission.objects.get().answers
    # Filled in by a user inside Peyvand, what the contact lacked is completed.
    client.force_login(manager)
    client.post(url, answers(consult, **GOOD, ایمیل="narges@example.ir"))
    known.refresh_from_db()
    assert known.email == "narges@example.ir"


def test_required_fields_say_so_in_persian_keep_what_was_typed_and_a_hidden_one_is_let_off(
    client, consult
):
    url = reverse("form_public", args=[consult.key])
    typed = {k: v for k, v in GOOD.items() if k != "تلفن همراه"}
    refused = client.post(url, answers(consult, **typed))
    assert refused.status_code == 400
    assert "این بخش را پر کنید." in refused.text and "نرگس فرهادی" in refused.text
    assert not Contact.objects.exists()
    # «کدام خدمت» is required only when «سایر» is chosen.
    other = client.post(url, answers(consult, **(GOOD | {"خدمت": "سایر"})))
    assert other.status_code == 400 and not Lead.objects.exists()
    client.post(url, answers(consult, **(GOOD | {"خدمت": "سایر", "کدام خدمت": "مشاوره انرژی"})))
    assert {"label": "کدام خدمت", "value": "مشاوره انرژی"} in FormSubmission.objects.get().answers
    bad_mobile = client.post(url, answers(consult, **(GOOD | {"تلفن همراه": "۱۲۳"})))
    assert "تلفن همراه معتبر نیست" in bad_mobile.text


def test_spam_is_thanked_and_dropped_and_a_flood_is_refused(client, consult):
    url = reverse("form_public", args=[consult.key])
    honeypot = client.post(url, answers(consult, **GOOD) | {"website": "http://spam.example"})
    assert "پیام شما رسید" in honeypot.text
    too_fast = client.post(url, answers(consult, **GOOD) | {"started": started(seconds_ago=1)})
    assert "پیام شما رسید" in too_fast.text
    forged = client.post(url, answers(consult, **GOOD) | {"started": "123"})
    assert "پیام شما رسید" in forged.text
    assert not FormSubmission.objects.exists() and not Contact.objects.exists()
    # A visitor's typos cost nothing: only what is kept counts against the address.
    for _ in range(LIMIT + 2):
        assert client.post(url, answers(consult, **{"خدمت": "نصب"})).status_code == 400
    for _ in range(LIMIT):
        client.post(url, answers(consult, **GOOD))
    refused = client.post(url, answers(consult, **GOOD))
    assert refused.status_code == 429
    assert "یک ساعت دیگر دوباره بفرستید" in refused.text and "نرگس فرهادی" in refused.text
    assert FormSubmission.objects.count() == LIMIT
    # The confirmation SMS goes to one number at most SMS_LIMIT times a day.
    assert Message.objects.count() == SMS_LIMIT
    assert "بیش از اندازه" in FormSubmission.objects.order_by("-pk").first().note


def test_an_unpublished_form_is_only_its_managers_and_embedding_follows_its_sites(
    client, consult, manager
):
    url = reverse("form_public", args=[consult.key])
    consult.is_published = False
    consult.save()
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(role=SALES))
    assert client.get(url).status_code == 404
    client.force_login(manager)
    assert "منتشر نشده" in client.get(url).text
    consult.is_published = True
    consult.save()
    client.logout()
    closed = client.get(url + "?embed=1")
    assert "frame-ancestors 'none'" in closed["Content-Security-Policy"]
    consult.embed_sites = "https://www.berlian.example\n"
    consult.save()
    opened = client.get(url + "?embed=1")
    assert "frame-ancestors 'self' https://www.berlian.example" in opened["Content-Security-Policy"]
    assert "X-Frame-Options" not in opened


def test_a_request_form_registers_a_request_with_its_tracking_code_in_the_sms(client, manager):
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    form = Form.objects.create(
        name="ثبت درخواست", title="ثبت درخواست پشتیبانی", owner=manager, urgency=urgency,
        creates=Form.Creates.REQUEST, is_published=True, confirm_sms=True,
    )  # fmt: skip
    for order, (kind, label) in enumerate(
        [(Kind.NAME, "نام"), (Kind.MOBILE, "همراه"), (Kind.TEXTAREA, "شرح مشکل")], start=1
    ):
        FormField.objects.create(form=form, order=order, kind=kind, label=label, required=True)
    data = answers(
        form, نام="کاوه نادری", همراه="09351112233", **{"شرح مشکل": "دستگاه روشن نمی‌شود"}
    )
    client.post(reverse("form_public", args=[form.key]), data)
    item = Request.objects.get()
    assert item.assignee == manager and "شرح مشکل: دستگاه روشن نمی‌شود" in item.description
    assert item.tracking_code in Message.objects.get(to="+989351112233").body


def test_a_rule_on_the_form_fires_once_for_its_lead(client, consult, manager):
    rule = rule_save(
        rule=Rule(
            name="مشاوره بزرگ", list_key="leads", trigger=Rule.Trigger.FORM,
            trigger_field=str(consult.pk), conditions="status=all&expected_min=5000000000",
            owner=manager, is_active=True,
            actions=[{"kind": "notify", "who": "owner", "title": "مشاوره بزرگ"}],
        ),
        by=manager, link_base="https://crm.example.ir/",
    )  # fmt: skip
    client.post(reverse("form_public", args=[consult.key]), answers(consult, **GOOD))
    [run] = RuleRun.objects.filter(rule=rule)
    assert run.cause.startswith("form:")
    assert rules.run_due() == 1


def test_the_manager_builds_the_form_in_the_pages_and_exports_its_submissions(
    client, manager, consult
):
    client.force_login(manager)
    created = client.post(
        reverse("automation:form_create"),
        {"name": "تماس با ما", "title": "تماس با ما", "creates": "contact",
         "owner": manager.pk, "thanks": "ممنون", "confirm_text": "{نام} گرامی"},
    )  # fmt: skip
    form = Form.objects.get(name="تماس با ما")
    assert created["Location"] == reverse("automation:form_detail", args=[form.pk])
    add = reverse("automation:field_create", args=[form.pk])
    refused = client.post(add, {"kind": "choice", "label": "موضوع"})
    assert "گزینه‌ها را بنویسید" in refused.text
    client.post(add, {"kind": "name", "label": "نام", "required": "on"})
    client.post(add, {"kind": "mobile", "label": "همراه"})
    _first, second = form.fields.all()
    client.post(reverse("automation:field_move", args=[second.pk]), {"to": "up"})
    assert [field.label for field in form.fields.all()] == ["همراه", "نام"]
    bad_text = client.post(
        reverse("automation:form_edit", args=[form.pk]),
        {"name": "تماس با ما", "title": "تماس با ما", "creates": "request",
         "owner": manager.pk, "thanks": "ممنون", "confirm_text": "{بودجه}"},
    )  # fmt: skip
    assert "فوریت درخواست‌هایی" in bad_text.text and "جای‌نگهدار {بودجه}" in bad_text.text

    client.post(reverse("form_public", args=[consult.key]), answers(consult, **GOOD))
    listed = client.get(reverse("automation:submission_list", args=[consult.pk]))
    assert "نرگس فرهادی" in listed.text
    csv = client.get(reverse("automation:submission_export", args=[consult.pk, "csv"]))
    text = b"".join(csv.streaming_content).decode()
    assert "بودجه" in text and "6,000,000,000" in text and "نرگس فرهادی" in text
    xlsx = client.get(reverse("automation:submission_export", args=[consult.pk, "xlsx"]))
    assert xlsx.status_code == 200
    assert b"".join(xlsx.streaming_content).startswith(b"PK")  # a zip: an xlsx
    xlsx.close()


def test_the_builder_refuses_a_circle_of_conditions_an_unknown_value_and_a_wide_site(
    client, manager, consult
):
    client.force_login(manager)
    service, other = consult.fields.get(label="خدمت"), consult.fields.get(label="کدام خدمت")
    edit = reverse("automation:field_edit", args=[service.pk])
    circle = client.post(edit, {"kind": "choice", "label": "خدمت", "options": "نصب\nسایر",
                                "show_if": other.pk})  # fmt: skip
    assert "شرط‌ها دور می‌زنند" in circle.text
    value = client.post(
        reverse("automation:field_edit", args=[other.pk]),
        {"kind": "text", "label": "کدام خدمت", "show_if": service.pk, "show_value": "تعمیر"},
    )
    assert "«تعمیر» از گزینه‌های «خدمت» نیست" in value.text
    wide = client.post(
        reverse("automation:form_edit", args=[consult.pk]),
        {"name": "م", "title": "م", "creates": "lead", "owner": manager.pk, "thanks": "ممنون",
         "confirm_text": "سلام", "embed_sites": "https://a.example *"},
    )  # fmt: skip
    assert "نشانی یک سایت نیست" in wide.text


def test_a_lead_form_without_a_contact_says_so_and_tells_its_owner(client, manager):
    form = Form.objects.create(name="نظر", title="نظر شما", owner=manager, is_published=True)
    FormField.objects.create(form=form, order=1, kind=Kind.TEXTAREA, label="نظر", required=True)
    client.post(reverse("form_public", args=[form.key]), answers(form, نظر="عالی بود"))
    submission = FormSubmission.objects.get()
    assert submission.record is None and "سرنخ ساخته نشد" in submission.note
    assert Notification.objects.filter(user=manager, title="فرم «نظر» بی سرنخ ماند").exists()
    client.force_login(manager)
    page = client.get(reverse("automation:form_detail", args=[form.pk]))
    assert "ارسالی که هیچ‌کدام را نداشته باشد سرنخی نمی‌سازد" in page.text
