"""The lead list on core.lists (sales.lists.LEADS): every filter it had and the new ones,
the text rule (a short text looks for codes, a longer one for subjects and customers),
Persian warnings for what cannot be read, no filter widening what a user sees, the sorts
(a follow-up range orders by the follow-up), the footer's expected amounts, the same rows
on the page, in the API and in the export, and the board's «مسئول»."""

import csv
import datetime
import io

import jdatetime
import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.contacts.models import Category, Region
from peyvand.core.lists import spec as spec_module
from peyvand.core.periods import period_range
from peyvand.core.text import to_persian_digits
from peyvand.lookups.models import AcquaintanceSource, FollowUpResult
from peyvand.sales.lists import LEADS
from peyvand.sales.models import Lead, current_fiscal_year
from tests.api.test_api import auth  # noqa: F401 - a fixture
from tests.factories import ContactFactory, LeadFactory
from tests.lists import query


def jalali(day: datetime.date) -> str:
    return to_persian_digits(jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d"))


@pytest.fixture
def leads(personas):
    """The owner's team's leads — a three-star one due tomorrow with a large expected
    amount, a three-star one past its follow-up that the teammate chases, a plain one
    from a fair with no follow-up, a lost one, one registered last year — and a large
    three-star lead of the other team, which the owner never sees."""
    food = Category.objects.create(name="مواد غذایی")
    dairy = Category.objects.create(name="لبنیات", parent=food)
    tehran = Region.objects.get(name="تهران", depth=0)
    fair = AcquaintanceSource.objects.create(name="نمایشگاه آزمایشی")
    offer = FollowUpResult.objects.get(name="ارسال پیش فاکتور")
    now = timezone.now()
    owner, teammate = personas.owner, personas.teammate
    made = {
        "vip": LeadFactory(
            owner=owner, stars=3, title="خط تولید", expected_value=50_000_000,
            contact=ContactFactory(owner=owner, name="صنایع غذایی البرز", category=dairy),
            last_result=offer, next_at=now + datetime.timedelta(days=1),
        ),
        "late": LeadFactory(
            owner=owner, responsible=teammate, stars=3, title="قرارداد نگهداری",
            expected_value=20_000_000, next_at=now - datetime.timedelta(hours=2),
            contact=ContactFactory(owner=owner, name="فروشگاه نور", phones=["+989121110000"]),
        ),
        "plain": LeadFactory(
            owner=owner, responsible=teammate, source=fair, title="یخچال",
            contact=ContactFactory(owner=owner, region=tehran),
        ),
        "closed": LeadFactory(owner=owner, status="lost", expected_value=5_000_000),
        "old": LeadFactory(owner=owner, title="سرنخ پارسال", expected_value=1_000_000),
        "foreign": LeadFactory(
            owner=personas.outsider, stars=3, title="خط تولید بزرگ", expected_value=90_000_000,
            contact=ContactFactory(owner=personas.outsider, name="بازرگانی نور"),
            next_at=now - datetime.timedelta(hours=1),
        ),
    }  # fmt: skip
    # Registered on the tenth day of last (Jalali) year, and still in that fiscal year.
    start, _end = period_range("last_year", timezone.localdate())
    registered = timezone.make_aware(datetime.datetime.combine(start, datetime.time(10)))
    Lead.objects.filter(pk=made["old"].pk).update(
        created_at=registered + datetime.timedelta(days=10), fiscal_year=current_fiscal_year() - 1
    )
    made.update(food=food, tehran=tehran, fair=fair, offer=offer)
    return made


def shown(user, leads, **params) -> set[str]:
    rows = set(LEADS.rows(user, query(**params)).values_list("pk", flat=True))
    return {name for name, lead in leads.items() if isinstance(lead, Lead) and lead.pk in rows}


def test_the_list_starts_with_open_leads_and_offers_the_others(personas, leads):
    owner = personas.owner
    assert shown(owner, leads) == {"vip", "late", "plain", "old"}
    assert shown(owner, leads, status="all") == {"vip", "late", "plain", "old", "closed"}
    assert shown(owner, leads, status="lost") == {"closed"}
    assert shown(owner, leads, status="won") == set()
    # A typo filters nothing, as every choice does (not the default: it was asked for).
    assert shown(owner, leads, status="nonsense") == shown(owner, leads, status="all")


def test_each_filter_narrows(personas, leads):
    owner, teammate = personas.owner, personas.teammate
    team = owner.teams.get()
    outsiders = personas.outsider.teams.get()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    cases = [
        ({"stars": "3"}, {"vip", "late"}),
        ({"result": str(leads["offer"].pk)}, {"vip"}),
        ({"responsible": "me"}, {"vip", "old"}),
        ({"responsible": str(teammate.pk)}, {"late", "plain"}),
        ({"team": str(team.pk)}, {"vip", "late", "plain", "old"}),
        ({"team": str(outsiders.pk)}, set()),
        ({"source": str(leads["fair"].pk)}, {"plain"}),
        ({"category": str(leads["food"].pk)}, {"vip"}),  # its subtree: dairy
        ({"region": str(leads["tehran"].pk)}, {"plain"}),
        ({"contact": str(leads["late"].contact.pk)}, {"late"}),
        ({"due_period": "overdue"}, {"late"}),
        ({"due_period": "tomorrow"}, {"vip"}),
        ({"due_from": jalali(tomorrow), "due_to": jalali(tomorrow)}, {"vip"}),  # Jalali
        ({"due_from": tomorrow.isoformat()}, {"vip"}),  # or ISO
        ({"created_period": "this_year"}, {"vip", "late", "plain"}),
        ({"created_period": "last_year", "status": "all"}, {"old"}),
        ({"expected_min": "۲۰٬۰۰۰٬۰۰۰"}, {"vip", "late"}),
        ({"expected_max": "20000000", "expected_min": "1"}, {"late", "old"}),
        ({"fiscal_year": str(current_fiscal_year() - 1)}, {"old"}),
        ({"fiscal_year": str(current_fiscal_year())}, {"vip", "late", "plain"}),
    ]
    for params, expected in cases:
        assert shown(owner, leads, **params) == expected, params
    # A year not offered (no such fiscal year) filters nothing.
    assert shown(owner, leads, fiscal_year="1300") == shown(owner, leads)


def test_the_old_filters_keep_their_names(client, personas, leads):
    """Links and bookmarks made before: ?stars, ?result, ?responsible, ?source,
    ?category, ?region, ?fiscal_year, ?due_from/?due_to (Jalali), ?status=all."""
    client.force_login(personas.owner)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page = client.get(
        reverse("sales:lead_list"),
        {"due_from": jalali(tomorrow), "due_to": jalali(tomorrow), "status": "all"},
    )
    assert [row.pk for row in page.context["page"].items] == [leads["vip"].pk]
    assert "پیگیری بعدی: از" in page.content.decode()


def test_text_finds_code_subject_customer_or_phone(personas, leads):
    owner = personas.owner
    assert shown(owner, leads, q="خط تولید") == {"vip"}  # not the other team's
    assert shown(owner, leads, q="نو") == set()  # too short for names: a code only
    assert shown(owner, leads, q="نور") == {"late"}
    assert shown(owner, leads, q="فروشگاه نور") == {"late"}  # the customer
    assert shown(owner, leads, q="۰۹۱۲۱۱۱") == {"late"}  # the customer's phone
    assert shown(owner, leads, q=leads["plain"].code.lower()) == {"plain"}


def test_a_renamed_customer_finds_their_leads_by_the_new_name(personas, leads):
    """The customer's key is copied onto their leads by the database (CopyCustomerKey):
    a rename, a new phone and a lead moved to another customer are found at once."""
    owner = personas.owner
    customer = leads["late"].contact
    customer.name = "بازرگانی آفتاب"
    customer.save()
    assert shown(owner, leads, q="آفتاب") == {"late"}
    assert shown(owner, leads, q="فروشگاه نور") == set()
    Lead.objects.filter(pk=leads["late"].pk).update(contact=leads["plain"].contact)
    assert shown(owner, leads, q="آفتاب") == set()


def test_a_short_text_says_it_looks_for_codes(client, personas, leads):
    client.force_login(personas.owner)
    page = client.get(reverse("sales:lead_list"), {"q": "نو"}).content.decode()
    assert "دست‌کم ۳ حرف" in page
    assert "دست‌کم ۳ حرف" not in client.get(reverse("sales:lead_list")).content.decode()


def test_what_cannot_be_read_is_a_persian_warning_and_filters_nothing(client, personas, leads):
    client.force_login(personas.owner)
    # «دیروز» is a date now (core.dates shortcuts); «هفتهٔ پیش» is not.
    bad = {"due_from": "1405/13/40", "created_to": "هفتهٔ پیش", "expected_min": "زیاد"}
    page = client.get(reverse("sales:lead_list"), bad)
    assert page.status_code == 200
    html = page.content.decode()
    assert "تاریخ درستی نیست" in html and "مبلغ درستی نیست" in html
    assert shown(personas.owner, leads, **bad) == shown(personas.owner, leads)
    odd = {"stars": "9", "responsible": "x", "team": "0", "category": "99999", "sort": "password"}
    assert shown(personas.owner, leads, **odd) == shown(personas.owner, leads)


def test_no_filter_widens_what_a_user_sees(personas, leads):
    """Every filter pointed at the other team's lead: its customer, its text, its
    responsible, its team, its amount, every status. It never comes back."""
    owner = personas.owner
    outsiders = personas.outsider.teams.get()
    foreign = leads["foreign"]
    tries = [
        {"contact": str(foreign.contact.pk)},
        {"q": "بازرگانی نور"},
        {"q": foreign.code},
        {"responsible": str(personas.outsider.pk)},
        {"team": str(outsiders.pk)},
        {"expected_min": "90000000"},
        {"due_period": "overdue", "stars": "3"},
        *({"status": value} for value in ("all", "open", "won", "lost")),
    ]
    for params in tries:
        assert "foreign" not in shown(owner, leads, **params), params
    reading = LEADS.read(query(contact=str(foreign.contact.pk)), owner)
    assert reading.values["contact__label"] == "نامعلوم"  # the name is not told
    assert "foreign" in shown(personas.manager, leads, q="بازرگانی نور")


def test_sorts(personas, leads):
    owner = personas.owner

    def order(**params) -> list[str]:
        names = {lead.pk: name for name, lead in leads.items() if isinstance(lead, Lead)}
        return [names[pk] for pk in LEADS.rows(owner, query(**params)).values_list("pk", flat=True)]

    assert order() == ["plain", "late", "vip", "old"]  # newest first
    # Soonest follow-up first, those with none last; the other way round as reversed.
    assert order(sort="next") == ["late", "vip", "plain", "old"]
    assert order(sort="-next")[-2:] == ["vip", "late"]
    # The largest expected amount first; none counts as nothing.
    assert order(sort="expected") == ["vip", "late", "old", "plain"]
    assert order(sort="-expected") == ["plain", "old", "late", "vip"]
    # A follow-up range orders by the follow-up unless a sort is asked for.
    assert order(due_from="1300/01/01") == ["late", "vip"]
    assert order(due_from="1300/01/01", sort="expected") == ["vip", "late"]


def test_the_footer_counts_the_leads_and_sums_their_expected_amounts(
    client, personas, leads, monkeypatch
):
    owner = personas.owner
    figures = LEADS.totals_of(LEADS.rows(owner, query()), LEADS.read(query(), owner))
    assert (figures["count"], figures["expected"], figures["capped"]) == (4, 71_000_000, False)
    client.force_login(owner)
    footer = client.get(reverse("sales:lead_list"), {"stars": "3"}).content.decode()
    assert "۲ سرنخ" in footer and "جمع مبلغ پیش‌بینی: ۷۰٬۰۰۰٬۰۰۰" in footer
    monkeypatch.setattr(spec_module, "TOTALS_CAP", 2)
    capped = LEADS.totals_of(LEADS.rows(owner, query()), LEADS.read(query(), owner))
    assert (capped["count"], capped["capped"]) == (3, True)


def test_the_page_the_api_and_the_export_give_the_same_rows(client, personas, leads, auth):  # noqa: F811
    client.force_login(personas.owner)
    params = {"stars": "3", "responsible": "me", "status": "all", "sort": "-next"}
    page = client.get(reverse("sales:lead_list"), params)
    rows = [row.pk for row in page.context["page"].items]
    assert rows == [leads["vip"].pk]
    params = {"stars": "3", "sort": "next"}
    page = client.get(reverse("sales:lead_list"), params)
    rows = [row.pk for row in page.context["page"].items]
    assert rows == [leads["late"].pk, leads["vip"].pk]
    answer = client.get("/api/v1/leads", params, headers=auth("owner")).json()
    assert [item["id"] for item in answer["items"]] == rows
    assert {"person_name", "custom", "notes"} <= answer["items"][0].keys()
    export = client.get(reverse("core:list_export", args=["leads", "csv"]), params)
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    header, *lines = csv.reader(io.StringIO(text))
    code = header.index("کد")
    assert [line[code] for line in lines] == [leads["late"].code, leads["vip"].code]


def test_the_api_keeps_its_parameters(client, personas, leads, auth):  # noqa: F811
    def ids(**params) -> set[int]:
        answer = client.get("/api/v1/leads", params, headers=auth("owner"))
        assert answer.status_code == 200, answer.content
        return {item["id"] for item in answer.json()["items"]}

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    vip, late = leads["vip"].pk, leads["late"].pk
    assert ids(due_from=jalali(tomorrow), due_to=jalali(tomorrow)) == {vip}
    assert ids(due_from=tomorrow.isoformat()) == {vip}
    assert ids(due_period="overdue") == {late}
    assert ids(contact=str(leads["late"].contact.pk)) == {late}
    assert ids(responsible="me", stars="3") == {vip}
    assert ids(q="نو") == set()  # a short text is no error: it looks for a code
    assert len(ids(status="all")) == 5
    bad = client.get("/api/v1/leads", {"due_from": "1405/13/40"}, headers=auth("owner"))
    assert bad.status_code == 422 and "تاریخ درستی نیست" in bad.json()["detail"]
    assert client.get("/api/v1/leads", {"status": "x"}, headers=auth("owner")).status_code == 422


def test_overdue_rows_say_so_and_columns_are_the_users(client, personas, leads):
    client.force_login(personas.owner)
    url = reverse("sales:lead_list")
    page = client.get(url)
    html = page.content.decode()
    assert html.count('class="table-danger"') == 1 and 'aria-label="عقب‌افتاده"' in html
    client.post(
        reverse("core:list_columns", args=["leads"]),
        {"columns": ["code", "expected", "created"], "params": ""},
    )
    page = client.get(url, {"q": "خط تولید"})
    assert [column.key for column in page.context["columns"]] == ["code", "expected", "created"]
    assert page.context["cells"][0][1][1] == '<span class="text-nowrap">۵۰٬۰۰۰٬۰۰۰ ریال</span>'


def test_the_board_reads_the_responsible_as_the_list_does(client, personas, leads):
    client.force_login(personas.owner)
    mine = client.get(reverse("sales:lead_board"), {"responsible": "me"})
    titles = {lead.title for _key, _label, cards in mine.context["columns"] for lead in cards}
    assert titles == {"خط تولید", "سرنخ پارسال", leads["closed"].title}
    assert mine.context["responsible"] == "me"
    assert '<option value="me" selected>من</option>' in mine.content.decode()
    every = client.get(reverse("sales:lead_board"), {"responsible": "x"})
    assert every.context["responsible"] is None


def test_the_global_search_finds_leads_by_their_customer(client, personas, leads):
    client.force_login(personas.owner)
    found = client.get(reverse("core:search"), {"q": "فروشگاه نور"}).content.decode()
    assert leads["late"].get_absolute_url() in found
    assert leads["foreign"].get_absolute_url() not in found


def test_a_row_found_through_its_customer_says_so(client, personas, leads):
    client.force_login(personas.owner)
    page = client.get(reverse("sales:lead_list"), {"q": "۰۹۱۲۱۱۱"}).content.decode()
    assert "تلفن مشتری:" in page and "<mark>۰۹۱۲۱۱۱</mark>" in page
    page = client.get(reverse("sales:lead_list"), {"q": "غذایی البرز"}).content.decode()
    assert "مشتری:" in page and "<mark>غذایی البرز</mark>" in page
