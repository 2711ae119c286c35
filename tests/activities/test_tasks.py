"""Tasks and the bell, through HTTP, as the users use them."""

import datetime

import jdatetime
from django.urls import reverse
from django.utils import timezone

from peyvand.activities import reminders
from peyvand.activities.models import Notification, Reminder, Task
from peyvand.core.text import to_persian_digits
from peyvand.lookups.models import Urgency
from tests.factories import ContactFactory


def jalali(value: datetime.date) -> str:
    return to_persian_digits(jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d"))


def test_a_manager_assigns_a_task_the_rep_is_reminded_marks_it_done_and_the_manager_sees_it(
    client, personas
):
    personas.owner.email, personas.owner.mobile = "rep@example.com", "+989121234567"
    personas.owner.save()
    client.force_login(personas.manager)
    remind = timezone.localtime() + datetime.timedelta(minutes=1)
    response = client.post(
        reverse("activities:task_create"),
        {
            "description": "پیش‌فاکتور شرکت مهرگان را بفرستید",
            "date": jalali(timezone.localdate()),
            "assignee": personas.owner.pk,
            "urgency": Urgency.objects.get_or_create(name="فوری")[0].pk,
            "remind_at": to_persian_digits(
                jdatetime.datetime.fromgregorian(datetime=remind).strftime("%Y/%m/%d %H:%M")
            ),
            "remind_by_email": "on",
            "remind_by_sms": "on",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.owner, task.assignee) == (personas.manager, personas.owner)
    reminder = Reminder.objects.get()
    assert (reminder.user, reminder.by_email, reminder.by_sms) == (personas.owner, True, True)

    # The rep: told of the new task now, reminded at its time.
    client.force_login(personas.owner)
    poll = client.get(reverse("activities:notification_poll")).json()
    assert poll["unseen"] == 1
    assert poll["fresh"][0]["title"].startswith("وظیفه تازه از")
    assert reminders.fire_due(reminder.due_at) == 1
    poll = client.get(reverse("activities:notification_poll"), {"after": poll["fresh"][0]["id"]})
    assert [item["title"] for item in poll.json()["fresh"]] == [
        "وظیفه: پیش‌فاکتور شرکت مهرگان را بفرستید"
    ]
    home = client.get(reverse("core:home")).content.decode()
    assert "پیش‌فاکتور شرکت مهرگان را بفرستید" in home
    assert "فوری" in home

    client.post(reverse("activities:task_done", args=[task.pk]))
    task.refresh_from_db()
    assert task.status == Task.Status.DONE

    client.force_login(personas.manager)
    poll = client.get(reverse("activities:notification_poll")).json()
    assert poll["fresh"][0]["title"].endswith("وظیفه را انجام داد")
    listing = client.get(
        reverse("activities:task_list"), {"assignee": "all", "owner": "me", "status": "done"}
    )
    page = listing.content.decode()
    assert "پیش‌فاکتور شرکت مهرگان" in page
    assert f"انجام شده {jalali(timezone.localdate())}" in page


def test_without_the_permission_a_user_only_keeps_their_own_tasks(client, personas):
    client.force_login(personas.owner)  # a sales rep: no "assign to others"
    form = client.get(reverse("activities:task_create")).content.decode()
    assert personas.teammate.get_full_name() not in form
    response = client.post(
        reverse("activities:task_create"),
        {
            "description": "کار همکار",
            "date": jalali(timezone.localdate()),
            "assignee": personas.teammate.pk,
        },
    )
    assert response.status_code == 200
    assert "کار همکار" in response.content.decode()  # what was typed stays
    assert not Task.objects.exists()


def test_reminder_by_sms_needs_a_time_and_a_mobile(client, personas):
    client.force_login(personas.owner)
    page = client.post(
        reverse("activities:task_create"),
        {
            "description": "تماس",
            "date": jalali(timezone.localdate()),
            "assignee": personas.owner.pk,
            "remind_by_sms": "on",
        },
    ).content.decode()
    assert "برای یادآوری با ایمیل یا پیامک، زمان یادآوری را بنویسید." in page
    assert "تلفن همراهی ثبت نشده است" in page


def test_filters_mine_overdue_and_done(client, personas):
    today = timezone.localdate()
    Task.objects.create(
        owner=personas.owner,
        assignee=personas.owner,
        description="دیروزی",
        date=today - datetime.timedelta(days=1),
    )
    Task.objects.create(owner=personas.owner, assignee=personas.owner, description="امروزی")
    Task.objects.create(owner=personas.manager, assignee=personas.teammate, description="مال همکار")
    Task.objects.create(
        owner=personas.owner, assignee=personas.owner, description="تمام‌شده", status="done",
        done_at=timezone.now(),
    )  # fmt: skip
    client.force_login(personas.owner)

    def shown(**params) -> set[str]:
        page = client.get(reverse("activities:task_list"), params, follow=True).content.decode()
        return {d for d in ("دیروزی", "امروزی", "مال همکار", "تمام‌شده") if d in page}

    assert shown() == {"دیروزی", "امروزی"}
    assert shown(overdue="yes") == {"دیروزی"}
    assert shown(assignee="all", team="mine") == {"دیروزی", "امروزی", "مال همکار"}
    assert shown(status="done") == {"تمام‌شده"}
    # The old tabs' addresses lead to the same lists.
    assert shown(overdue="on") == {"دیروزی"}
    assert shown(scope="team") == {"دیروزی", "امروزی", "مال همکار"}
    assert "عقب‌افتاده" in client.get(reverse("activities:task_list")).content.decode()


def test_a_task_from_a_contact_page_is_linked_to_it(client, personas):
    contact = ContactFactory(owner=personas.owner, name="نگار امینی")
    client.force_login(personas.owner)
    url = reverse("activities:task_create") + f"?contact={contact.pk}"
    assert "نگار امینی" in client.get(url).content.decode()
    client.post(
        url,
        {
            "description": "ارسال کاتالوگ",
            "date": jalali(timezone.localdate()),
            "assignee": personas.owner.pk,
        },
    )
    assert Task.objects.get().related == contact


def test_notifications_open_to_their_record_and_are_one_users_own(client, personas):
    mine = reminders.notify(user=personas.owner, title="سلام", url="/contacts/")
    theirs = reminders.notify(user=personas.teammate, title="خصوصی")
    client.force_login(personas.owner)

    assert client.get(reverse("activities:notification_open", args=[theirs.pk])).status_code == 404
    response = client.get(mine.get_absolute_url())
    assert response.url == "/contacts/"
    mine.refresh_from_db()
    assert mine.seen_at is not None
    assert client.get(reverse("activities:notification_poll")).json()["unseen"] == 0
    reminders.notify(user=personas.owner, title="دومی", url="https://evil.example/")
    client.post(reverse("activities:notifications_seen"))
    assert not Notification.objects.filter(user=personas.owner, seen_at__isnull=True).exists()
    other = reminders.notify(user=personas.owner, title="سومی", url="https://evil.example/")
    assert client.get(other.get_absolute_url()).url == reverse("activities:notification_list")


def test_the_bell_polls_every_15_seconds_not_every_15_milliseconds(client, personas):
    """The interval is written for a script's parseInt: a localised "15,000" reads as 15."""
    client.force_login(personas.owner)
    page = client.get("/").content.decode()
    assert 'data-poll-ms="15000"' in page
