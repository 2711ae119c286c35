"""Issue 29's «done when», in a real browser: a manager builds a «درخواست مشاوره» form
and a rule «a lead from the website over ۵۰۰ میلیون ریال → tell the sales manager and
give its responsible a task for tomorrow»; a visitor fills the public page on a phone →
a contact and a lead, handed round-robin to the sales team; the visitor's confirmation
SMS reaches the fake Kavenegar; the rule fires once; the webhook receiver gets a
correctly signed delivery, the second attempt after its first refusal."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from standardwebhooks import Webhook

from peyvand.accounts.roles import SALES
from peyvand.activities.models import Notification, Task
from peyvand.automation import webhooks
from peyvand.automation.models import Form, Rule, RuleRun, WebhookDelivery, WebhookSubscription
from peyvand.automation.services import rule_save, subscription_save
from peyvand.contacts.models import Contact
from peyvand.core.text import to_persian_digits
from peyvand.core.workdays import add_working_days
from peyvand.lookups.models import AcquaintanceSource
from peyvand.sales.models import Lead
from tests.automation.receiver import WebhookReceiver
from tests.factories import TeamFactory, UserFactory
from tests.messaging.fixtures import run_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_website_visitors_consultation_request_becomes_a_handled_lead(
    page, browser, live_server, log_in, manager, kavenegar, settings, screenshots
):
    settings.WEBHOOK_PRIVATE_ADDRESSES = True  # the receiver runs on this machine
    website = AcquaintanceSource.objects.get_or_create(name="وب‌سایت")[0]
    reps = [UserFactory(role=SALES, first_name=name, last_name="فروش") for name in ("آرش", "بهار")]
    team = TeamFactory(name="تیم فروش")
    team.members.add(*reps)
    rule_save(
        rule=Rule(
            name="سرنخ‌های سایت به نوبت", list_key="leads", trigger=Rule.Trigger.CREATED,
            conditions=f"status=all&source={website.pk}", owner=manager, is_active=True,
            actions=[{"kind": "assign", "team": team.pk}],
        ),
        by=manager, link_base=live_server.url,
    )  # fmt: skip

    with WebhookReceiver() as receiver:
        receiver.answers = [503]  # busy the first time
        _hook, secret = subscription_save(
            subscription=WebhookSubscription(
                name="حسابداری", url=receiver.url, events=["sales.lead.created"], owner=manager
            ),
            by=manager,
        )
        log_in(manager)

        # The form, built in the pages.
        page.goto(reverse("automation:form_list"))
        page.get_by_role("link", name="فرم تازه").click()
        page.locator("#id_name").fill("درخواست مشاوره")
        page.locator("#id_title").fill("درخواست مشاوره رایگان")
        page.locator("#id_source").select_option(label="وب‌سایت")
        page.locator("#id_confirm_sms").check()
        page.locator("#id_is_published").check()
        page.get_by_role("button", name="ذخیره").click()
        expect(page.get_by_text("فرم «درخواست مشاوره» ذخیره شد.")).to_be_visible()
        for kind, label, target in (
            ("name", "نام و نام خانوادگی", ""),
            ("mobile", "تلفن همراه", ""),
            ("money", "بودجه", "expected_value"),
        ):
            page.get_by_role("link", name="فیلد تازه").click()
            page.locator("#id_kind").select_option(kind)
            page.locator("#id_label").fill(label)
            if kind != "money":
                page.locator("#id_required").check()
            page.locator("#id_target").select_option(target)
            page.get_by_role("button", name="ذخیره").click()
            expect(page.get_by_text(f"فیلد «{label}» ذخیره شد.")).to_be_visible()
        form = Form.objects.get()

        # The rule, built in the pages: its conditions are the lead list's filters.
        page.goto(reverse("automation:rule_create", args=["leads"]))
        page.locator("#id_rule-name").fill("سرنخ بزرگ از سایت")
        page.get_by_label("ارسال یک فرم").check()
        page.locator("#filter-source").select_option(label="وب‌سایت")
        page.locator("input[name=expected_min]").fill("۵۰۰٬۰۰۰٬۰۰۰")
        page.locator("#id_a-notify-on").check()
        page.locator("#id_a-notify-who").select_option("user")
        page.locator("#id_a-notify-user").select_option(str(manager.pk))
        page.locator("#id_a-notify-title").fill("سرنخ بزرگ از سایت: {نام}")
        page.locator("#id_a-task-on").check()
        page.locator("#id_a-task-description").fill("تماس با {نام} و فرستادن پیش‌فاکتور")
        page.locator("#id_a-task-days").fill("1")
        page.locator("#id_rule-is_active").check()
        page.get_by_role("button", name="ذخیره").click()
        expect(page.get_by_text("قانون «سرنخ بزرگ از سایت» ذخیره شد.")).to_be_visible()
        rule = Rule.objects.get(name="سرنخ بزرگ از سایت")
        assert rule.conditions == f"status=all&source={website.pk}&expected_min=500000000"

        # A visitor, on a phone, not signed in.
        visitor = browser.new_context(
            base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="fa-IR"
        )
        public = visitor.new_page()
        public.goto(reverse("form_public", args=[form.key]))
        expect(public.get_by_role("heading", name="درخواست مشاوره رایگان")).to_be_visible()
        public.get_by_label("نام و نام خانوادگی").fill("نرگس فرهادی")
        public.get_by_label("تلفن همراه").fill("۰۹۱۲۱۱۱۲۲۳۳")
        public.get_by_label("بودجه").fill("۶۰۰٬۰۰۰٬۰۰۰")
        assert public.evaluate("document.documentElement.scrollWidth") <= 390
        public.screenshot(path=screenshots / "form-public-390.png", full_page=True)
        # A person takes more than the time check's seconds to fill a form.
        public.wait_for_timeout(3200)
        public.get_by_role("button", name="ارسال").click()
        expect(public.get_by_text("پیام شما رسید")).to_be_visible()
        visitor.close()

        run_worker()  # the rules, the confirmation SMS, the webhook's first attempt

        contact = Contact.objects.get()
        assert (contact.name, contact.mobile) == ("نرگس فرهادی", "+989121112233")
        lead = Lead.objects.get()
        assert (lead.contact, lead.expected_value, lead.source) == (contact, 600_000_000, website)
        assert lead.responsible == reps[0]  # the team's first, in turn
        [run] = RuleRun.objects.filter(rule=rule)
        assert run.status == RuleRun.Status.DONE
        assert Notification.objects.filter(
            user=manager, title="سرنخ بزرگ از سایت: نرگس فرهادی"
        ).exists()
        task = Task.objects.get(description="تماس با نرگس فرهادی و فرستادن پیش‌فاکتور")
        assert task.assignee == reps[0]
        assert task.date == add_working_days(timezone.localdate(), 1)
        [sms] = kavenegar.received
        # In the recipient's digits, as every SMS (the outbox's rule).
        assert sms["to"] == "09121112233" and to_persian_digits(lead.code) in sms["body"]

        # The webhook: refused once, sent again after its back-off, signed both times.
        assert len(receiver.received) == 1
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
            webhooks.send_due()
        first, second = receiver.received
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        body = Webhook(secret).verify(second.body, second.headers)
        assert (body["type"], body["data"]["record"]["code"]) == ("sales.lead.created", lead.code)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.DELIVERED, 2)

        # Exactly once: another worker pass runs nothing again.
        run_worker()
        assert RuleRun.objects.filter(rule=rule).count() == 1
        assert Task.objects.filter(description__startswith="تماس با نرگس").count() == 1

        # The lead's page tells the story: the form's answers and the rules' runs.
        page.goto(lead.get_absolute_url())
        timeline = page.locator(".history-list")
        expect(timeline.get_by_text("قانون خودکار «سرنخ بزرگ از سایت»")).to_be_visible()
        expect(timeline.get_by_text("قانون خودکار «سرنخ‌های سایت به نوبت»")).to_be_visible()
        expect(timeline.get_by_text("فرم «درخواست مشاوره رایگان»")).to_be_visible()
        expect(timeline).to_contain_text("تلفن همراه: ۰۹۱۲۱۱۱۲۲۳۳")
        page.screenshot(path=screenshots / "form-lead-1366.png", full_page=True)
