"""Customer requests: the workflow of DOMAIN.md through HTTP as users work it, each
forbidden step refused in Persian, working-day deadlines and visibility."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.roles import MANAGER, SUPPORT
from peyvand.activities.models import Notification
from peyvand.core.models import HolidayOverride
from peyvand.lookups.models import Channel, Urgency
from peyvand.service import services
from peyvand.service.models import Request
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(db):
    support = UserFactory(username="helpdesk", role=SUPPORT)
    manager = UserFactory(username="chief", role=MANAGER)
    other = UserFactory(username="other-agent", role=SUPPORT)
    return support, manager, other


def urgency(name: str, days: int) -> Urgency:
    return Urgency.objects.get_or_create(name=name, defaults={"deadline_days": days})[0]


def register(by, assignee, **fields) -> Request:
    values = {"description": "دستگاه روشن نمی‌شود", "urgency": urgency("عادی", 1)} | fields
    return services.request_register(request=Request(assignee=assignee, **values), by=by)


def refusal(step) -> str:
    with pytest.raises(ValidationError) as refused:
        step()
    return refused.value.messages[0]


def tehran(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def test_a_request_goes_round_the_whole_workflow(client, desk):
    support, manager, _other = desk
    customer = ContactFactory(owner=support, name="فروشگاه آریا")
    phone = Channel.objects.get_or_create(name="تلفن")[0]
    client.force_login(support)
    form = client.get(
        reverse("service:request_create"), {"contact": customer.pk, "channel": phone.pk}
    )
    assert form.context["form"]["contact"].value() == customer.pk
    assert form.context["form"]["channel"].value() == phone.pk
    empty = client.post(
        reverse("service:request_create"), {"subject": "خرابی", "assignee": manager.pk}
    )
    assert empty.context["form"].errors["description"] == ["این فیلد لازم است."]
    assert empty.context["form"]["subject"].value() == "خرابی"  # kept
    created = client.post(
        reverse("service:request_create"),
        {
            "contact": customer.pk,
            "channel": phone.pk,
            "subject": "خرابی دستگاه",
            "description": "دستگاه روشن نمی‌شود",
            "urgency": urgency("فوری", 0).pk,
            "assignee": manager.pk,
        },
    )
    item = Request.objects.get()
    assert created.url == item.get_absolute_url()
    assert item.owner == support and item.tracking_code
    assert item.deadline == timezone.localdate() or item.deadline > timezone.localdate()
    assert Notification.objects.filter(user=manager, url=item.get_absolute_url()).exists()

    client.force_login(manager)
    inbox = client.get(reverse("service:request_inbox"), follow=True)
    (row,) = inbox.context["page"].items
    assert row.unseen  # newly assigned: stands out until opened
    assert inbox.context["cells"][0][0] == "fw-bold"
    assert "تازه" in inbox.content.decode()
    client.get(item.get_absolute_url())
    inbox = client.get(reverse("service:request_inbox"), follow=True)
    assert not inbox.context["page"].items[0].unseen
    refused = client.post(
        reverse("service:request_done", args=[item.pk]), {"result": ""}, follow=True
    )
    assert "نتیجه انجام درخواست را بنویسید." in refused.content.decode()
    client.post(reverse("service:request_done", args=[item.pk]), {"result": "فیوز عوض شد"})
    item.refresh_from_db()
    assert item.status == Request.Status.DONE and item.done_at is not None

    client.force_login(support)
    sent = client.get(reverse("service:request_sent"), follow=True)
    assert sent.context["page"].items[0].unseen
    # awaiting my confirmation: red (and bold, new) for the creator
    assert sent.context["cells"][0][0] == "table-danger fw-bold"
    edit = client.get(reverse("service:request_edit", args=[item.pk]), follow=True)
    assert "دیگر نمی‌توان آن را ویرایش کرد" in edit.content.decode()
    client.post(reverse("service:request_reject", args=[item.pk]), {"note": "هنوز خاموش می‌شود"})
    item.refresh_from_db()
    assert item.status == Request.Status.OPEN and item.rejected_at is not None

    client.force_login(manager)
    inbox = client.get(reverse("service:request_inbox"), follow=True)
    assert inbox.context["page"].items[0].unseen
    assert "برگشتی: اشکال دارد" in inbox.content.decode()
    client.post(reverse("service:request_done", args=[item.pk]), {"result": "برد تعویض شد"})

    client.force_login(support)
    client.post(reverse("service:request_archive", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == Request.Status.ARCHIVED and item.result == "برد تعویض شد"
    deleted = client.post(reverse("service:request_delete", args=[item.pk]), follow=True)
    assert "دیگر نمی‌توان آن را حذف کرد" in deleted.content.decode()
    assert Request.objects.filter(pk=item.pk).exists()


def test_every_forbidden_step_is_refused_in_persian(desk):
    support, manager, other = desk
    item = register(support, manager)
    cases = [
        (lambda: services.request_done(request=item, by=support, result="x"),
         "فقط انجام‌دهنده درخواست می‌تواند آن را انجام‌شده اعلام کند."),
        (lambda: services.request_archive(request=item, by=support),
         "فقط درخواست انجام‌شده بایگانی می‌شود."),
        (lambda: services.request_reject(request=item, by=support, note="x"),
         "فقط درخواست انجام‌شده را می‌توان با «اشکال دارد» برگشت داد."),
        (lambda: services.request_delete(request=item, by=other),
         "فقط ثبت‌کننده درخواست می‌تواند آن را حذف کند."),
    ]  # fmt: skip
    for step, message in cases:
        assert refusal(step) == message
    services.request_done(request=item, by=manager, result="انجام شد")
    assert "پیش‌تر انجام‌شده" in refusal(
        lambda: services.request_done(request=item, by=manager, result="دوباره")
    )
    assert "فقط ثبت‌کننده" in refusal(lambda: services.request_archive(request=item, by=manager))
    assert "اشکال کار را بنویسید" in refusal(
        lambda: services.request_reject(request=item, by=support, note=" ")
    )
    services.request_reject(request=item, by=support, note="ناقص است")
    # Sent back: the assignee has acted, so the creator still may not edit or delete it.
    assert "دیگر نمی‌توان آن را حذف کرد" in refusal(
        lambda: services.request_delete(request=item, by=support)
    )
    services.request_done(request=item, by=manager, result="کامل شد")
    services.request_archive(request=item, by=support)
    assert "فقط درخواست انجام‌شده" in refusal(
        lambda: services.request_reject(request=item, by=support, note="باز هم")
    )


def test_the_creator_edits_or_deletes_only_until_the_assignee_acts(client, desk):
    support, manager, other = desk
    item = register(support, manager)
    client.force_login(support)
    data = {"description": "شرح تازه", "urgency": item.urgency_id, "assignee": other.pk}
    assert client.post(reverse("service:request_edit", args=[item.pk]), data).status_code == 302
    item.refresh_from_db()
    assert item.description == "شرح تازه" and item.assignee == other
    assert Notification.objects.filter(user=other).exists()  # handed over: new to them
    client.post(reverse("service:request_delete", args=[item.pk]))
    assert not Request.objects.filter(pk=item.pk).exists()
    assert Request.all_objects.get(pk=item.pk).is_deleted  # in the recycle bin


def test_deadlines_count_working_days_across_nowruz_and_overrides(desk):
    support, manager, _other = desk
    wednesday = datetime.date(2026, 3, 18)  # 1404/12/27, the Wednesday before Nowruz
    two_days = urgency("دو روزه", 2)
    item = register(support, manager, urgency=two_days, created_at=tehran(wednesday))
    # Thursday 1404/12/28, then 29 Esfand (Friday, oil day), Nowruz and Eid al-Fitr to
    # 1405/01/04: the second working day is Wednesday 1405/01/05.
    assert item.deadline == datetime.date(2026, 3, 25)
    urgent = register(support, manager, urgency=urgency("فوری", 0), created_at=tehran(wednesday))
    assert urgent.deadline == wednesday
    HolidayOverride.objects.create(date=datetime.date(2026, 3, 25), note="تعطیلی شرکت")
    later = register(support, manager, urgency=two_days, created_at=tehran(wednesday))
    assert later.deadline == datetime.date(2026, 3, 26)
    late = register(support, manager, created_at=tehran(datetime.date(2026, 3, 1)))
    assert late.is_overdue


def test_a_request_is_its_creators_and_assignees_and_managers_see_all(client, desk):
    support, manager, other = desk
    item = register(support, support)
    for user, status in [(support, 200), (other, 404), (manager, 200)]:
        client.force_login(user)
        assert client.get(item.get_absolute_url()).status_code == status
    client.force_login(other)
    assert client.get(reverse("service:request_all")).context["page"].items == []
    assert client.get(reverse("service:request_sent"), follow=True).context["page"].items == []
    client.force_login(manager)
    assert [r.pk for r in client.get(reverse("service:request_all")).context["page"].items] == [
        item.pk
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_tracking_codes(desk):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    support, manager, _other = desk
    normal = urgency("عادی", 1)
    codes, errors = [], []

    def one():
        try:
            codes.append(register(support, manager, urgency=normal).tracking_code)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(codes) == 50 and len(set(codes)) == 50


def test_from_a_call_or_a_contact_the_form_starts_with_the_customer(client, desk):
    from peyvand.activities.models import Call

    support, manager, _other = desk
    # An id past a thousand: it must not be written «12,345» into a link.
    customer = ContactFactory(
        id=12345, owner=support, name="فروشگاه آریا", phones=["+989121234567"]
    )
    call = Call.objects.create(
        owner=support, kind="incoming", number="+989121234567", contact=customer
    )
    client.force_login(support)
    page = client.get(call.get_absolute_url()).content.decode()
    url = f"{reverse('service:request_create')}?call={call.pk}"
    assert url in page
    form = client.get(url).context["form"]
    assert form["contact"].value() == customer.pk
    assert form["channel"].value() == Channel.objects.get(name="تلفن").pk
    complaint_url = f"{reverse('service:complaint_create')}?call={call.pk}"
    assert complaint_url in page  # or a complaint, the same way
    form = client.get(complaint_url).context["form"]
    assert form["contact"].value() == customer.pk
    assert form["channel"].value() == Channel.objects.get(name="تلفن").pk
    item = register(support, manager, contact=customer, subject="خرابی دستگاه")
    card = client.get(customer.get_absolute_url()).content.decode()
    assert item.get_absolute_url() in card and "خرابی دستگاه" in card
    assert f"{reverse('service:request_create')}?contact=12345" in card
    assert f"{reverse('sales:lead_create')}?contact=12345" not in card  # support: no sales


def test_each_step_of_the_workflow_is_in_the_requests_history(client, desk):
    support, manager, _other = desk
    item = register(support, manager)
    services.request_done(request=item, by=manager, result="فیوز عوض شد")
    services.request_reject(request=item, by=support, note="هنوز خاموش می‌شود")
    client.force_login(support)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "فیوز عوض شد" in page and "هنوز خاموش می‌شود" in page
    assert "انجام شده، در انتظار تأیید" in page  # the status change, in the timeline


def test_the_public_page_shows_a_request_only_to_its_customers_mobile(client, desk, settings):
    from django.core.cache import cache

    cache.clear()
    support, manager, _other = desk
    customer = ContactFactory(owner=support, phones=["+989121234567"])
    item = register(support, manager, contact=customer)
    services.request_done(request=item, by=manager, result="فیوز عوض شد")
    services.request_archive(request=item, by=support)
    url = reverse("service:track")
    assert client.get(url).status_code == 200  # no login
    page = client.post(url, {"code": item.tracking_code, "mobile": "۰۹۱۲ ۱۲۳ ۴۵۶۷"})
    assert "بایگانی شده" in page.content.decode() and "فیوز عوض شد" in page.content.decode()
    wrong = client.post(url, {"code": item.tracking_code, "mobile": "09121234568"})
    text = wrong.content.decode()
    assert "پیدا نشد" in text and "فیوز" not in text and "بایگانی" not in text
    no_such = client.post(url, {"code": "999", "mobile": "09121234567"}).content.decode()
    assert no_such.count("پیدا نشد") == 1  # the same answer: nothing tells which was wrong
    bad = client.post(url, {"code": item.tracking_code, "mobile": "12"})
    assert bad.context["form"].errors["mobile"]
    statuses = [
        client.post(url, {"code": "x", "mobile": "09121234567"}).status_code for _ in range(10)
    ]
    assert statuses[-1] == 429
    assert (
        "تعداد تلاش‌ها زیاد بود"
        in client.post(url, {"code": "x", "mobile": "0912"}).content.decode()
    )
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_the_customer_gets_the_tracking_code_and_then_the_result_by_sms(client, desk, kavenegar):
    from tests.messaging.fixtures import run_worker

    Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})
    support, manager, _other = desk
    customer = ContactFactory(owner=support, name="نگار صادقی", phones=["+989121234567"])
    item = register(support, manager, contact=customer)
    client.force_login(support)
    url = reverse("service:request_sms", args=[item.pk])
    assert url in client.get(item.get_absolute_url()).content.decode()
    form = client.get(url).context["form"]
    assert item.tracking_code in form["body"].value()
    assert reverse("service:track") in form["body"].value()
    edited = form["body"].value().replace("گرامی", "عزیز")
    assert client.post(url, {"to": form["to"].value(), "body": edited}).status_code == 302
    run_worker()
    (sms,) = kavenegar.received
    assert sms["to"] == "09121234567" and "نگار صادقی عزیز" in sms["body"]

    services.request_done(request=item, by=manager, result="دستگاه تعویض شد")
    services.request_archive(request=item, by=support)
    form = client.get(url).context["form"]
    assert "دستگاه تعویض شد" in form["body"].value()
    bad = client.post(url, {"to": "123", "body": "x"})
    assert bad.status_code == 200 and bad.context["form"].errors


def test_managers_custom_fields_are_on_the_request_form_and_page(client, desk):
    from peyvand.customfields.models import CustomField

    support, manager, _other = desk
    serial = CustomField.objects.create(
        target="service.request", label="شماره سریال دستگاه", kind="text", required=True
    )
    client.force_login(support)
    data = {
        "description": "خرابی",
        "urgency": urgency("عادی", 1).pk,
        "assignee": manager.pk,
    }
    missing = client.post(reverse("service:request_create"), data)
    assert missing.context["form"].errors[f"custom_{serial.pk}"] == ["این فیلد لازم است."]
    client.post(reverse("service:request_create"), data | {f"custom_{serial.pk}": "SN-۴۴۱۲"})
    item = Request.objects.get()
    assert item.custom == {f"f{serial.pk}": "SN-4412"}  # digits normalised
    assert "شماره سریال دستگاه" in client.get(item.get_absolute_url()).content.decode()


def test_managers_hide_the_fields_they_do_not_use(client, desk):
    from peyvand.service.models import ServiceSettings

    support, manager, _other = desk
    client.force_login(support)
    assert client.get(reverse("service:settings")).status_code == 403
    client.force_login(manager)
    saved = client.post(reverse("service:settings"), {"hidden_fields": ["type2", "type3"]})
    assert saved.status_code == 302
    assert ServiceSettings.load().hidden_fields == ["type2", "type3"]
    form = client.get(reverse("service:request_create")).content.decode()
    assert 'name="type1"' in form and 'name="type2"' not in form and 'name="type3"' not in form
    data = {"description": "خرابی", "urgency": urgency("عادی", 1).pk, "assignee": manager.pk}
    assert client.post(reverse("service:request_create"), data).status_code == 302


def test_the_top_bar_search_finds_a_request_by_its_tracking_code(client, desk):
    support, manager, other = desk
    item = register(support, manager, subject="خرابی کارت‌خوان")
    client.force_login(support)
    code = "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in item.tracking_code)  # typed in Persian
    found = client.get(reverse("core:search"), {"q": code}).content.decode()
    assert item.get_absolute_url() in found
    client.force_login(other)
    assert (
        item.get_absolute_url()
        not in client.get(reverse("core:search"), {"q": code}).content.decode()
    )


def test_suggestions_gifts_and_discounts_are_kept_per_customer(client, desk):
    from peyvand.service.models import Feedback

    support, _manager, other = desk
    customer = ContactFactory(owner=support, name="فروشگاه آریا")
    client.force_login(support)
    url = reverse("service:feedback_create", args=[customer.pk])
    assert url in client.get(customer.get_absolute_url()).content.decode()
    bad = client.post(url, {"kind": "gift", "description": "", "value": "-5", "date": "1405/13/01"})
    errors = bad.context["form"].errors
    assert errors["description"] == ["این فیلد لازم است."]
    assert errors["date"] == ["ماه باید بین ۱ و ۱۲ باشد."]
    saved = client.post(
        url,
        {"kind": "gift", "description": "سررسید ۱۴۰۵", "value": "۲۵۰٬۰۰۰", "date": "1405/01/10"},
    )
    assert saved.url == customer.get_absolute_url()
    gift = Feedback.objects.get()
    assert (gift.kind, gift.value, gift.owner) == ("gift", 250_000, support)
    page = client.get(customer.get_absolute_url()).content.decode()
    assert gift.description == "سررسید 1405"  # digits stored normalised
    assert "سررسید ۱۴۰۵" in page and "هدیه" in page  # and read in Persian
    client.force_login(other)  # another team's agent: neither the customer nor its gifts
    assert client.get(url).status_code == 404
    client.force_login(support)
    client.post(reverse("service:feedback_delete", args=[gift.pk]))
    assert not Feedback.objects.exists() and Feedback.all_objects.get().is_deleted


def test_confidentiality_decides_who_else_sees_a_request(desk):
    from tests.factories import TeamFactory

    support, manager, other = desk
    teammate = UserFactory(role=SUPPORT)
    TeamFactory().members.add(support, teammate)
    private = register(support, support)
    team = register(support, support, confidentiality=Request.Confidentiality.TEAM)
    public = register(support, support, confidentiality=Request.Confidentiality.PUBLIC)

    def seen(user) -> set:
        return set(Request.objects.visible_to(user).values_list("pk", flat=True))

    assert seen(support) == seen(manager) == {private.pk, team.pk, public.pk}
    assert seen(teammate) == {team.pk, public.pk}
    assert seen(other) == {public.pk}
    private.watchers.add(other)  # a watcher sees it whatever its level
    assert seen(other) == {private.pk, public.pk}


def test_watchers_follow_every_update_and_links_go_both_ways(client, desk):
    support, manager, other = desk
    item = register(support, manager)
    client.force_login(support)
    form = client.get(reverse("service:request_edit", args=[item.pk])).context["form"]
    assert other in form.fields["watchers"].queryset
    data = {
        "description": item.description,
        "urgency": item.urgency_id,
        "assignee": manager.pk,
        "tracking_code": item.tracking_code,
        "confidentiality": "private",
        "watchers": [other.pk],
    }
    assert client.post(reverse("service:request_edit", args=[item.pk]), data).status_code == 302
    assert list(item.watchers.all()) == [other]
    assert Notification.objects.filter(user=other, title__contains="دنبال‌کننده").exists()
    client.force_login(manager)
    client.post(reverse("service:request_done", args=[item.pk]), {"result": "سرویس شد"})
    told = Notification.objects.filter(user=other, url=item.get_absolute_url())
    assert told.filter(title__contains="انجام شد").exists()

    # The watcher opens it (private, yet theirs to see) and stops following it.
    client.force_login(other)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "دنبال نکردن" in page
    client.post(reverse("service:request_watch", args=[item.pk]), {"watch": "0"})
    assert not item.watchers.exists()
    assert client.get(item.get_absolute_url()).status_code == 404

    # Links: by tracking code, among what the user sees, both ways, in both histories.
    second = register(support, support)
    hidden = register(other, other)
    client.force_login(support)
    link = reverse("service:request_link", args=[item.pk])
    refused = client.post(link, {"code": hidden.tracking_code}, follow=True)
    assert "پیدا نشد" in refused.content.decode()
    code = "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in second.tracking_code)
    client.post(link, {"code": code})
    assert list(second.related.all()) == [item]
    twice = client.post(link, {"code": second.tracking_code}, follow=True).content.decode()
    assert "پیش‌تر پیوند شده" in twice
    page = client.get(item.get_absolute_url()).content.decode()
    assert second.get_absolute_url() in page and "درخواست مرتبط" in page
    client.post(reverse("service:request_unlink", args=[item.pk, second.pk]))
    assert not item.related.exists()


def test_new_work_pops_up_for_who_asked_for_it(client, desk):
    support, manager, _other = desk
    manager.pop_up_assignments = True
    manager.save()
    item = register(support, manager)
    assigned = Notification.objects.get(user=manager, url=item.get_absolute_url())
    assert assigned.pop_up
    client.force_login(manager)
    client.post(reverse("service:request_done", args=[item.pk]), {"result": "انجام شد"})
    told = Notification.objects.get(user=support, url=item.get_absolute_url())
    assert not told.pop_up  # the creator did not ask; and «done» is not new work
    polled = client.get(reverse("activities:notification_poll")).json()
    assert [entry["pop_up"] for entry in polled["fresh"]] == [True]
    # The preference is the user's own, on the preferences page.
    page = client.post(
        reverse("accounts:preferences"), {"calendar": "jalali", "digits": "fa"}, follow=True
    )
    assert "ترجیحات ذخیره شد" in page.content.decode()
    manager.refresh_from_db()
    assert not manager.pop_up_assignments
