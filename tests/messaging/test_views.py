"""The messaging pages as users use them, through HTTP."""

import pytest
from django.urls import reverse

from peyvand.core.models import ChangeRecord
from peyvand.messaging import services
from peyvand.messaging.models import (
    Broadcast,
    ContactGroup,
    ContactGroupMember,
    Message,
    MessageTemplate,
    OptOut,
)
from tests.factories import ContactFactory
from tests.messaging.fixtures import run_worker

worker_test = pytest.mark.django_db(transaction=True)


def test_a_rep_sends_an_sms_from_the_contact_page_and_sees_it_there(client, personas, kavenegar):
    contact = ContactFactory(owner=personas.owner, name="کاوه پارسا", phones=["+989121234567"])
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    send_url = reverse("messaging:send", args=[contact.pk])
    assert f"{send_url}?channel=sms" in page

    response = client.post(send_url, {"channel": "sms", "body": "{نام} عزیز، سلام"})
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.to, message.body, message.owner) == (
        "+989121234567",
        "کاوه پارسا عزیز، سلام",
        personas.owner,
    )
    page = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "کاوه پارسا عزیز، سلام" in page
    assert "در صف" in page


def test_errors_are_persian_and_the_text_is_kept(client, personas):
    contact = ContactFactory(owner=personas.owner)  # no mobile, no email
    client.force_login(personas.owner)
    url = reverse("messaging:send", args=[contact.pk])
    page = client.post(url, {"channel": "sms", "body": "سلام {نام_خانوادگی}"}).content.decode()
    assert "جای‌نگهدار {نام_خانوادگی} شناخته نیست" in page
    assert "سلام {نام_خانوادگی}" in page  # what the user typed is still there
    page = client.post(url, {"channel": "sms", "body": "سلام"}).content.decode()
    assert "این مخاطب تلفن همراه ندارد." in page
    page = client.post(url, {"channel": "email", "body": "سلام"}).content.decode()
    assert "موضوع ایمیل را بنویسید." in page
    page = client.post(
        url, {"channel": "sms", "body": "سلام", "scheduled_at": "۱۴۰۵/۱۳/۰۱ ۱۰:۰۰"}
    ).content.decode()
    assert "scheduled_at" in page and "is-invalid" in page
    assert Message.objects.count() == 0


def test_a_scheduled_sms_takes_a_jalali_date_and_time(client, personas):
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    client.force_login(personas.owner)
    response = client.post(
        reverse("messaging:send", args=[contact.pk]),
        {"channel": "sms", "body": "یادآوری جلسه", "scheduled_at": "۱۴۰۹/۰۱/۰۱ ۰۹:۳۰"},
    )
    assert response.status_code == 302
    message = Message.objects.get()
    local = message.scheduled_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tehran"))
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2030, 3, 21, 9, 30)


def test_the_preview_counts_persian_sms_parts(client, personas):
    contact = ContactFactory(owner=personas.owner, name="مینا")
    client.force_login(personas.owner)
    page = client.post(
        reverse("messaging:preview"),
        {"channel": "sms", "body": "{نام} " + "س" * 70, "contact": contact.pk},
    ).content.decode()
    assert "مینا " in page
    assert "۷۵ نویسه — ۲ پیامک" in page


def test_an_outsider_cannot_message_or_see_someone_elses_contact(client, personas):
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    client.force_login(personas.outsider)
    url = reverse("messaging:send", args=[contact.pk])
    assert client.post(url, {"channel": "sms", "body": "x"}).status_code == 404
    page = client.post(
        reverse("messaging:preview"), {"body": "{نام}", "contact": contact.pk}
    ).content.decode()
    assert contact.name not in page
    assert Message.objects.count() == 0


@worker_test
def test_a_broadcast_to_the_filtered_list_reaches_only_what_the_list_shows(
    client, personas, kavenegar
):
    for number in range(3):
        ContactFactory(
            owner=personas.owner, name=f"نمایشگاه تهران {number}", phones=[f"+98912000000{number}"]
        )
    ContactFactory(owner=personas.owner, name="مشتری دیگر", phones=["+989120000009"])
    ContactFactory(owner=personas.outsider, name="نمایشگاه پنهان", phones=["+989120000008"])
    client.force_login(personas.owner)

    form_url = reverse("messaging:broadcast_create") + "?q=نمایشگاه"
    page = client.get(form_url).content.decode()
    assert "گیرندگان: ۳ مخاطب" in page
    response = client.post(
        reverse("messaging:broadcast_create"),
        {
            "target": "list",
            "filters": "q=نمایشگاه",
            "title": "دعوت نمایشگاه",
            "channel": "sms",
            "body": "{نام}: دعوت‌نامه",
        },
    )
    broadcast = Broadcast.objects.get()
    assert response.url == broadcast.get_absolute_url()
    run_worker()
    broadcast.refresh_from_db()
    assert broadcast.queued_count == 3
    assert sorted(item["to"] for item in kavenegar.received) == [
        "09120000000",
        "09120000001",
        "09120000002",
    ]
    page = client.get(broadcast.get_absolute_url()).content.decode()
    assert "ارسال شد" in page


def test_groups_take_the_ticked_contacts_and_opt_outs_are_recorded(client, personas):
    group = ContactGroup.objects.create(name="همکاران نمایشگاه", owner=personas.owner)
    picked = [ContactFactory(owner=personas.owner, phones=[f"+98912000001{i}"]) for i in range(2)]
    hidden = ContactFactory(owner=personas.outsider)
    client.force_login(personas.owner)
    response = client.post(
        reverse("messaging:group_add"),
        {"group": group.pk, "id": [picked[0].pk, picked[1].pk, hidden.pk]},
    )
    assert response.status_code == 302
    assert set(ContactGroupMember.objects.values_list("contact_id", flat=True)) == {
        picked[0].pk,
        picked[1].pk,
    }
    client.post(reverse("messaging:opt_out", args=[picked[0].pk]), {"channel": "sms"})
    assert OptOut.objects.get().address == "+989120000010"
    page = client.get(reverse("contacts:detail", args=[picked[0].pk])).content.decode()
    assert "انصراف از پیامک" in page


def test_managers_see_failed_messages_with_their_error_and_retry_them(client, personas):
    contact = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    failed = Message.objects.create(
        channel="sms",
        to=contact.mobile,
        contact=contact,
        body="متن",
        owner=personas.owner,
        status=Message.Status.FAILED,
        last_error="اعتبار حساب پیامک کافی نیست.",
        error_code="418",
    )
    client.force_login(personas.manager)
    page = client.get(reverse("messaging:list") + "?status=failed").content.decode()
    assert "اعتبار حساب پیامک کافی نیست." in page
    assert reverse("messaging:retry", args=[failed.pk]) in page
    client.post(reverse("messaging:retry", args=[failed.pk]))
    failed.refresh_from_db()
    assert failed.status == Message.Status.QUEUED
    # The outsider sees neither the message nor its retry.
    client.force_login(personas.outsider)
    assert "اعتبار حساب" not in client.get(reverse("messaging:list")).content.decode()
    assert client.post(reverse("messaging:retry", args=[failed.pk])).status_code == 404


def test_managers_define_templates_and_unknown_placeholders_are_refused(client, personas):
    client.force_login(personas.manager)
    url = reverse("messaging:template_create")
    page = client.post(
        url, {"name": "پیگیری", "channel": "sms", "body": "{اسم} عزیز", "is_active": "on"}
    ).content.decode()
    assert "جای‌نگهدار {اسم} شناخته نیست" in page
    client.post(url, {"name": "پیگیری", "channel": "sms", "body": "{نام} عزیز", "is_active": "on"})
    assert MessageTemplate.objects.get().body == "{نام} عزیز"


def test_ids_in_forms_are_never_grouped_like_numbers(client, personas):
    """USE_THOUSAND_SEPARATOR would write id 1001 as "1,001" in a hidden field."""
    contact = ContactFactory(pk=12345, owner=personas.owner, phones=["+989121234567"])
    client.force_login(personas.owner)
    page = client.get(reverse("messaging:send", args=[contact.pk])).content.decode()
    assert 'name="contact" value="12345"' in page
    preview = client.post(
        reverse("messaging:preview"), {"contact": "12345", "body": "{نام}"}
    ).content.decode()
    assert contact.name in preview


def _group_broadcast(personas, size: int) -> Broadcast:
    group = ContactGroup.objects.create(owner=personas.owner, name="مشتریان پاییز")
    for number in range(size):
        contact = ContactFactory(owner=personas.owner, phones=[f"+98912444{number:04d}"])
        ContactGroupMember.objects.create(group=group, contact=contact)
    return services.broadcast_create(
        broadcast=Broadcast(
            channel="sms", title="جشنواره پاییز", target="group", group=group, body="{نام} عزیز"
        ),
        by=personas.owner,
    )


@worker_test
def test_after_a_credit_top_up_one_click_sends_the_whole_broadcast_now(client, personas, kavenegar):
    kavenegar.credit = 0
    broadcast = _group_broadcast(personas, 5)
    run_worker()
    waiting = Message.objects.filter(broadcast=broadcast)
    assert {(m.status, m.error_code) for m in waiting} == {("queued", "418")}
    assert kavenegar.received == []
    Message.objects.filter(pk=waiting[0].pk).update(status="failed")  # one gave up already

    kavenegar.credit = None  # the account was topped up
    client.force_login(personas.owner)
    detail = reverse("messaging:broadcast_detail", args=[broadcast.pk])
    assert "ارسال دوبارهٔ ناموفق‌ها" in client.get(detail).content.decode()
    response = client.post(reverse("messaging:broadcast_retry", args=[broadcast.pk]), follow=True)
    assert "۵ پیام دوباره در صف ارسال قرار گرفت." in response.content.decode()
    run_worker()

    assert set(waiting.values_list("status", flat=True)) == {"sent"}
    assert kavenegar.count() == 5
    response = client.post(reverse("messaging:broadcast_retry", args=[broadcast.pk]), follow=True)
    assert "پیام ناموفق یا در انتظار تلاش دوباره‌ای در این ارسال نیست." in (
        response.content.decode()
    )


@worker_test
def test_cancelling_a_broadcast_stops_what_is_still_queued(client, personas, kavenegar):
    broadcast = _group_broadcast(personas, 3)
    services.expand_broadcast(broadcast)
    client.force_login(personas.owner)
    response = client.post(reverse("messaging:broadcast_cancel", args=[broadcast.pk]), follow=True)
    assert "۳ پیام در صف لغو شد" in response.content.decode()
    run_worker()

    assert set(Message.objects.values_list("status", flat=True)) == {"cancelled"}
    assert kavenegar.received == []
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.CANCELLED
    listing = client.get(reverse("messaging:broadcast_list")).content.decode()
    assert "لغو شده" in listing


@worker_test
def test_a_broadcast_cancelled_before_it_is_prepared_never_becomes_messages(
    client, personas, kavenegar
):
    broadcast = _group_broadcast(personas, 3)  # its expand task waits in the queue
    client.force_login(personas.owner)
    client.post(reverse("messaging:broadcast_cancel", args=[broadcast.pk]))
    run_worker()

    assert not Message.objects.exists()
    page = client.get(reverse("messaging:broadcast_detail", args=[broadcast.pk])).content.decode()
    assert "این ارسال پیش از آماده شدن پیام‌ها لغو شد." in page


def test_a_group_is_renamed_with_history_deleted_to_the_trash_and_restored(client, personas):
    group = ContactGroup.objects.create(owner=personas.owner, name="مشتریان پاییز")
    client.force_login(personas.owner)
    edit = reverse("messaging:group_edit", args=[group.pk])

    page = client.post(edit, {"name": "", "description": "x"}).content.decode()
    assert "این فیلد لازم است" in page or "این فیلد ضروری است" in page
    response = client.post(edit, {"name": "مشتریان زمستان", "description": "تخفیف زمستانه"})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "مشتریان زمستان"
    assert ChangeRecord.objects.filter(object_id=group.pk, action="changed").exists()

    client.post(reverse("messaging:group_delete", args=[group.pk]))
    assert not ContactGroup.objects.filter(pk=group.pk).exists()
    listing = client.get(reverse("messaging:group_list")).content.decode()  # the flash is read
    assert "مشتریان زمستان" not in client.get(reverse("messaging:group_list")).content.decode()
    assert "به سطل بازیافت رفت" in listing
    client.force_login(personas.manager)
    client.post(reverse("core:trash_restore", args=["messaging.contactgroup", group.pk]))
    assert ContactGroup.objects.filter(pk=group.pk).exists()
