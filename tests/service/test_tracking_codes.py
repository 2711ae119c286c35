"""Tracking codes of requests and complaints (issue 21, points 7 and 12): a code typed by
hand, or held by any record, on the series' path is stepped over by every automatic
registration — pages, API and portal — instead of failing them all; a code is never
wiped; typed codes hold only letters, digits and - / _."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.roles import MANAGER, SUPPORT
from peyvand.core.dates import format_date, jalali_today
from peyvand.core.sequences import ensure_sequence
from peyvand.lookups.models import Urgency
from peyvand.portal.models import PortalAccess
from peyvand.service import services
from peyvand.service.models import Complaint, Request, ServiceSettings
from tests.api.test_api import token_for
from tests.concurrency import at_once
from tests.factories import ContactFactory, UserFactory
from tests.portal.test_portal import MOBILE, sign_in

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def desk(client, db):
    support = UserFactory(username="helpdesk", role=SUPPORT)
    manager = UserFactory(username="chief", role=MANAGER)
    token = {"Authorization": f"Bearer {token_for(client, support.username)}"}
    return support, manager, token


def normal() -> Urgency:
    return Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]


def request_code(number: int) -> str:
    """The request series' code of ``number`` this year: «{سال}{شماره}», five digits."""
    return f"{jalali_today().year}{number:05d}"


def register_on_the_page(client, manager, **fields):
    data = {"description": "چاپگر کار نمی‌کند", "urgency": normal().pk, "assignee": manager.pk}
    return client.post(reverse("service:request_create"), data | fields)


def register_over_the_api(client, manager, token, **fields):
    data = {"description": "چاپگر کار نمی‌کند", "urgency_id": normal().pk}
    data |= {"assignee_id": manager.pk} | fields
    return client.post("/api/v1/requests", data, content_type=JSON, headers=token)


def test_typed_next_codes_leave_pages_api_and_portal_registering_with_distinct_codes(client, desk):
    support, manager, token = desk
    client.force_login(support)
    typed = register_on_the_page(client, manager, tracking_code=request_code(1))
    assert typed.status_code == 302
    # A second typed code further along the series' path, registered over the API.
    typed = register_over_the_api(client, manager, token, tracking_code=request_code(3))
    assert typed.status_code == 201
    for _ in range(3):
        assert register_on_the_page(client, manager).status_code == 302
    for _ in range(3):
        assert register_over_the_api(client, manager, token).status_code == 201
    customer = ContactFactory(owner=support, name="علی کریمی", phones=[MOBILE])
    PortalAccess.objects.create(contact=customer, enabled=True)
    ServiceSettings.objects.update_or_create(pk=1, defaults={"portal_assignee": manager})
    client.logout()
    sign_in(client)
    for number in range(2):
        answer = client.post(
            reverse("portal:request_new"),
            {"subject": f"درخواست {number}", "description": "چاپگر تازه را نصب کنید"},
        )
        assert answer.status_code == 302
    codes = list(Request.objects.order_by("pk").values_list("tracking_code", flat=True))
    assert len(codes) == len(set(codes)) == 10
    assert codes[:2] == [request_code(1), request_code(3)]
    assert sorted(codes[2:]) == [request_code(n) for n in (2, *range(4, 11))]


def test_the_series_steps_over_a_code_held_by_a_request_in_the_trash(client, desk):
    """Codes are unique across the trash: a deleted request can come back with its code."""
    support, manager, token = desk
    client.force_login(support)
    register_on_the_page(client, manager, tracking_code=request_code(1))
    services.request_delete(request=Request.objects.get(), by=support)
    again = register_on_the_page(client, manager, tracking_code=request_code(1))
    assert "این کد پیگیری برای درخواست دیگری ثبت شده است." in again.content.decode()
    assert register_over_the_api(client, manager, token).json()["tracking_code"] == request_code(2)


def test_an_edit_over_the_api_without_a_tracking_code_keeps_the_code(client, desk):
    """It wiped the code; the next request edited so then failed the unique constraint."""
    _support, manager, token = desk
    first, second = (register_over_the_api(client, manager, token).json() for _ in range(2))
    for item in (first, second):
        edit = client.put(
            f"/api/v1/requests/{item['id']}",
            {"description": "شرح تازه", "urgency_id": normal().pk, "assignee_id": manager.pk},
            content_type=JSON,
            headers=token,
        )
        assert edit.status_code == 200, edit.content
        assert edit.json()["tracking_code"] == item["tracking_code"]
    assert not Request.objects.filter(tracking_code="").exists()


def test_a_tracking_code_cleared_on_the_edit_page_is_kept(client, desk):
    support, manager, _token = desk
    client.force_login(support)
    register_on_the_page(client, manager)
    item = Request.objects.get()
    data = {"description": "شرح تازه", "urgency": normal().pk, "assignee": manager.pk}
    saved = client.post(
        reverse("service:request_edit", args=[item.pk]), data | {"tracking_code": "  "}
    )
    assert saved.status_code == 302
    item.refresh_from_db()
    assert item.tracking_code == request_code(1) and item.description == "شرح تازه"


@pytest.mark.parametrize("code", ["AB 12", "1404\t12", "کد!", "12.5", "R<12>"])
def test_a_tracking_code_with_other_characters_is_refused_in_persian(client, desk, code):
    support, manager, token = desk
    client.force_login(support)
    page = register_on_the_page(client, manager, subject="خرابی دستگاه", tracking_code=code)
    assert page.status_code == 200
    message = "کد فقط می‌تواند حرف، رقم و نشانه‌های - و / و _ داشته باشد"
    assert message in page.context["form"].errors["tracking_code"][0]
    assert page.context["form"]["subject"].value() == "خرابی دستگاه"  # kept
    api = register_over_the_api(client, manager, token, tracking_code=code)
    assert api.status_code == 422
    assert message in api.json()["errors"]["tracking_code"][0]["message"]
    assert not Request.objects.exists()


def test_a_tracking_code_loses_control_and_direction_override_characters(client, desk):
    """Every form drops them before validating (core.apps): what is left is the code."""
    support, manager, _token = desk
    client.force_login(support)
    assert register_on_the_page(client, manager, tracking_code="R\u202e1\x072").status_code == 302
    assert Request.objects.get().tracking_code == "R12"


def test_a_tracking_code_keeps_letters_digits_and_marks_with_persian_digits_made_latin(
    client, desk
):
    support, manager, _token = desk
    client.force_login(support)
    assert register_on_the_page(client, manager, tracking_code=" ۱۴۰۴-ب/۱۲_A ").status_code == 302
    assert Request.objects.get().tracking_code == "1404-ب/12_A"


def complaint_code(number: int) -> str:
    """The complaint series' code of ``number`` this year: «{سال}-{شماره}», four digits."""
    return f"{jalali_today().year}-{number:04d}"


def test_complaints_step_over_a_code_a_record_holds_on_the_pages_and_the_api(client, desk):
    """Complaints take no typed code, but a record may still hold one on the series' path
    (imported, restored from a backup, numbered under an earlier pattern): the next
    registrations step over it instead of failing, each and every one."""
    support, manager, token = desk
    customer = ContactFactory(owner=support, phones=["+989121234567"])
    held = services.complaint_register(
        complaint=Complaint(contact=customer, description="تأخیر", officer=manager), by=support
    )
    Complaint.all_objects.filter(pk=held.pk).update(tracking_code=complaint_code(2))
    client.force_login(support)
    data = {
        "contact": customer.pk,
        "date": format_date(timezone.localdate()),
        "source": "crm",
        "description": "کالا دیر رسید",
        "officer": manager.pk,
    }
    for _ in range(2):
        assert client.post(reverse("service:complaint_create"), data).status_code == 302
    body = {"contact_id": customer.pk, "description": "کالا دیر رسید", "officer_id": manager.pk}
    for _ in range(2):
        answer = client.post("/api/v1/complaints", body, content_type=JSON, headers=token)
        assert answer.status_code == 201, answer.content
    codes = list(Complaint.objects.order_by("pk").values_list("tracking_code", flat=True))
    assert codes == [complaint_code(n) for n in range(2, 7)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_past_typed_codes_get_distinct_codes(desk):
    support, manager, _token = desk
    urgency = normal()
    for number in (1, 2, 4, 7):
        typed = Request(
            description="ثبت دستی",
            urgency=urgency,
            assignee=manager,
            tracking_code=request_code(number),
        )
        services.request_register(request=typed, by=support)

    def register() -> str:
        item = Request(description="همزمان", urgency=urgency, assignee=manager)
        return services.request_register(request=item, by=support).tracking_code

    outcomes = at_once(*[register] * 20)
    assert all(isinstance(code, str) for code in outcomes), outcomes
    codes = set(Request.objects.values_list("tracking_code", flat=True))
    assert codes == {request_code(number) for number in range(1, 25)}


def test_a_typed_code_taken_after_the_form_checked_it_is_a_persian_error(desk):
    """The form checks a typed code when it is sent; a record that took it in between
    (another person's typed or automatic code) is refused by the service, in Persian."""
    support, manager, _token = desk
    first = Request(description="اولی", urgency=normal(), assignee=manager)
    services.request_register(request=first, by=support)
    late = Request(
        description="دومی", urgency=normal(), assignee=manager, tracking_code=first.tracking_code
    )
    with pytest.raises(ValidationError) as refused:
        services.request_register(request=late, by=support)
    assert "همین حالا به پرونده دیگری داده شد" in refused.value.message_dict["tracking_code"][0]
    assert Request.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_typed_next_code_and_an_automatic_registration_at_once_get_distinct_codes(desk):
    """The typed registration holds its transaction open while an automatic one starts:
    the automatic one waits for the series' lock, then steps over the typed code (before,
    it took the same code and failed the unique constraint: a 500)."""
    support, manager, _token = desk
    urgency = normal()
    # The series exists already (else the second thread would wait on its creation).
    ensure_sequence(services.REQUEST_SEQUENCE, "درخواست‌ها", pattern="{سال}{شماره}", padding=5)
    typed_saved, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def typed() -> None:
        try:
            with transaction.atomic():
                item = Request(
                    description="دستی", urgency=urgency, assignee=manager,
                    tracking_code=request_code(1),
                )  # fmt: skip
                services.request_register(request=item, by=support)
                typed_saved.set()
                release.wait(timeout=30)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def automatic() -> None:
        try:
            item = Request(description="خودکار", urgency=urgency, assignee=manager)
            services.request_register(request=item, by=support)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=typed)
    first.start()
    assert typed_saved.wait(timeout=30)
    second = threading.Thread(target=automatic)
    second.start()
    # The automatic registration is waiting on a lock held by the typed one's transaction.
    with connection.cursor() as cursor:
        for _attempt in range(300):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.05)
    release.set()
    first.join()
    second.join()
    assert errors == []
    codes = sorted(Request.objects.values_list("tracking_code", flat=True))
    assert codes == [request_code(1), request_code(2)]
