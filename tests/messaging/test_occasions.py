"""Occasions (مناسبت‌ها): a campaign that goes to a group every year on its Jalali day, at
its hour, once — set up in the UI, started by the beat, sent by the worker."""

import datetime
import zoneinfo

import jdatetime
import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.core.models import ChangeRecord
from peyvand.messaging import services
from peyvand.messaging.models import Broadcast, ContactGroup, ContactGroupMember, Occasion
from tests.factories import ContactFactory
from tests.messaging.fixtures import run_worker

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
worker_test = pytest.mark.django_db(transaction=True)


def tehran(year: int, month: int, day: int, hour: int) -> datetime.datetime:
    """An aware moment at ``hour`` o'clock in Tehran on a Jalali date."""
    gregorian = jdatetime.date(year, month, day).togregorian()
    return datetime.datetime(gregorian.year, gregorian.month, gregorian.day, hour, tzinfo=TEHRAN)


def occasion_for(owner, *, month=9, day=30, hour=16, **fields) -> Occasion:
    group = ContactGroup.objects.create(owner=owner, name="مشتریان وفادار")
    return Occasion.objects.create(
        owner=owner,
        title="شب یلدا",
        channel="sms",
        group=group,
        month=month,
        day=day,
        hour=hour,
        body="{نام} عزیز، یلدایتان مبارک!",
        **fields,
    )


def test_it_starts_once_on_its_day_after_its_hour(personas):
    occasion = occasion_for(personas.owner)

    assert services.occasion_campaigns(tehran(1405, 9, 30, 15)) == 0  # before its hour
    assert services.occasion_campaigns(tehran(1405, 9, 29, 20)) == 0  # the day before
    assert services.occasion_campaigns(tehran(1405, 9, 30, 16)) == 1
    # The beat asks every few minutes, on every worker: still one this year.
    assert services.occasion_campaigns(tehran(1405, 9, 30, 16)) == 0
    assert services.occasion_campaigns(tehran(1405, 9, 30, 22)) == 0

    broadcast = Broadcast.objects.get()
    assert broadcast.occasion == occasion
    assert (broadcast.title, broadcast.group, broadcast.owner) == (
        "شب یلدا 1405",  # stored in Latin digits; pages show «۱۴۰۵»
        occasion.group,
        personas.owner,
    )
    assert broadcast.body == occasion.body
    occasion.refresh_from_db()
    assert occasion.last_year == 1405
    # …and again the next year.
    assert services.occasion_campaigns(tehran(1406, 9, 30, 16)) == 1
    assert Broadcast.objects.count() == 2


def test_an_inactive_occasion_or_one_whose_group_is_gone_does_not_go(personas):
    inactive = occasion_for(personas.owner, is_active=False)
    orphan = occasion_for(personas.owner)
    ContactGroup.objects.filter(pk=orphan.group_id).update(deleted_at=timezone.now())

    assert services.occasion_campaigns(tehran(1405, 9, 30, 17)) == 0
    assert not Broadcast.objects.exists()
    inactive.refresh_from_db()
    assert inactive.last_year is None


def test_30_esfand_falls_on_29_esfand_in_a_common_year(personas):
    occasion_for(personas.owner, month=12, day=30, hour=9)
    assert not jdatetime.date(1404, 1, 1).isleap() and jdatetime.date(1403, 1, 1).isleap()

    assert services.occasion_campaigns(tehran(1404, 12, 29, 10)) == 1  # 1404 has no 30 Esfand
    assert services.occasion_campaigns(tehran(1403, 12, 29, 10)) == 0  # 1403 has one…
    assert services.occasion_campaigns(tehran(1403, 12, 30, 10)) == 1  # …and it goes then


def test_the_next_date_is_today_until_it_has_gone_then_next_year(personas):
    occasion = occasion_for(personas.owner, month=9, day=30)
    yalda_1405 = jdatetime.date(1405, 9, 30).togregorian()

    assert occasion.next_date(jdatetime.date(1405, 9, 2).togregorian()) == yalda_1405
    assert occasion.next_date(yalda_1405) == yalda_1405
    occasion.last_year = 1405
    assert occasion.next_date(yalda_1405) == jdatetime.date(1406, 9, 30).togregorian()


@worker_test
def test_todays_occasion_reaches_each_member_through_the_worker(kavenegar, personas):
    today = jdatetime.date.fromgregorian(date=timezone.localdate())
    occasion = occasion_for(personas.owner, month=today.month, day=today.day, hour=0)
    names = ["مینا رستمی", "بهرام کاظمی"]
    for number, name in enumerate(names):
        contact = ContactFactory(owner=personas.owner, name=name, phones=[f"+98912555000{number}"])
        ContactGroupMember.objects.create(group=occasion.group, contact=contact)

    assert services.occasion_campaigns() == 1
    run_worker()  # expands the broadcast, then sends it

    assert sorted(item["body"] for item in kavenegar.received) == sorted(
        f"{name} عزیز، یلدایتان مبارک!" for name in names
    )


def test_a_manager_sets_up_yalda_from_the_preset(client, personas):
    group = ContactGroup.objects.create(owner=personas.manager, name="همه مشتریان")
    client.force_login(personas.manager)

    listing = client.get(reverse("messaging:occasion_list")).content.decode()
    create_url = reverse("messaging:occasion_create")
    assert f"{create_url}?preset=yalda" in listing
    form = client.get(create_url, {"preset": "yalda"}).content.decode()
    assert 'value="شب یلدا"' in form
    assert "یلدایتان مبارک" in form

    data = {
        "title": "شب یلدا",
        "channel": "sms",
        "group": group.pk,
        "month": 9,
        "day": 30,
        "hour": 16,
        "body": "{نام} عزیز، یلدایتان مبارک!",
        "is_active": "on",
    }
    response = client.post(create_url, data)
    assert response.status_code == 302
    occasion = Occasion.objects.get()
    assert (occasion.owner, occasion.month, occasion.day, occasion.hour) == (
        personas.manager,
        9,
        30,
        16,
    )
    assert ChangeRecord.objects.filter(object_id=occasion.pk, action="created").exists()
    listing = client.get(reverse("messaging:occasion_list")).content.decode()
    assert "۳۰ آذر، ساعت ۱۶" in listing


def test_a_day_the_month_lacks_and_an_unknown_placeholder_are_refused_in_persian(client, personas):
    group = ContactGroup.objects.create(owner=personas.owner, name="گروه من")
    client.force_login(personas.owner)
    data = {
        "title": "روز دوستی",
        "channel": "sms",
        "group": group.pk,
        "month": 7,
        "day": 31,
        "hour": 9,
        "body": "سلام {لقب}",
        "is_active": "on",
    }
    page = client.post(reverse("messaging:occasion_create"), data).content.decode()

    assert "مهر ۳۰ روز دارد." in page
    assert "جای‌نگهدار {لقب} شناخته نیست" in page
    assert 'value="روز دوستی"' in page  # what was typed stays
    assert not Occasion.objects.exists()


def test_email_occasions_need_a_subject(client, personas):
    group = ContactGroup.objects.create(owner=personas.owner, name="گروه من")
    client.force_login(personas.owner)
    data = {"title": "نوروز", "channel": "email", "group": group.pk, "month": 1, "day": 1}
    page = client.post(reverse("messaging:occasion_create"), data | {"hour": 9, "body": "سلام"})

    assert "موضوع ایمیل را بنویسید." in page.content.decode()


def test_only_visible_groups_can_be_chosen(client, personas):
    theirs = ContactGroup.objects.create(owner=personas.outsider, name="گروه دیگران")
    client.force_login(personas.owner)
    data = {"title": "نوروز", "channel": "sms", "group": theirs.pk, "month": 1, "day": 1}
    page = client.post(reverse("messaging:occasion_create"), data | {"hour": 9, "body": "سلام"})

    assert page.status_code == 200
    assert not Occasion.objects.exists()


def test_a_deleted_occasion_goes_to_the_trash_and_comes_back(client, personas):
    occasion = occasion_for(personas.owner)
    client.force_login(personas.owner)

    client.post(reverse("messaging:occasion_delete", args=[occasion.pk]))
    assert not Occasion.objects.exists()
    assert services.occasion_campaigns(tehran(1405, 9, 30, 17)) == 0

    client.force_login(personas.manager)
    trash = client.get(reverse("core:trash")).content.decode()
    assert "شب یلدا" in trash
    client.post(reverse("core:trash_restore", args=["messaging.occasion", occasion.pk]))
    assert Occasion.objects.filter(pk=occasion.pk).exists()
