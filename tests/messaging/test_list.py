"""The message list on core.lists (messaging.lists.MESSAGES): part of a number in any
digits, an email address, a contact's name, a subject or a text — never a secret text —
whole Tehran days, the old addresses (``since``/``until``, a broadcast's ``broadcast``)
still working, no filter widening what a user sees, the retry button, and the same rows
on the page, in the API and in the export."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.messaging.lists import MESSAGES
from peyvand.messaging.models import Broadcast, Message
from tests.api.test_api import auth  # noqa: F401 - a fixture
from tests.factories import ContactFactory
from tests.lists import query

TODAY = timezone.localdate()
CODE = "482913"  # a portal sign-in code: for its recipient alone


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment of a Tehran day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def outbox(personas):
    """The owner's messages (an SMS to their customer, an email, a failed SMS of a
    broadcast, a secret sign-in code still queued with its text), a teammate's SMS, and
    another team's SMS to its own customer, which the owner never sees."""
    nour = ContactFactory(owner=personas.owner, name="فروشگاه نور", phones=["+989121234567"])
    theirs = ContactFactory(
        owner=personas.outsider, name="بازرگانی پنهان", phones=["+989359998877"]
    )
    yalda = Broadcast.objects.create(
        owner=personas.owner, channel="sms", title="یلدا ۱۴۰۵", target="list", body="یلدا مبارک"
    )
    hidden_broadcast = Broadcast.objects.create(
        owner=personas.outsider, channel="sms", title="حراج پنهان", target="list", body="حراج"
    )

    def message(key, owner, to, body, channel="sms", when=None, **extra):
        return key, Message.objects.create(
            owner=owner, channel=channel, to=to, body=body, created_at=when or at(TODAY),
            scheduled_at=when or at(TODAY), **extra,
        )  # fmt: skip

    return dict(
        [
            message(
                "nour",
                personas.owner,
                "+989121234567",
                "فاکتور شما صادر شد",
                contact=nour,
                backend="console",
                status="delivered",
            ),
            message(
                "email",
                personas.owner,
                "ali@example.com",
                "پیش‌فاکتور پیوست است",
                channel="email",
                subject="پیش فاکتور اسفند",
                when=at(days(-40)),
                backend="smtp",
                status="sent",
            ),
            message(
                "failed",
                personas.owner,
                "+989127776655",
                "یلدا مبارک",
                broadcast=yalda,
                status="failed",
                last_error="اعتبار کافی نیست",
                when=at(days(-1)),
            ),
            message(
                "secret",
                personas.owner,
                "+989121234567",
                f"کد ورود شما: {CODE}",
                contact=nour,
                secret_label="کد ورود پرتال",
                immediate=True,
            ),
            message("teammate", personas.teammate, "+989121234567", "سلام", contact=nour),
            message(
                "foreign",
                personas.outsider,
                "+989359998877",
                "حراج",
                contact=theirs,
                broadcast=hidden_broadcast,
            ),
        ]
    ) | {"nour_contact": nour, "their_contact": theirs, "yalda": yalda, "hidden": hidden_broadcast}


def keys(outbox, reader, /, **params) -> set[str]:
    found = set(MESSAGES.rows(reader, query(**params)).values_list("pk", flat=True))
    return {key for key, m in outbox.items() if isinstance(m, Message) and m.pk in found}


def persian(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def test_the_list_is_what_the_user_may_see(personas, outbox):
    mine = {"nour", "email", "failed", "secret", "teammate"}
    assert keys(outbox, personas.owner) == mine
    assert keys(outbox, personas.outsider) == {"foreign"}
    assert keys(outbox, personas.manager) == mine | {"foreign"}


def test_a_number_is_found_by_part_in_persian_or_latin_digits(personas, outbox):
    owner = personas.owner
    for typed in ("۹۱۲۷۷۷", "۰۹۱۲۷۷۷", "09127776655", "+98 912 777", "۰۰۹۸۹۱۲۷۷۷"):
        assert keys(outbox, owner, q=typed) == {"failed"}, typed
    # The customer's number: the messages to it and those to the customer by name.
    assert keys(outbox, owner, q=persian("09121234")) == {"nour", "secret", "teammate"}


def test_an_address_a_contact_a_subject_and_a_text_are_found(personas, outbox):
    owner = personas.owner
    assert keys(outbox, owner, q="ALI@example") == {"email"}
    assert keys(outbox, owner, q="فروشگاه نور") == {"nour", "secret", "teammate"}
    # Any spelling: a space for the zero-width non-joiner, Arabic kaf.
    assert keys(outbox, owner, q="پیش فاكتور") == {"email"}
    assert keys(outbox, owner, q="صادر شد") == {"nour"}


def test_a_secret_text_is_never_searched_nor_shown(client, personas, outbox):
    """Queued, its text is still in the row (the worker sends it): no search finds it
    by it, no page shows it; its placeholder and its recipient are listed."""
    owner = personas.owner
    assert Message.objects.get(pk=outbox["secret"].pk).body.endswith(CODE)
    for typed in (CODE, persian(CODE), "کد ورود شما"):
        assert keys(outbox, owner, q=typed) == set(), typed
        assert keys(outbox, personas.manager, q=typed) == set(), typed
    client.force_login(owner)
    page = client.get(reverse("messaging:list")).content.decode()
    assert "کد ورود پرتال — متن محرمانه است" in page
    assert CODE not in page and persian(CODE) not in page
    # Found by its recipient, the row says so — never by its text.
    found = client.get(reverse("messaging:list"), {"q": "۰۹۱۲۱۲۳۴"}).content.decode()
    assert "شماره یا نشانی: <bdi" in found and CODE not in found and persian(CODE) not in found


def test_status_channel_backend_sender_contact_and_broadcast(personas, outbox):
    owner = personas.owner
    assert keys(outbox, owner, status=["failed", "sent"]) == {"email", "failed"}
    assert keys(outbox, owner, status="failed") == {"failed"}  # the old single value
    assert keys(outbox, owner, status="nonsense") == keys(outbox, owner)
    assert keys(outbox, owner, channel="email") == {"email"}
    assert keys(outbox, owner, backend="smtp") == {"email"}
    assert keys(outbox, owner, owner=str(personas.teammate.pk)) == {"teammate"}
    assert keys(outbox, owner, owner="me") == {"nour", "email", "failed", "secret"}
    assert keys(outbox, owner, contact=str(outbox["nour_contact"].pk)) == {
        "nour",
        "secret",
        "teammate",
    }
    assert keys(outbox, owner, broadcast=str(outbox["yalda"].pk)) == {"failed"}


def test_the_registration_time_is_a_whole_tehran_day(personas, outbox):
    """01:00 in Tehran is the evening before in UTC: the old filter (a UTC date) put
    such a message on the wrong day."""
    owner = personas.owner
    early = Message.objects.create(
        owner=owner, channel="sms", to="+989120000001", body="زود", created_at=at(days(-3), 1)
    )
    late = Message.objects.create(
        owner=owner, channel="sms", to="+989120000002", body="دیر", created_at=at(days(-3), 23, 59)
    )
    day = days(-3).isoformat()
    rows = set(
        MESSAGES.rows(owner, query(created_from=day, created_to=day)).values_list("pk", flat=True)
    )
    assert rows == {early.pk, late.pk}
    assert keys(outbox, owner, created_period="today") == {"nour", "secret", "teammate"}
    assert keys(outbox, owner, created_period="yesterday") == {"failed"}
    assert keys(outbox, owner, created_to=days(-30).isoformat()) == {"email"}
    reading = MESSAGES.read(query(created_from="1405/13/40"), owner)
    assert reading.warnings and "تاریخ درستی نیست" in reading.warnings[0]


def test_old_addresses_keep_working(client, personas, outbox):
    """A bookmark of the old page (Jalali ``since``/``until``) and the broadcast page's
    links (``broadcast`` and ``status``) give what they gave."""
    owner = personas.owner
    from peyvand.core.dates import format_date

    jalali = format_date(days(-1), "jalali", "latin", "short")
    assert keys(outbox, owner, since=jalali, until=jalali) == {"failed"}
    assert keys(outbox, owner, since=days(-1).isoformat()) == keys(outbox, owner) - {"email"}
    # The new names win over the old when both are given.
    assert keys(outbox, owner, since=jalali, created_period="today") == {
        "nour",
        "secret",
        "teammate",
    }
    client.force_login(owner)
    page = client.get(
        reverse("messaging:list"), {"broadcast": outbox["yalda"].pk, "status": "failed"}
    )
    assert [m.pk for m in page.context["page"].items] == [outbox["failed"].pk]
    html = page.content.decode()
    assert "ارسال گروهی: یلدا ۱۴۰۵" in html and "وضعیت: ناموفق" in html


def test_no_filter_widens_what_a_user_sees(client, personas, outbox):
    """Another team's sender, contact or broadcast narrows the owner's list to nothing;
    the broadcast is not named to them."""
    owner = personas.owner
    assert keys(outbox, owner, owner=str(personas.outsider.pk)) == set()
    assert keys(outbox, owner, contact=str(outbox["their_contact"].pk)) == set()
    assert keys(outbox, owner, broadcast=str(outbox["hidden"].pk)) == set()
    assert keys(outbox, owner, q="بازرگانی پنهان") == set()
    client.force_login(owner)
    html = client.get(reverse("messaging:list"), {"broadcast": outbox["hidden"].pk}).content
    assert "حراج پنهان" not in html.decode() and "ارسال گروهی: نامعلوم" in html.decode()


def test_the_sender_retries_a_failed_message_from_the_list(client, personas, outbox):
    client.force_login(personas.owner)
    url = reverse("messaging:list")
    page = client.get(url, {"status": "failed"}).content.decode()
    retry = reverse("messaging:retry", args=[outbox["failed"].pk])
    assert f'formaction="{retry}"' in page and 'id="message-retry"' in page
    answer = client.post(retry, {"next": f"{url}?status=failed"})
    assert answer.status_code == 302 and answer["Location"] == f"{url}?status=failed"
    assert Message.objects.get(pk=outbox["failed"].pk).status == "queued"


def test_who_may_not_send_sees_no_retry_button(client, personas, outbox):
    owner = personas.owner
    for group in owner.groups.all():
        group.permissions.remove(*group.permissions.filter(codename="send_message"))
    owner.user_permissions.remove(*owner.user_permissions.filter(codename="send_message"))
    client.force_login(owner)
    page = client.get(reverse("messaging:list"), {"status": "failed"}).content.decode()
    assert "اعتبار کافی نیست" in page and "formaction" not in page


def test_sorted_oldest_first_too(personas, outbox):
    rows = list(MESSAGES.rows(personas.owner, query(sort="-created")))
    assert rows[0].pk == outbox["email"].pk
    rows = list(MESSAGES.rows(personas.owner, query()))
    assert rows[-1].pk == outbox["email"].pk


def test_the_page_the_api_and_the_export_give_the_same_rows(client, personas, outbox, auth):  # noqa: F811
    params = {
        "q": "۰۹۱۲",
        "status": ["delivered", "queued", "failed"],
        "created_period": "this_month",
    }
    client.force_login(personas.owner)
    page = client.get(reverse("messaging:list"), params)
    shown = [m.pk for m in page.context["page"].items]
    expected = [m.pk for m in MESSAGES.rows(personas.owner, query(**params))]
    assert shown == expected and outbox["foreign"].pk not in shown and shown
    answer = client.get("/api/v1/messages", params, headers=auth("owner")).json()
    assert [item["id"] for item in answer["items"]] == shown
    # The old API names still read: ISO since/until, an empty status (no filter).
    old = client.get(
        "/api/v1/messages", {"since": TODAY.isoformat(), "status": ""}, headers=auth("owner")
    )
    assert {item["id"] for item in old.json()["items"]} == {
        outbox[key].pk for key in ("nour", "secret", "teammate")
    }
    export = client.get(reverse("core:list_export", args=["messages", "csv"]), params)
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + len(shown)
    assert CODE not in str(rows) and "کد ورود پرتال — متن محرمانه است" in str(rows)
