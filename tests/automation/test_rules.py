"""Automation rules (issue 29, points 2 and 3): a rule's conditions are its list's
filters; a change that sets it off leaves a run in its own transaction; the worker runs
it once, its actions and its «done» together; its own change never sets it off again;
a preview does nothing; the default rules send Berlian's SMS with the manager's text."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.roles import MANAGER, SALES
from peyvand.activities.models import Notification, Task
from peyvand.automation import rules
from peyvand.automation.defaults import ensure_default_rules
from peyvand.automation.models import Rule, RuleRun
from peyvand.automation.services import rule_save, rule_switch
from peyvand.core.timeline import timeline_of
from peyvand.core.workdays import add_working_days
from peyvand.lookups.models import AcquaintanceSource, Channel, FollowUpResult, Urgency
from peyvand.messaging.gateways import Incoming
from peyvand.messaging.inbound import record_sms
from peyvand.messaging.models import Message
from peyvand.messaging.services import message_received
from peyvand.sales.models import FollowUp, Lead
from peyvand.sales.services import followup_log, lead_save
from peyvand.service.models import Request
from peyvand.service.services import request_archive, request_done, request_register
from tests.factories import ContactFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
LINK_BASE = "https://crm.example.ir/"
TEHRAN_NOON = datetime.datetime(2026, 12, 5, 8, 30, tzinfo=datetime.UTC)  # a Saturday


def make_rule(owner, *, actions, conditions="status=all", on=True, **fields) -> Rule:
    rule = Rule(
        name="قانون آزمایشی",
        list_key=fields.pop("list_key", "leads"),
        trigger=fields.pop("trigger", Rule.Trigger.CREATED),
        conditions=conditions,
        actions=actions,
        owner=owner,
        is_active=on,
        **fields,
    )
    return rule_save(rule=rule, by=owner, link_base=LINK_BASE)


def new_lead(by, **fields) -> Lead:
    contact = ContactFactory(owner=by, name="مریم احمدی", mobile="09121111111")
    return lead_save(lead=Lead(title="خرید ۲۰ دستگاه", contact=contact, **fields), by=by)


@pytest.fixture
def website():
    return AcquaintanceSource.objects.get_or_create(name="وب‌سایت")[0]


@time_machine.travel(TEHRAN_NOON, tick=False)
def test_a_big_website_lead_notifies_and_gets_a_task_for_the_next_working_day_once(website):
    manager, rep = UserFactory(role=MANAGER), UserFactory(role=SALES)
    rule = make_rule(
        manager,
        conditions=f"status=all&source={website.pk}&expected_min=5000000000",
        actions=[
            {"kind": "notify", "who": "user", "user": manager.pk, "title": "سرنخ بزرگ: {موضوع}"},
            {"kind": "task", "who": "responsible", "days": 1, "description": "تماس با {نام}"},
        ],
    )
    big = new_lead(rep, source=website, expected_value=6_000_000_000, responsible=rep)
    new_lead(rep, source=website, expected_value=1_000_000_000)  # under the amount
    new_lead(rep, expected_value=9_000_000_000)  # not from the website

    [run] = RuleRun.objects.all()
    assert (run.rule, run.object_id, run.status) == (rule, big.pk, RuleRun.Status.PENDING)
    assert Task.objects.count() == 0  # the worker does it, not the change

    assert rules.run_due() == 1
    assert rules.run_due() == 0  # exactly once
    run.refresh_from_db()
    assert run.status == RuleRun.Status.DONE
    note = Notification.objects.get(user=manager, title="سرنخ بزرگ: خرید ۲۰ دستگاه")
    assert note.url == big.get_absolute_url()
    task = Task.objects.get()
    assert (task.assignee, task.related, task.description) == (rep, big, "تماس با مریم احمدی")
    assert task.date == add_working_days(datetime.date(2026, 12, 5), 1)
    assert run.summary.splitlines()[1].startswith(f"وظیفه برای «{rep}»")
    # The record's timeline says what the rule did.
    [item] = [item for item in timeline_of(big) if item.kind == "rule"]
    assert item.extra["label"] == "قانون خودکار «قانون آزمایشی»"
    assert item.extra["text"] == run.summary


def test_a_rolled_back_change_leaves_no_run():
    manager = UserFactory(role=MANAGER)
    make_rule(manager, actions=[{"kind": "notify", "who": "owner", "title": "سرنخ"}])
    with pytest.raises(RuntimeError), transaction.atomic():
        new_lead(manager)
        raise RuntimeError
    assert not RuleRun.objects.exists()
    new_lead(manager)
    assert RuleRun.objects.count() == 1


def test_round_robin_hands_new_leads_to_the_teams_members_in_turn():
    manager = UserFactory(role=MANAGER)
    reps = [UserFactory(role=SALES) for _ in range(3)]
    team = TeamFactory()
    team.members.add(*reps)
    make_rule(manager, actions=[{"kind": "assign", "team": team.pk}])
    leads = [new_lead(manager) for _ in range(4)]
    assert rules.run_due() == 4
    got = [Lead.objects.get(pk=lead.pk).responsible for lead in leads]
    assert got == [reps[0], reps[1], reps[2], reps[0]]
    # Each one is told, and the history says the rule's owner changed it.
    assert Notification.objects.filter(user=reps[0], pop_up=False).count() == 2


def test_a_rules_own_change_does_not_set_it_off_again_but_sets_off_another():
    manager = UserFactory(role=MANAGER)
    # On every change of a lead: set its stage (a change, which would set it off again).
    looping = make_rule(
        manager,
        trigger=Rule.Trigger.CHANGED,
        actions=[{"kind": "set_field", "value": "stage=negotiation"}],
    )
    watcher = make_rule(
        manager,
        trigger=Rule.Trigger.CHANGED,
        trigger_field="stage",
        conditions="status=all&stage=negotiation",
        actions=[{"kind": "notify", "who": "owner", "title": "در مذاکره: {موضوع}"}],
    )
    lead = new_lead(manager)
    before = snapshot_of(lead)
    lead.title = "خرید ۳۰ دستگاه"
    lead_save(lead=lead, by=manager, before=before)
    assert list(RuleRun.objects.values_list("rule", flat=True)) == [looping.pk]
    rules.run_due()
    lead.refresh_from_db()
    assert lead.stage == "negotiation"
    # The stage change set off the watcher (one link down), not the looping rule.
    runs = RuleRun.objects.order_by("pk")
    assert [(run.rule_id, run.depth) for run in runs] == [(looping.pk, 0), (watcher.pk, 1)]
    rules.run_due()
    assert Notification.objects.filter(user=manager, title="در مذاکره: خرید ۳۰ دستگاه").exists()
    assert RuleRun.objects.count() == 2


def snapshot_of(record):
    from peyvand.core.history import snapshot

    return snapshot(record)


def test_a_preview_does_nothing_and_lists_what_would_be_done(website):
    manager = UserFactory(role=MANAGER)
    lead = new_lead(manager, source=website)
    rule = make_rule(
        manager,
        on=False,
        conditions=f"status=all&source={website.pk}",
        actions=[{"kind": "sms", "body": "{نام} گرامی، سرنخ {کد_پیگیری} ثبت شد."}],
    )
    [(record, [line])] = rules.preview(rule, manager)
    assert record == lead
    assert line == f"پیامک به \u206609121111111\u2069: مریم احمدی گرامی، سرنخ {lead.code} ثبت شد."
    assert not Message.objects.exists() and not RuleRun.objects.exists()


def test_a_deleted_record_fails_its_run_and_nothing_is_done():
    manager = UserFactory(role=MANAGER)
    make_rule(manager, actions=[{"kind": "notify", "who": "owner", "title": "سرنخ"}])
    lead = new_lead(manager)
    Lead.objects.filter(pk=lead.pk).update(deleted_at=timezone.now())
    rules.run_due()
    run = RuleRun.objects.get()
    assert (run.status, run.error) == (RuleRun.Status.FAILED, "پرونده حذف شده است.")
    assert not Notification.objects.filter(title="سرنخ").exists()


def test_a_date_rule_acts_once_on_dates_that_pass_while_it_is_on():
    manager = UserFactory(role=MANAGER)
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]

    def new_request(deadline):
        item = Request(description="خرابی", urgency=urgency, assignee=manager)
        item = request_register(request=item, by=manager)
        Request.objects.filter(pk=item.pk).update(deadline=deadline)
        return item

    with time_machine.travel(TEHRAN_NOON, tick=False):
        late_already = new_request(datetime.date(2026, 12, 1))
        rule = make_rule(
            manager,
            list_key="requests",
            trigger=Rule.Trigger.DATE,
            trigger_field="deadline",
            date_offset=1,
            actions=[{"kind": "notify", "who": "user", "user": manager.pk, "title": "دیرکرد"}],
        )
        due_soon = new_request(datetime.date(2026, 12, 6))
        assert rules.scan_dates() == 0
    # Two days later: due_soon's deadline + 1 day has passed; late_already's passed
    # before the rule was on.
    with time_machine.travel(TEHRAN_NOON + datetime.timedelta(days=2), tick=False):
        assert rules.scan_dates() == 1
        assert rules.scan_dates() == 0
        run = RuleRun.objects.get()
        assert (run.object_id, run.cause) == (due_soon.pk, "date:2026-12-06")
        rules.run_due()
    assert Notification.objects.filter(user=manager, title="دیرکرد").count() == 1
    assert not RuleRun.objects.filter(object_id=late_already.pk).exists()
    # Switched off and on again: still once (the run is unique per rule, record, date).
    rule_switch(rule=rule, on=False, by=manager, link_base=LINK_BASE)
    assert not Rule.objects.get(pk=rule.pk).is_active


def test_berlians_sms_go_out_on_registration_and_archive_with_the_managers_text():
    manager = UserFactory(role=MANAGER)
    ensure_default_rules(manager)
    ensure_default_rules(manager)  # made once
    registered = Rule.objects.get(key="service.request_registered_sms")
    archived = Rule.objects.get(key="service.request_archived_sms")
    assert not registered.is_active and not archived.is_active  # off by default

    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    contact = ContactFactory(owner=manager, name="رضا طاهری", mobile="09123334444")

    def new_request():
        item = Request(description="خرابی", urgency=urgency, assignee=manager, contact=contact)
        return request_register(request=item, by=manager)

    new_request()
    assert not RuleRun.objects.exists()  # off: nothing

    archived.actions = [{"kind": "sms", "body": "کار {کد_پیگیری} تمام شد: {نتیجه}"}]
    archived.is_active = registered.is_active = True
    rule_save(rule=archived, by=manager, link_base=LINK_BASE)
    rule_save(rule=registered, by=manager, link_base=LINK_BASE)
    item = new_request()
    rules.run_due()
    sms = Message.objects.get(to="+989123334444")
    assert sms.body == (
        f"رضا طاهری گرامی، درخواست شما با کد پیگیری {item.tracking_code} ثبت شد. "
        f"پیگیری: https://crm.example.ir{reverse('service:track')}\nپیوند"
    )
    assert sms.related == item

    request_done(request=item, by=manager, result="قطعه تعویض شد")
    request_archive(request=Request.objects.get(pk=item.pk), by=manager)
    rules.run_due()
    latest = Message.objects.filter(to="+989123334444").order_by("-pk").first()
    assert latest.body == f"کار {item.tracking_code} تمام شد: قطعه تعویض شد"
    assert Message.objects.filter(to="+989123334444").count() == 2  # «done» sent nothing


def test_a_customer_without_a_mobile_is_said_and_the_other_actions_still_run():
    manager = UserFactory(role=MANAGER)
    make_rule(
        manager,
        actions=[
            {"kind": "sms", "body": "سلام {نام}"},
            {"kind": "notify", "who": "owner", "title": "سرنخ تازه"},
        ],
    )
    contact = ContactFactory(owner=manager, mobile="")
    lead_save(lead=Lead(title="بی‌شماره", contact=contact), by=manager)
    rules.run_due()
    run = RuleRun.objects.get()
    assert run.status == RuleRun.Status.DONE
    assert run.summary.splitlines() == [
        "پیامک فرستاده نشد: مشتری شماره همراه ندارد.",
        f"به «{manager}» اعلان شد.",
    ]


# The pages ------------------------------------------------------------------------------


def test_a_manager_builds_a_rule_from_the_lists_filters_and_a_bad_form_keeps_it(client, website):
    manager = UserFactory(role=MANAGER)
    client.force_login(manager)
    url = reverse("automation:rule_create", args=["leads"])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="expected_min"' in page.text and 'name="rule-name"' in page.text
    data = {
        "rule-name": "سرنخ بزرگ",
        "rule-trigger": "created",
        "rule-date_offset": "0",
        "rule-owner": manager.pk,
        "status": "all",
        "source": website.pk,
        "expected_min": "۵۰۰۰۰۰۰۰۰۰",
        "a-task-description": "تماس با {نام}",
        "a-task-who": "responsible",
        "a-task-days": "1",
    }
    refused = client.post(url, data)  # no action switched on
    assert refused.status_code == 200
    assert "دست‌کم یک کار را روشن کنید." in refused.text
    assert "تماس با {نام}" in refused.text and "سرنخ بزرگ" in refused.text
    unknown = client.post(url, data | {"a-task-on": "on", "a-task-description": "با {بودجه}"})
    assert "جای‌نگهدار {بودجه} شناخته نیست" in unknown.text

    previewed = client.post(url, data | {"a-task-on": "on", "preview": "1"})
    assert "پیش‌نمایش" in previewed.text and not Rule.objects.exists()

    saved = client.post(url, data | {"a-task-on": "on"})
    rule = Rule.objects.get()
    assert saved.status_code == 302 and saved["Location"] == rule_url(rule)
    assert rule.conditions == f"status=all&source={website.pk}&expected_min=5000000000"
    assert rule.actions == [
        {"kind": "task", "description": "تماس با {نام}", "who": "responsible", "days": 1}
    ]
    assert rule.link_base == "http://testserver/" and not rule.is_active

    detail = client.get(rule_url(rule))
    assert "وب‌سایت" in detail.text and "خاموش" in detail.text
    switched = client.post(reverse("automation:rule_switch", args=[rule.pk]), {"on": "1"})
    assert switched.status_code == 302
    assert Rule.objects.get().is_active


def rule_url(rule: Rule) -> str:
    return reverse("automation:rule_detail", args=[rule.pk])


def test_the_rules_page_offers_the_default_rules_switched_off(client):
    manager = UserFactory(role=MANAGER)
    client.force_login(manager)
    page = client.get(reverse("automation:rule_list"))
    assert "پیامک ثبت درخواست به مشتری" in page.text
    assert "پیامک بایگانی درخواست به مشتری" in page.text
    assert Rule.objects.filter(is_active=False).count() == 2


def test_a_follow_up_with_the_named_result_sets_off_the_leads_rule():
    manager = UserFactory(role=MANAGER)
    offer = FollowUpResult.objects.get(name="ارسال پیش فاکتور")
    first_call = FollowUpResult.objects.get(name="تماس اولیه")
    make_rule(
        manager,
        trigger=Rule.Trigger.FOLLOWUP,
        trigger_field=str(offer.pk),
        actions=[{"kind": "notify", "who": "owner", "title": "پیش فاکتور بخواهند: {موضوع}"}],
    )
    lead = new_lead(manager)
    phone = Channel.objects.get(name="تلفن")
    for result in (first_call, offer):
        followup_log(
            followup=FollowUp(lead=lead, result=result, channel=phone, description="گفتگو"),
            by=manager,
        )
    run = RuleRun.objects.get()
    assert (run.object_id, run.content_type.model) == (lead.pk, "lead")
    rules.run_due()
    assert Notification.objects.filter(title="پیش فاکتور بخواهند: خرید ۲۰ دستگاه").count() == 1


def test_a_customers_sms_sets_off_the_contacts_rule_once_and_an_auto_reply_nothing():
    manager = UserFactory(role=MANAGER)
    make_rule(
        manager,
        list_key="contacts",
        trigger=Rule.Trigger.MESSAGE,
        conditions="",
        actions=[{"kind": "task", "who": "owner", "days": 0, "description": "پاسخ به {نام}"}],
    )
    contact = ContactFactory(owner=manager, name="سارا رحیمی", phones=["+989125556666"])
    sms = Incoming(
        provider_id="p-1", sender="989125556666", line="3000", text="سلام، قیمت؟",
        received_at=timezone.now(),
    )  # fmt: skip
    assert record_sms(sms, backend="kavenegar", unknown_owner=manager)
    assert not record_sms(sms, backend="kavenegar", unknown_owner=manager)  # the same SMS
    rules.run_due()
    task = Task.objects.get()
    assert (task.related, task.description, task.assignee) == (
        contact,
        "پاسخ به سارا رحیمی",
        manager,
    )
    # A message nobody wrote (an auto-reply) sets nothing off.
    auto = Message.objects.create(
        channel="email", direction="in", status="received", to="a@example.ir",
        contact=contact, owner=manager, body="در مرخصی‌ام", automatic=True,
    )  # fmt: skip
    message_received(auto)
    assert RuleRun.objects.count() == 1


def test_a_rule_switched_off_drops_what_it_had_queued():
    manager = UserFactory(role=MANAGER)
    rule = make_rule(manager, actions=[{"kind": "notify", "who": "owner", "title": "سرنخ"}])
    new_lead(manager)
    rule_switch(rule=rule, on=False, by=manager, link_base=LINK_BASE)
    rules.run_due()
    run = RuleRun.objects.get()
    assert (run.status, run.error) == (RuleRun.Status.SKIPPED, "قانون خاموش شد؛ کاری انجام نشد.")
    assert not Notification.objects.filter(title="سرنخ").exists()


def test_a_rule_sets_only_fields_no_workflow_owns():
    from peyvand.automation.actions import settable_fields

    lead_fields = {value.split("=")[0] for value, _label in settable_fields(Lead)}
    assert lead_fields == {"stage", "stars"}  # not status: closing a lead is its service's
    assert {value.split("=")[0] for value, _label in settable_fields(Request)} == {
        "confidentiality"
    }
    from peyvand.sales.models import Invoice

    assert settable_fields(Invoice) == []


def test_a_date_rule_changed_while_on_starts_from_now_and_a_day_of_many_dates_is_read_whole():
    manager = UserFactory(role=MANAGER)
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    with time_machine.travel(TEHRAN_NOON, tick=False):  # 2026-12-05
        rule = make_rule(manager, actions=[{"kind": "notify", "who": "owner", "title": "x"}],
                         list_key="requests")  # fmt: skip
    with time_machine.travel(TEHRAN_NOON + datetime.timedelta(days=20), tick=False):
        items = [
            request_register(
                request=Request(description="خرابی", urgency=urgency, assignee=manager),
                by=manager,
            )
            for _ in range(4)
        ]
        Request.objects.update(deadline=datetime.date(2027, 1, 1))
        # Passed while the rule was a «created» rule: not this date rule's to act on.
        Request.objects.filter(pk=items[0].pk).update(deadline=datetime.date(2026, 12, 20))
        RuleRun.objects.all().delete()  # the «created» runs: not this test's
        rule.trigger, rule.trigger_field = Rule.Trigger.DATE, "deadline"
        rule_save(rule=rule, by=manager, link_base=LINK_BASE)
        assert Rule.objects.get(pk=rule.pk).scanned_until == timezone.now()
    with time_machine.travel(datetime.datetime(2027, 1, 2, 6, tzinfo=datetime.UTC), tick=False):
        assert rules.scan_dates() == 3  # three on one day: every one of them
        assert rules.scan_dates() == 0
    assert set(RuleRun.objects.values_list("object_id", flat=True)) == {
        item.pk for item in items[1:]
    }
