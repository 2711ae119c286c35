"""Leads and follow-ups through HTTP, as a sales rep uses them."""

import datetime

import jdatetime
import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.roles import SUPPORT
from peyvand.activities import reminders
from peyvand.activities.models import Notification, Reminder, Task
from peyvand.contacts.models import Category, Contact, Region
from peyvand.core.dates import jalali_today
from peyvand.core.models import HolidayOverride
from peyvand.core.text import to_persian_digits
from peyvand.core.workdays import add_working_days
from peyvand.lookups.models import Channel, FollowUpResult
from peyvand.sales.models import FollowUp, Lead
from peyvand.sales.selectors import my_followups
from tests.factories import ContactFactory, FollowUpFactory, LeadFactory, UserFactory


def jalali(value: datetime.date) -> str:
    return to_persian_digits(jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d"))


def result(name: str) -> FollowUpResult:
    return FollowUpResult.objects.get(name=name)


def log(client, lead, **fields):
    data = {
        "result": result("پیگیری").pk,
        "channel": Channel.objects.get(name="تلفن").pk,
        "person": "",
        "description": "",
        "at": timezone.localtime()
        .strftime("%Y/%m/%d %H:%M")
        .replace(
            timezone.localtime().strftime("%Y/%m/%d"),
            jdatetime.date.fromgregorian(date=timezone.localdate()).strftime("%Y/%m/%d"),
        ),
        "next_date": "",
        "next_time": "",
        "referred_to": "",
        **fields,
    }
    return client.post(
        reverse("sales:followup_create", args=[lead.pk]), data, HTTP_HX_REQUEST="true"
    )


def test_a_rep_creates_a_lead_for_a_new_customer_without_leaving_the_form(client, personas):
    client.force_login(personas.owner)
    response = client.post(
        reverse("sales:lead_create"),
        {
            "new_contact_kind": "person",
            "new_contact_name": "مهدی رستمی",
            "new_contact_mobile": "۰۹۱۲ ۳۴۵ ۶۷۸۹",
            "title": "خرید تابلو برق",
            "stars": "3",
            "responsible": personas.owner.pk,
            "expected_value": "۱۲٬۵۰۰٬۰۰۰",
        },
    )
    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == lead.get_absolute_url()
    assert lead.contact.name == "مهدی رستمی"
    assert lead.contact.mobile == "+989123456789"
    assert lead.contact.owner == personas.owner
    assert lead.responsible == personas.owner
    assert lead.expected_value == 12_500_000
    assert lead.code.startswith(f"L{jalali_today().year}")  # the Tehran date's year
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "خرید تابلو برق" in page
    assert "مهدی رستمی" in page


def test_a_new_customer_whose_mobile_exists_is_refused_in_persian_and_the_form_keeps_it(
    client, personas
):
    ContactFactory(owner=personas.owner, name="مهدی رستمی", phones=["+989123456789"])
    ContactFactory(owner=personas.outsider, name="مشتری دیگر", phones=["+989351112233"])
    client.force_login(personas.owner)
    mine = client.post(
        reverse("sales:lead_create"),
        {"new_contact_name": "مهدی", "new_contact_mobile": "09123456789", "title": "سرنخ",
         "stars": "1", "responsible": personas.owner.pk},
    )  # fmt: skip
    page = mine.content.decode()
    assert mine.status_code == 200
    assert "پیش‌تر برای «مهدی رستمی»" in page
    assert 'value="۰۹۱۲۳۴۵۶۷۸۹"' in page  # as typed, in the reader's digits
    theirs = client.post(
        reverse("sales:lead_create"),
        {"new_contact_name": "کسی", "new_contact_mobile": "09351112233", "title": "سرنخ",
         "stars": "1", "responsible": personas.owner.pk},
    )  # fmt: skip
    assert "مشتری کارشناس دیگری" in theirs.content.decode()
    assert "مشتری دیگر" not in theirs.content.decode()  # existence, not content
    assert not Lead.objects.exists()


def test_a_lead_needs_a_customer(client, personas):
    client.force_login(personas.owner)
    response = client.post(
        reverse("sales:lead_create"),
        {"title": "بی‌مشتری", "stars": "1", "responsible": personas.owner.pk},
    )
    assert "مشتری را انتخاب کنید یا نام مشتری تازه را بنویسید." in response.content.decode()
    assert not Lead.objects.exists()


def test_follow_ups_by_keyboard_settle_the_last_one_and_remind_the_author_and_responsible(
    client, personas
):
    lead = LeadFactory(owner=personas.owner, responsible=personas.teammate)
    client.force_login(personas.owner)
    first = log(client, lead, result=result("تماس اولیه").pk, description="کاتالوگ خواستند",
                next_date="+1")  # fmt: skip
    assert first.status_code == 200
    assert "پیگیری ثبت شد." in first.content.decode()
    assert "کاتالوگ خواستند" in first.content.decode()
    # The lead's title, with its stage now «در تماس», and its summary follow (htmx OOB).
    assert '<h1 id="lead-title" class="h4 mb-0 flex-grow-1" hx-swap-oob="true">' in (
        first.content.decode()
    )
    assert "در تماس" in first.content.decode()
    second = log(client, lead, description="قیمت دادیم", next_date="+۳", next_time="۱۰:۳۰")
    assert "قیمت دادیم" in second.content.decode()

    earlier, latest = FollowUp.objects.order_by("id")
    assert earlier.settled_at is not None  # answered by the later one
    expected_day = add_working_days(timezone.localdate(), 3)
    assert timezone.localtime(latest.next_at).date() == expected_day
    assert timezone.localtime(latest.next_at).time() == datetime.time(10, 30)
    assert latest.next_by == personas.teammate  # the lead's responsible user
    assert latest.priority == result("پیگیری").priority
    lead.refresh_from_db()
    assert lead.last_result == result("پیگیری")
    assert lead.next_at == latest.next_at
    assert lead.stage == Lead.Stage.CONTACTED
    pending = Reminder.objects.filter(fired_at__isnull=True, purpose="followup")
    assert {r.user for r in pending} == {personas.owner, personas.teammate}
    assert {r.object_id for r in pending} == {latest.pk}

    assert reminders.fire_due(latest.next_at + datetime.timedelta(seconds=1)) == 2
    notice = Notification.objects.get(user=personas.teammate)
    assert notice.title.startswith("پیگیری L")
    assert notice.url == latest.get_absolute_url()


def test_plus_days_skip_holidays(client, personas):
    lead = LeadFactory(owner=personas.owner)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    HolidayOverride.objects.create(date=tomorrow, note="تعطیل شرکت")
    client.force_login(personas.owner)
    log(client, lead, next_date="+1")
    day = timezone.localtime(FollowUp.objects.get().next_at).date()
    assert day > tomorrow
    assert day == add_working_days(timezone.localdate(), 1)


def test_a_bad_follow_up_is_explained_in_persian_and_keeps_what_was_typed(client, personas):
    lead = LeadFactory(owner=personas.owner)
    client.force_login(personas.owner)
    response = log(client, lead, description="شرح مهم", next_date="۱۴۰۵/۱۳/۴۰")
    page = response.content.decode()
    assert "شرح مهم" in page
    assert "۱۴۰۵/۱۳/۴۰" in page
    assert 'aria-invalid="true"' in page
    no_result = log(client, lead, result="", description="بی‌نتیجه")
    assert "این فیلد لازم است" in no_result.content.decode()
    past = log(client, lead, next_date=jalali(timezone.localdate() - datetime.timedelta(days=2)))
    assert "پیگیری بعدی باید بعد از زمان این پیگیری باشد." in past.content.decode()
    assert not FollowUp.objects.exists()


def test_a_referral_makes_it_the_referred_users_turn_and_lets_them_see_the_lead(client, personas):
    lead = LeadFactory(owner=personas.owner)
    client.force_login(personas.owner)
    assert client.get(lead.get_absolute_url()).status_code == 200
    client.force_login(personas.outsider)
    assert client.get(lead.get_absolute_url()).status_code == 404
    client.force_login(personas.owner)
    log(client, lead, next_date="+1", referred_to=personas.outsider.pk)
    followup = FollowUp.objects.get()
    assert followup.next_by == personas.outsider
    assert Notification.objects.filter(user=personas.outsider, title__contains="ارجاع").exists()
    client.force_login(personas.outsider)
    assert client.get(lead.get_absolute_url()).status_code == 200


def test_my_follow_ups_are_mine_due_today_or_overdue_by_priority_then_stars(personas):
    now = timezone.now()
    user = personas.owner

    def pending(stars, result_name, next_at, by=user):
        lead = LeadFactory(owner=by, stars=stars)
        return FollowUpFactory(
            lead=lead, result=result(result_name), priority=result(result_name).priority,
            next_at=next_at, next_by=by,
        )  # fmt: skip

    low_one_star = pending(1, "ارسال فاکتور", now - datetime.timedelta(days=3))
    high_one_star = pending(1, "تماس اولیه", now - datetime.timedelta(hours=1))
    high_three_stars = pending(3, "تماس اولیه", now)
    pending(3, "تماس اولیه", now + datetime.timedelta(days=2))  # not due yet
    pending(3, "تماس اولیه", now, by=personas.teammate)  # someone else's turn
    settled = pending(3, "تماس اولیه", now - datetime.timedelta(days=1))
    FollowUp.objects.filter(pk=settled.pk).update(settled_at=now)

    assert my_followups(user) == [high_three_stars, high_one_star, low_one_star]
    assert low_one_star.is_overdue


def test_the_home_page_lists_my_due_follow_ups_first_with_the_overdue_marked(client, personas):
    lead = LeadFactory(owner=personas.owner, title="قرارداد پشتیبانی", stars=2)
    FollowUpFactory(
        lead=lead, next_at=timezone.now() - datetime.timedelta(days=1), next_by=personas.owner
    )
    client.force_login(personas.owner)
    page = client.get(reverse("core:home")).content.decode()
    assert "پیگیری‌های من" in page
    assert "قرارداد پشتیبانی" in page
    assert "عقب‌افتاده از" in page
    assert f'data-open-url="{lead.get_absolute_url()}"' in page
    assert page.index("پیگیری‌های من (امروز") < page.index("وظایف امروز من")


def test_closing_a_lead_as_lost_needs_a_reason_and_drops_its_reminders(client, personas):
    lead = LeadFactory(owner=personas.owner)
    client.force_login(personas.owner)
    log(client, lead, next_date="+2")
    url = reverse("sales:lead_close", args=[lead.pk])
    client.post(url, {"status": "lost", "reason": ""})
    lead.refresh_from_db()
    assert lead.status == Lead.Status.OPEN
    messages = [str(m) for m in client.get(lead.get_absolute_url()).context["messages"]]
    assert "علت ناموفق بودن سرنخ را بنویسید." in messages
    client.post(url, {"status": "lost", "reason": "قیمت رقیب کمتر بود"})
    lead.refresh_from_db()
    assert lead.status == Lead.Status.LOST
    assert lead.lost_reason == "قیمت رقیب کمتر بود"
    assert lead.next_at is None
    assert FollowUp.objects.get().settled_at is not None
    assert not Reminder.objects.filter(fired_at__isnull=True).exists()
    assert my_followups(personas.owner) == []
    refused = log(client, lead, description="پس از بستن")
    assert "این سرنخ بسته شده است" in refused.content.decode()


def test_a_follow_up_becomes_a_task_on_its_next_date(client, personas):
    lead = LeadFactory(owner=personas.owner)
    client.force_login(personas.owner)
    log(client, lead, description="ارسال نمونه", next_date="+2")
    followup = FollowUp.objects.get()
    page = client.get(lead.get_absolute_url()).content.decode()
    task_url = reverse("sales:followup_task", args=[followup.pk])
    assert f'form="make-task" formaction="{task_url}"' in page
    response = client.post(task_url, {"next": lead.get_absolute_url()})
    assert response.url == lead.get_absolute_url()
    task = Task.objects.get()
    assert (
        reverse("activities:task_edit", args=[task.pk]) in client.get(response.url).content.decode()
    )
    assert response.status_code == 302
    assert task.assignee == personas.owner
    assert task.date == timezone.localtime(followup.next_at).date()
    assert "ارسال نمونه" in task.description
    assert task.related == lead
    client.post(reverse("sales:followup_task", args=[followup.pk]))
    assert Task.objects.count() == 1  # a second click makes no second task


def test_the_board_moves_an_open_lead_between_stages(client, personas):
    lead = LeadFactory(owner=personas.owner)
    client.force_login(personas.owner)
    url = reverse("sales:lead_stage", args=[lead.pk])
    assert client.post(url, {"stage": "negotiation"}, HTTP_HX_REQUEST="true").status_code == 204
    lead.refresh_from_db()
    assert lead.stage == "negotiation"
    assert client.post(url, {"stage": "nowhere"}).status_code == 400
    Lead.objects.filter(pk=lead.pk).update(status="won")
    assert client.post(url, {"stage": "new"}).status_code == 400
    page = client.get(reverse("sales:lead_board")).content.decode()
    assert lead.title in page


def test_a_board_card_moves_by_choosing_its_stage_and_comes_back_to_the_filtered_board(
    client, personas
):
    """Touch and keyboard have no drag and drop: each open card has the stage's select."""
    lead = LeadFactory(owner=personas.owner, stage="new")
    client.force_login(personas.owner)
    board = reverse("sales:lead_board") + "?responsible=me"
    page = client.get(board).content.decode()
    card = page[page.index(f'id="lead-card-{lead.pk}"') :]
    card = card[: card.index("</article>")]
    assert reverse("sales:lead_stage", args=[lead.pk]) in card
    assert '<option value="new" selected>' in card
    response = client.post(
        reverse("sales:lead_stage", args=[lead.pk]), {"stage": "proposal", "next": board}
    )
    assert response.status_code == 302 and response.url == board
    lead.refresh_from_db()
    assert lead.stage == "proposal"
    outside = client.post(
        reverse("sales:lead_stage", args=[lead.pk]),
        {"stage": "new", "next": "https://evil.example/"},
    )
    assert outside.url == reverse("sales:lead_board")


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"stars": "3"}, {"vip"}),
        ({"result": "offer"}, {"vip"}),
        ({"source": "fair"}, {"plain"}),
        ({"category": "food"}, {"vip"}),
        ({"region": "tehran"}, {"plain"}),
        ({"responsible": "teammate"}, {"plain"}),
        ({"due_from": "tomorrow", "due_to": "tomorrow"}, {"vip"}),
        ({"status": "all"}, {"vip", "plain", "closed"}),
        ({"q": "صنایع غذایی"}, {"vip"}),
        ({"q": "یخچال"}, {"plain"}),
    ],
)
def test_the_lead_list_filters(client, personas, params, expected):
    from peyvand.lookups.models import AcquaintanceSource

    food = Category.objects.create(name="مواد غذایی")
    dairy = Category.objects.create(name="لبنیات", parent=food)
    tehran = Region.objects.get(name="تهران", depth=0)
    fair = AcquaintanceSource.objects.create(name="نمایشگاه آزمایشی")
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    leads = {
        "vip": LeadFactory(
            owner=personas.owner, stars=3, title="خط تولید",
            contact=ContactFactory(owner=personas.owner, name="صنایع غذایی البرز", category=dairy),
            last_result=result("ارسال پیش فاکتور"), next_at=tomorrow,
        ),
        "plain": LeadFactory(
            owner=personas.owner, responsible=personas.teammate, source=fair, title="یخچال",
            contact=ContactFactory(owner=personas.owner, region=tehran),
        ),
        "closed": LeadFactory(owner=personas.owner, status="lost"),
    }  # fmt: skip
    values = {
        "offer": result("ارسال پیش فاکتور").pk,
        "fair": fair.pk,
        "food": food.pk,
        "tehran": tehran.pk,
        "teammate": personas.teammate.pk,
        "tomorrow": jalali(timezone.localtime(tomorrow).date()),
    }
    client.force_login(personas.owner)
    query = {key: values.get(value, value) for key, value in params.items()}
    page = client.get(reverse("sales:lead_list"), query).content.decode()
    shown = {name for name, lead in leads.items() if lead.get_absolute_url() in page}
    assert shown == expected


def test_support_cannot_see_a_lead_anywhere(client, personas):
    lead = LeadFactory(owner=personas.owner, title="سرنخ محرمانه")
    support = UserFactory(username="helpdesk", role=SUPPORT)
    client.force_login(support)
    assert client.get(reverse("sales:lead_list")).status_code == 403
    assert client.get(lead.get_absolute_url()).status_code == 403
    search = client.get(reverse("core:search"), {"q": "سرنخ محرمانه"}).content.decode()
    assert lead.get_absolute_url() not in search
    client.force_login(personas.owner)  # the same search finds it for its owner
    search = client.get(reverse("core:search"), {"q": "سرنخ محرمانه"}).content.decode()
    assert lead.get_absolute_url() in search
    client.force_login(support)
    assert "سرنخ‌ها" not in client.get(reverse("core:home")).content.decode()


def test_the_contact_page_lists_the_customers_leads(client, personas):
    lead = LeadFactory(owner=personas.owner, title="قرارداد سالانه")
    client.force_login(personas.owner)
    page = client.get(lead.contact.get_absolute_url()).content.decode()
    assert "قرارداد سالانه" in page
    assert f"{reverse('sales:lead_create')}?contact={lead.contact.pk}" in page
    form = client.get(reverse("sales:lead_create"), {"contact": lead.contact.pk})
    assert form.context["form"]["contact"].value() == lead.contact.pk
    assert Contact.objects.count() == 1


def test_more_filters_fold_and_open_when_one_is_set(client, personas):
    isfahan = Region.objects.create(name="اصفهان")
    client.force_login(personas.owner)
    page = client.get(reverse("sales:lead_list")).content.decode()
    # Every filter is in the page (no request when «فیلترهای بیشتر» opens), folded.
    assert "اصفهان" in page and 'name="fiscal_year"' in page and 'name="due_period"' in page
    assert '<details class="mt-2">' in page
    filtered = client.get(reverse("sales:lead_list"), {"region": isfahan.pk}).content.decode()
    assert f'<option value="{isfahan.pk}" selected' in filtered
    assert '<details class="mt-2" open>' in filtered
