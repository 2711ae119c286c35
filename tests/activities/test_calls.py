"""The call log and the PBX webhook, as a PBX and the users use them."""

import io
from urllib.parse import urlencode

import openpyxl
import pytest
from django.urls import reverse

from peyvand.accounts.models import ApiToken
from peyvand.activities.models import Call, Notification, Task
from peyvand.core.background_exports import export_file
from peyvand.core.models import ExportJob
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

WEBHOOK = "/api/v1/pbx/calls"


@pytest.fixture
def pbx(client, personas):
    """The PBX's integration user is a manager's token; staff sit on extensions."""
    personas.owner.extension = "102"
    personas.owner.save()
    _token, key = ApiToken.issue(personas.manager)

    def report(token: str | None = key, **fields):
        url = WEBHOOK + (f"?{urlencode({'token': token})}" if token is not None else "")
        return client.post(url, fields)

    return report


def test_the_webhook_rejects_a_missing_or_wrong_token(pbx):
    for token in (None, "not-a-token"):
        response = pbx(token, event="ring", call_id="1700.1", number="09121234567")
        assert response.status_code == 401
        assert "احراز هویت" in response.json()["detail"]
    assert not Call.objects.exists()


def test_a_token_without_the_call_permission_is_refused(client, personas):
    personas.owner.groups.clear()
    _token, key = ApiToken.issue(personas.owner)
    response = client.post(
        f"{WEBHOOK}?token={key}", {"event": "ring", "call_id": "1", "number": "09121234567"}
    )
    assert response.status_code == 403


def test_a_ringing_call_with_persian_digits_pops_up_the_contact_card_for_its_extension(
    client, pbx, personas
):
    contact = ContactFactory(
        owner=personas.owner, name="علی کریمی", company="صنایع مهرگان", phones=["+989121234567"]
    )
    response = pbx(event="ring", call_id="1700.1", number="۰۹۱۲ ۱۲۳ ۴۵۶۷", extension="۱۰۲")
    assert response.status_code == 201
    call = Call.objects.get()
    assert (call.number, call.contact, call.owner, call.kind) == (
        "+989121234567",
        contact,
        personas.owner,
        "incoming",
    )
    assert response.json()["contact_id"] == contact.pk
    # The rep's next poll brings the pop-up, which opens the caller's card.
    client.force_login(personas.owner)
    fresh = client.get(reverse("activities:notification_poll")).json()["fresh"]
    assert fresh[0]["title"] == "تماس ورودی: علی کریمی"
    assert "صنایع مهرگان" in fresh[0]["body"]
    card = client.get(fresh[0]["url"], follow=True)
    html = card.content.decode()
    assert card.redirect_chain[-1][0] == call.get_absolute_url()
    assert 'id="caller-card"' in html and "علی کریمی" in html and "صنایع مهرگان" in html

    # The same report again (a PBX retry) changes nothing.
    assert (
        pbx(event="ring", call_id="1700.1", number="09121234567", extension="102").json()["created"]
        is False
    )
    assert Call.objects.count() == 1
    assert Notification.objects.filter(user=personas.owner).count() == 1


def test_an_unknown_caller_opens_a_new_contact_form_with_the_number_filled(client, pbx, personas):
    pbx(event="ring", call_id="1700.2", number="+98 21 8877 6655", extension="102")
    call = Call.objects.get()
    assert call.number == "+982188776655" and call.contact is None
    client.force_login(personas.owner)
    html = client.get(call.get_absolute_url()).content.decode()
    assert "این شماره در مخاطبین نیست." in html
    new_contact = reverse("contacts:create") + "?phone=%2B982188776655"
    assert new_contact in html
    form = client.get(new_contact).content.decode()
    assert 'value="۰۲۱ ۸۸۷۷ ۶۶۵۵"' in form  # in the reader's digits (core.digits)
    assert '<option value="landline" selected>' in form


def test_a_missed_call_becomes_one_call_back_task_for_the_user(client, pbx, personas):
    contact = ContactFactory(owner=personas.owner, name="مریم احمدی", phones=["+989351112233"])
    pbx(event="ring", call_id="1700.3", number="09351112233", extension="102")
    for _attempt in range(2):  # the end reported twice
        response = pbx(
            event="end", call_id="1700.3", number="09351112233", extension="102",
            duration="۰", disposition="NO ANSWER",
        )  # fmt: skip
        assert response.status_code == 200
    call = Call.objects.get()
    assert call.kind == "missed" and call.ended_at is not None
    task = Task.objects.get()
    assert (task.assignee, task.related, task.status) == (personas.owner, contact, "open")
    # Stored in Latin digits like everything else; read in Persian, the number isolated
    # left to right so its groups keep the order they are dialled in.
    assert task.description == "تماس بی‌پاسخ از مریم احمدی؛ با 0935 111 2233 تماس بگیرید."
    assert call.callback_task == task
    client.force_login(personas.owner)
    home = client.get(reverse("core:home")).content.decode()
    assert "تماس بی‌پاسخ از مریم احمدی؛ با \u2066۰۹۳۵ ۱۱۱ ۲۲۳۳\u2069 تماس بگیرید." in home


def test_an_answered_call_reported_only_at_its_end_is_logged_with_its_duration(pbx, personas):
    response = pbx(
        event="end", call_id="1700.4", number="9121234567", extension="102",
        direction="in", duration="185", disposition="ANSWERED",
    )  # fmt: skip
    assert response.status_code == 201
    call = Call.objects.get()
    assert (call.kind, call.duration, call.callback_task) == ("incoming", 185, None)
    assert not Task.objects.exists()


def test_bad_reports_are_explained_in_persian(pbx):
    assert pbx(event="hangup", call_id="1", number="0912").json()["detail"] == (
        "event باید ring یا end باشد."
    )
    assert "call_id" in pbx(event="ring", call_id="", number="09121234567").json()["detail"]
    assert "number" in pbx(event="ring", call_id="1", number="ناشناس").json()["detail"]
    assert pbx(event="end", call_id="1", number="0912", duration="یک").status_code == 422
    assert not Call.objects.exists()


def test_a_call_on_an_unknown_extension_belongs_to_the_integration_user(pbx, personas):
    pbx(event="ring", call_id="1700.5", number="09121234567", extension="999")
    assert Call.objects.get().owner == personas.manager


def test_a_user_logs_a_call_by_hand_and_the_contact_is_found_by_its_number(client, personas):
    contact = ContactFactory(owner=personas.owner, name="رضا نوری", phones=["+989121110000"])
    client.force_login(personas.owner)
    response = client.post(
        reverse("activities:call_create"),
        {
            "kind": "outgoing",
            "number": "۰۹۱۲-۱۱۱-۰۰۰۰",
            "started_at": "۱۴۰۵/۰۹/۰۲ ۱۰:۱۵",
            "duration_minutes": "۴",
            "notes": "قیمت را پرسید",
        },
    )
    assert response.status_code == 302
    call = Call.objects.get()
    assert (call.contact, call.duration, call.number) == (contact, 240, "+989121110000")
    listing = client.get(reverse("activities:call_list"), {"q": "09121110000"}).content.decode()
    assert "رضا نوری" in listing and "۴:۰۰" in listing
    response = client.post(
        reverse("activities:call_create"), {"kind": "outgoing", "number": "", "notes": "x"}
    )
    assert "این فیلد لازم است." in response.content.decode()
    assert "x</textarea>" in response.content.decode()  # the notes typed stay
    assert Call.objects.count() == 1


def test_a_rep_sees_the_number_of_a_call_but_not_another_teams_contact_behind_it(client, personas):
    """Logging a call must not tell a rep who owns a number: the list, the exports, the
    call's edit page and the contact column show the number alone."""
    ContactFactory(owner=personas.outsider, name="مهرداد پنهان", phones=["+989121234567"])
    client.force_login(personas.owner)
    response = client.post(
        reverse("activities:call_create"),
        {"kind": "outgoing", "number": "09121234567", "started_at": "۱۴۰۵/۰۹/۰۲ ۱۰:۱۵"},
    )
    assert response.status_code == 302
    call = Call.objects.get()
    assert call.contact is not None  # matched, as the caller's own page shows it to those who may

    listing = client.get(reverse("activities:call_list")).content.decode()
    assert "۰۹۱۲ ۱۲۳ ۴۵۶۷" in listing and "مهرداد پنهان" not in listing
    edit = client.get(reverse("activities:call_edit", args=[call.pk])).content.decode()
    assert "مهرداد پنهان" not in edit
    for file_format in ("csv", "xlsx"):
        export = client.get(reverse("core:list_export", args=["calls", file_format]))
        content = b"".join(export.streaming_content)
        text = content.decode("utf-8-sig") if file_format == "csv" else _sheet_text(content)
        assert "+989121234567" in text and "مهرداد پنهان" not in text, file_format
    # The background export writes the same rows.
    client.post(reverse("core:export_start", args=["calls"]), {"params": ""})
    job = ExportJob.objects.get()
    export_file.call(job.pk)
    download = client.get(reverse("core:export_download", args=[job.pk]))
    assert "مهرداد پنهان" not in _sheet_text(b"".join(download.streaming_content))

    # Whoever may see the contact still reads its name.
    client.force_login(personas.manager)
    everyone = client.get(reverse("activities:call_list"), {"user": "all"}).content.decode()
    assert "مهرداد پنهان" in everyone
    export = client.get(reverse("core:list_export", args=["calls", "csv"]), {"user": "all"})
    assert "مهرداد پنهان" in b"".join(export.streaming_content).decode("utf-8-sig")


def test_a_missed_call_from_another_teams_contact_names_only_the_number(client, pbx, personas):
    contact = ContactFactory(
        owner=personas.outsider, name="مهرداد پنهان", company="شرکت پنهان", phones=["+989351112233"]
    )
    pbx(event="ring", call_id="1700.9", number="09351112233", extension="102")
    pbx(event="end", call_id="1700.9", number="09351112233", extension="102", duration="0")
    call = Call.objects.get()
    assert call.contact == contact and call.kind == "missed"
    task = Task.objects.get()
    assert task.description == "تماس بی‌پاسخ از 0935 111 2233؛ با 0935 111 2233 تماس بگیرید."
    assert task.related == call  # not the contact the rep may not open
    client.force_login(personas.owner)
    fresh = client.get(reverse("activities:notification_poll")).json()["fresh"]
    assert fresh[0]["title"] == "تماس ورودی از \u2066۰۹۳۵ ۱۱۱ ۲۲۳۳\u2069"
    assert "پنهان" not in fresh[0]["body"]
    for url in (reverse("core:home"), task.get_absolute_url(), reverse("activities:task_list")):
        assert "پنهان" not in client.get(url).content.decode(), url


def test_a_task_page_names_what_it_is_about_only_to_those_who_may_see_it(client, personas):
    contact = ContactFactory(owner=personas.owner, name="مهرداد پنهان")
    client.force_login(personas.owner)
    client.post(
        reverse("activities:task_create") + f"?contact={contact.pk}",
        {"description": "پیگیری", "date": "۱۴۰۵/۰۹/۰۲", "assignee": personas.owner.pk},
    )
    task = Task.objects.get()
    assert task.related == contact
    assert "مهرداد پنهان" in client.get(task.get_absolute_url()).content.decode()
    contact.owner = personas.outsider  # the contact moves to another team
    contact.save()
    assert "مهرداد پنهان" not in client.get(task.get_absolute_url()).content.decode()


def _sheet_text(content: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return " ".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row)
