"""Reminders fire once, at their time, in-app and through the outbox."""

import datetime
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from peyvand.activities import reminders
from peyvand.activities.models import Notification, Reminder
from peyvand.core.workers import last_beat_age
from peyvand.messaging.models import Message
from tests.factories import ContactFactory, UserFactory
from tests.messaging.fixtures import worker_process

ROOT = Path(__file__).resolve().parents[2]


def test_a_due_reminder_fires_once_in_app_and_by_email_and_sms(personas):
    user = UserFactory(email="reza@example.com", mobile="+989121112233")
    contact = ContactFactory(owner=user)
    now = timezone.now()
    reminders.reminder_set(
        user=user,
        due_at=now - datetime.timedelta(seconds=1),
        title="تماس با مشتری\nدربارهٔ پیش‌فاکتور",
        target=contact,
        purpose="test",
        by_email=True,
        by_sms=True,
    )
    reminders.reminder_set(user=user, due_at=now + datetime.timedelta(hours=1), title="بعداً")

    assert reminders.fire_due(now) == 1
    assert reminders.fire_due(now) == 0  # once

    notification = Notification.objects.get(user=user)
    assert notification.title == "تماس با مشتری دربارهٔ پیش‌فاکتور"  # one line
    assert notification.url == contact.get_absolute_url()
    copies = {m.channel: m for m in Message.objects.all()}
    assert copies["email"].to == "reza@example.com"
    assert copies["email"].subject == "یادآوری: تماس با مشتری دربارهٔ پیش‌فاکتور"
    assert copies["sms"].to == "+989121112233"
    assert copies["sms"].owner == user


def test_moving_a_reminder_fires_it_again_and_an_unrelated_edit_does_not(personas):
    user = personas.owner
    contact = ContactFactory(owner=user)
    first = timezone.now() - datetime.timedelta(minutes=1)
    reminders.reminder_set(user=user, due_at=first, title="الف", target=contact, purpose="p")
    assert reminders.fire_due() == 1

    reminders.reminder_set(user=user, due_at=first, title="ب", target=contact, purpose="p")
    assert reminders.fire_due() == 0  # same time: already fired
    later = timezone.now() - datetime.timedelta(seconds=1)
    reminders.reminder_set(user=user, due_at=later, title="ج", target=contact, purpose="p")
    assert reminders.fire_due() == 1
    assert Reminder.objects.count() == 1  # one per record, user and purpose
    assert list(Notification.objects.values_list("title", flat=True)) == ["ج", "الف"]


def test_a_cleared_reminder_never_fires(personas):
    contact = ContactFactory(owner=personas.owner)
    soon = timezone.now() - datetime.timedelta(seconds=1)
    reminders.reminder_set(user=personas.owner, due_at=soon, title="x", target=contact, purpose="p")
    assert reminders.reminder_clear(target=contact, purpose="p") == 1
    assert reminders.fire_due() == 0


def test_a_copy_that_cannot_go_is_explained_in_the_notifications(personas):
    user = UserFactory(email="", mobile="+98912")  # a mobile the outbox refuses
    past = timezone.now() - datetime.timedelta(seconds=1)
    reminders.reminder_set(user=user, due_at=past, title="جلسه", by_sms=True)

    assert reminders.fire_due() == 1
    titles = set(Notification.objects.filter(user=user).values_list("title", flat=True))
    assert titles == {"جلسه", "یادآوری فرستاده نشد"}
    assert not Message.objects.exists()


def test_the_due_scan_is_one_query_on_the_pending_index(personas, is_postgres):
    if not is_postgres:
        pytest.skip("reads PostgreSQL's plan")
    with connection.cursor() as cursor:
        query, params = reminders.due_reminders().values("id").query.sql_with_params()
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"EXPLAIN {query}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "reminder_pending" in plan


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reminder_due_in_2_seconds_arrives_once_everywhere_with_two_workers(
    kavenegar, smtp_server, settings
):
    assert connection.vendor == "postgresql"
    user = UserFactory(email="sara@example.com", mobile="+989127778899")
    workers = [
        worker_process(
            kavenegar,
            "--beat-interval",
            "0.5",
            SMS_SENDER="10004346",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(settings.EMAIL_PORT),
        )
        for _ in range(2)
    ]
    try:
        # The reminder falls due 2 s after the workers run: how long they take to start
        # on a busy machine is not what «within 5 s of due» is about.
        deadline = time.monotonic() + 60
        while last_beat_age() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        due = timezone.now() + datetime.timedelta(seconds=2)
        reminders.reminder_set(
            user=user, due_at=due, title="جلسه با مشتری", by_email=True, by_sms=True
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if kavenegar.count() and smtp_server.messages:
                break
            time.sleep(0.2)
        fired_at = Reminder.objects.get().fired_at
        time.sleep(3)  # a few more beats of both workers: nothing fires again
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.communicate(timeout=20)

    assert fired_at is not None and fired_at - due < datetime.timedelta(seconds=5)
    assert Notification.objects.filter(user=user).count() == 1
    assert [item["to"] for item in kavenegar.received] == ["09127778899"]
    assert [rcpt for _from, rcpt, _msg in smtp_server.messages] == [["sara@example.com"]]
    assert smtp_server.messages[0][2]["Subject"] == "یادآوری: جلسه با مشتری"
