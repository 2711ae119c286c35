"""Complaints: registered with a tracking code, followed up like leads by the control
officer, closed with a final result, tracked by the customer, seen only by its people."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.roles import MANAGER, SALES, SUPPORT
from peyvand.activities.models import Notification
from peyvand.core.dates import format_date
from peyvand.lookups.models import FollowUpResult
from peyvand.sales.models import FollowUp, Product
from peyvand.sales.selectors import due_followups
from peyvand.service import services
from peyvand.service.models import Complaint
from tests.factories import ContactFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(db):
    support = UserFactory(username="helpdesk", role=SUPPORT)
    officer = UserFactory(username="quality", role=SUPPORT)
    manager = UserFactory(username="chief", role=MANAGER)
    return support, officer, manager


def result(name: str = "پیگیری") -> FollowUpResult:
    return FollowUpResult.objects.get_or_create(name=name, defaults={"priority": 2})[0]


def register(by, officer, **fields) -> Complaint:
    values = {"description": "کالا دیر رسید و بسته‌بندی آسیب دیده بود"} | fields
    if "contact" not in values:
        values["contact"] = ContactFactory(owner=by, phones=["+989121234567"])
    complaint = Complaint(officer=officer, **values)
    return services.complaint_register(complaint=complaint, by=by)


def test_a_complaint_is_registered_followed_up_and_closed_through_its_pages(client, desk):
    support, officer, _manager = desk
    customer = ContactFactory(owner=support, name="فروشگاه آریا", phones=["+989121234567"])
    product = Product.objects.create(code="P1", name="یخچال", price=1000)
    client.force_login(support)
    form = client.get(reverse("service:complaint_create"), {"contact": customer.pk})
    assert form.context["form"]["contact"].value() == customer.pk
    data = {
        "contact": customer.pk,
        "date": format_date(timezone.localdate()),
        "source": "after_sales",
        "description": "  ",
        "product": product.pk,
        "officer": officer.pk,
    }
    refused = client.post(reverse("service:complaint_create"), data)
    assert "شرح شکایت مشتری را بنویسید." in refused.content.decode()
    assert refused.context["form"]["product"].value() == str(product.pk)  # kept
    data["description"] = "كالا دير رسيد"  # Arabic letters, stored Persian
    saved = client.post(reverse("service:complaint_create"), data)
    complaint = Complaint.objects.get()
    assert saved.url == complaint.get_absolute_url()
    assert complaint.description == "کالا دیر رسید" and complaint.owner == support
    assert re.fullmatch(r"\d{4}-\d{4}", complaint.tracking_code)
    assert Notification.objects.filter(user=officer, url=complaint.get_absolute_url()).exists()

    # The officer logs a follow-up with a next date: it is theirs to chase.
    client.force_login(officer)
    page = client.get(complaint.get_absolute_url()).content.decode()
    entry = reverse("service:complaint_followup_create", args=[complaint.pk])
    assert f'data-entry-slot="{entry}"' in page
    row = client.get(entry).content.decode()
    assert 'name="next_date"' in row and 'name="referred_to"' not in row
    followup_data = {
        "result": result().pk,
        "at": f"{format_date(timezone.localdate() - datetime.timedelta(days=2))} 09:00",
        "description": "با مشتری تماس گرفتیم؛ کالای جایگزین فرستاده می‌شود",
        "next_date": format_date(timezone.localdate()),
    }
    saved = client.post(entry, followup_data, HTTP_HX_REQUEST="true").content.decode()
    assert "پیگیری ثبت شد." in saved and "کالای جایگزین" in saved
    followup = FollowUp.objects.get()
    assert followup.complaint == complaint and followup.next_by == officer
    assert list(due_followups(officer)) == [followup]
    assert complaint.get_absolute_url() in client.get(reverse("core:home")).content.decode()
    due = client.get(reverse("sales:followup_due")).content.decode()
    assert complaint.get_absolute_url() in due

    # Closing needs the final result; then nothing more is logged or edited.
    close = reverse("service:complaint_close", args=[complaint.pk])
    client.post(close, {"result": " "})
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.FOLLOWING
    client.post(close, {"result": "کالای سالم تحویل شد؛ مشتری راضی است"})
    complaint.refresh_from_db()
    followup.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED and complaint.closed_at
    assert followup.settled_at is not None
    again = client.post(entry, followup_data, HTTP_HX_REQUEST="true").content.decode()
    assert "این شکایت بسته شده است" in again
    edit = client.get(reverse("service:complaint_edit", args=[complaint.pk]), follow=True)
    assert "این شکایت بسته شده است" in edit.content.decode()
    client.post(reverse("service:complaint_reopen", args=[complaint.pk]))
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.FOLLOWING and complaint.closed_at is None


def test_each_forbidden_step_is_refused_in_persian(desk):
    support, officer, _manager = desk
    stranger = UserFactory(role=SUPPORT)
    complaint = register(support, officer)

    def refusal(step) -> str:
        with pytest.raises(ValidationError) as refused:
            step()
        return refused.value.messages[0]

    assert "نتیجه نهایی" in refusal(
        lambda: services.complaint_close(complaint=complaint, by=officer, result="")
    )
    assert "فقط ثبت‌کننده یا مسئول کنترل" in refusal(
        lambda: services.complaint_close(complaint=complaint, by=stranger, result="حل شد")
    )
    assert "این شکایت باز است" in refusal(
        lambda: services.complaint_reopen(complaint=complaint, by=officer)
    )
    FollowUp.objects.create(complaint=complaint, owner=officer, result=result())
    worked = refusal(lambda: services.complaint_delete(complaint=complaint, by=support))
    assert "به‌جای حذف" in worked
    services.complaint_close(complaint=complaint, by=officer, result="حل شد")
    assert "پیش‌تر بسته شده" in refusal(
        lambda: services.complaint_close(complaint=complaint, by=officer, result="دوباره")
    )


def test_a_complaint_is_seen_by_its_registrar_officer_and_managers_only(client, desk):
    support, officer, manager = desk
    accused = UserFactory(username="rep", role=SALES)
    colleague = UserFactory(role=SUPPORT)
    TeamFactory().members.add(support, officer, colleague, accused)
    complaint = register(support, officer, staff=accused)
    FollowUp.objects.create(complaint=complaint, owner=officer, result=result(), description="x")
    for user, expected in ((support, 200), (officer, 200), (manager, 200)):
        client.force_login(user)
        assert client.get(complaint.get_absolute_url()).status_code == expected
    for user in (accused, colleague):  # same team, still not theirs
        client.force_login(user)
        assert client.get(complaint.get_absolute_url()).status_code in (403, 404)
        assert not Complaint.objects.visible_to(user).exists()
        assert not FollowUp.objects.visible_to(user).exists()
        listed = client.get(reverse("service:complaint_list"), {"view": "all"})
        assert listed.status_code == 403 or complaint.tracking_code not in listed.content.decode()


def test_the_customer_tracks_a_complaint_and_a_wrong_mobile_shows_nothing(client, desk):
    support, officer, _manager = desk
    complaint = register(support, officer)
    services.complaint_close(complaint=complaint, by=officer, result="مبلغ به حساب برگشت")
    url = reverse("service:track")
    code = "".join("۰۱۲۳۴۵۶۷۸۹"[int(c)] if c.isdigit() else c for c in complaint.tracking_code)
    page = client.post(url, {"code": code, "mobile": "۰۹۱۲ ۱۲۳ ۴۵۶۷"}).content.decode()
    assert "بسته شده" in page and "مبلغ به حساب برگشت" in page
    wrong = client.post(url, {"code": complaint.tracking_code, "mobile": "09121234568"})
    text = wrong.content.decode()
    assert "پیدا نشد" in text and "مبلغ به حساب برگشت" not in text and "بسته شده" not in text


def test_the_top_bar_and_the_contact_page_find_complaints(client, desk):
    support, officer, _manager = desk
    complaint = register(support, officer)
    client.force_login(officer)
    found = client.get(reverse("core:search"), {"q": complaint.tracking_code}).content.decode()
    assert complaint.get_absolute_url() in found
    client.force_login(support)  # the customer is the registrar's contact
    card = client.get(complaint.contact.get_absolute_url()).content.decode()
    assert complaint.get_absolute_url() in card and "شکایات" in card


def test_managers_hide_the_complaint_fields_they_do_not_use(client, desk):
    support, officer, manager = desk
    client.force_login(manager)
    settings_url = reverse("service:settings")
    saved = client.post(settings_url, {"hidden_complaint_fields": ["source", "product"]})
    assert saved.status_code == 302
    client.force_login(support)
    form = client.get(reverse("service:complaint_create")).context["form"]
    assert "source" not in form.fields and "product" not in form.fields
    customer = ContactFactory(owner=support)
    data = {
        "contact": customer.pk,
        "date": format_date(timezone.localdate()),
        "description": "پاسخ تلفن را نمی‌دهند",
        "officer": officer.pk,
        "source": "after_sales",  # hidden: not taken
    }
    client.post(reverse("service:complaint_create"), data)
    complaint = Complaint.objects.get()
    assert complaint.source == Complaint.Source.CRM
    listed = client.get(reverse("service:complaint_list"), {"view": "sent"}).content.decode()
    assert complaint.get_absolute_url() in listed and "<th>منبع</th>" not in listed
