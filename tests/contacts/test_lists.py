"""The contact list on core.lists (contacts.lists.CONTACTS): each filter narrows (role,
VIP, send group, grade, status, owner, category and region subtrees, source, kind,
position, Jalali birth month, created range, custom fields, ticked ids), what cannot be
read is a Persian warning and filters nothing, no filter widens what a user sees, the
old sort values keep their meaning, and the page, the API, the exports, the bulk owner
change and a message «to the contacts as filtered» act on the same rows."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.contacts.lists import CONTACTS
from peyvand.contacts.models import Contact, Region
from peyvand.customfields.models import CustomField
from peyvand.lookups.models import AcquaintanceSource, Grade, Position
from peyvand.messaging.models import ContactGroup, ContactGroupMember
from peyvand.messaging.views import list_filters
from tests.api.test_api import auth  # noqa: F401 - a fixture
from tests.factories import ContactFactory, UserFactory
from tests.lists import query

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(personas):
    """The owner's contacts, each standing out by one thing; the teammate's one; and an
    outsider's contact (another team) that has every one of those things."""
    kashan = Region.objects.get(name="کاشان")  # under اصفهان
    tabriz = Region.objects.filter(depth=0).exclude(pk=kashan.parent_id).first()
    gold = Grade.objects.get(name="الف")
    fair = AcquaintanceSource.objects.create(name="همایش سالانه")
    boss = Position.objects.get_or_create(name="مدیرعامل")[0]
    plan = CustomField.objects.create(
        target="contacts.contact", label="طرح", kind="choice", options="طلایی\nنقره‌ای"
    )
    staff = CustomField.objects.create(target="contacts.contact", label="کارکنان", kind="number")
    everything = {
        "is_vip": True,
        "roles": ["agent", "supplier"],
        "region": kashan,
        "grade": gold,
        "source": fair,
        "position": boss,
        "status": Contact.Status.CUSTOMER,
        "kind": Contact.Kind.ORGANIZATION,
        "birthday": datetime.date(1990, 3, 21),  # 1 Farvardin 1369
        "custom": {plan.key: "طلایی", staff.key: 40},
    }
    made = {
        "vip": ContactFactory(owner=personas.owner, name="ستاره", is_vip=True),
        "agent": ContactFactory(owner=personas.owner, name="نماینده", roles=["agent"]),
        "isfahan": ContactFactory(owner=personas.owner, name="کاشانی", region=kashan),
        "tabriz": ContactFactory(owner=personas.owner, name="تبریزی", region=tabriz),
        "graded": ContactFactory(owner=personas.owner, name="درجه‌دار", grade=gold),
        "fair": ContactFactory(owner=personas.owner, name="نمایشگاهی", source=fair),
        "boss": ContactFactory(owner=personas.owner, name="رئیس", position=boss),
        "company": ContactFactory(
            owner=personas.owner, name="شرکت", kind=Contact.Kind.ORGANIZATION
        ),
        "customer": ContactFactory(
            owner=personas.owner, name="خریدار", status=Contact.Status.CUSTOMER
        ),
        "spring": ContactFactory(
            owner=personas.owner, name="بهاری", birthday=datetime.date(1990, 3, 21)
        ),
        "winter": ContactFactory(
            owner=personas.owner, name="زمستانی", birthday=datetime.date(1990, 3, 20)
        ),
        "golden": ContactFactory(owner=personas.owner, name="طلایی", custom={plan.key: "طلایی"}),
        "mates": ContactFactory(owner=personas.teammate, name="هم‌تیمی"),
        "foreign": ContactFactory(owner=personas.outsider, name="بیرونی", **everything),
    }
    old = timezone.now() - datetime.timedelta(days=400)
    Contact.objects.filter(pk=made["tabriz"].pk).update(created_at=old)
    group = ContactGroup.objects.create(owner=personas.owner, name="خبرنامه")
    foreign_group = ContactGroup.objects.create(owner=personas.outsider, name="گروه بیرونی")
    for contact in (made["agent"], made["foreign"]):
        ContactGroupMember.objects.create(group=group, contact=contact)
    ContactGroupMember.objects.create(group=foreign_group, contact=made["vip"])
    return {
        **made,
        "kashan": kashan,
        "gold": gold,
        "fair": fair,
        "boss_position": boss,
        "group": group,
        "foreign_group": foreign_group,
        "plan": plan,
        "staff": staff,
    }


def names(user, **params) -> set[str]:
    return set(CONTACTS.rows(user, query(**params)).values_list("name", flat=True))


def everyone(user) -> set[str]:
    return set(Contact.objects.visible_to(user).values_list("name", flat=True))


def test_each_filter_narrows_to_its_contacts(personas, book):
    owner = personas.owner
    assert names(owner, vip="yes") == {"ستاره"}
    assert "ستاره" not in names(owner, vip="no")
    assert names(owner, role="agent") == {"نماینده"}
    assert names(owner, role=["agent", "supplier"]) == {"نماینده"}
    assert names(owner, role="employee") == set()
    assert names(owner, group=book["group"].pk) == {"نماینده"}
    assert names(owner, grade=book["gold"].pk) == {"درجه‌دار"}
    assert names(owner, source=book["fair"].pk) == {"نمایشگاهی"}
    assert names(owner, position=book["boss_position"].pk) == {"رئیس"}
    assert names(owner, kind="organization") == {"شرکت"}
    assert names(owner, status="customer") == {"خریدار"}
    assert names(owner, owner=personas.teammate.pk) == {"هم‌تیمی"}
    assert names(owner, owner="me") == everyone(owner) - {"هم‌تیمی"}
    assert names(owner, **{f"cf{book['plan'].pk}": "طلایی"}) == {"طلایی"}
    assert names(owner, id=[book["vip"].pk, book["agent"].pk]) == {"ستاره", "نماینده"}


def test_a_region_or_category_takes_its_whole_subtree(personas, book):
    owner = personas.owner
    province = book["kashan"].parent
    assert names(owner, region=province.pk) == names(owner, region=book["kashan"].pk)
    assert names(owner, region=province.pk) == {"کاشانی"}
    reading = CONTACTS.read(query(region=province.pk), owner)
    assert reading.chips[0][0] == f"موقعیت جغرافیایی: {province.name}"


def test_the_birth_month_is_the_jalali_month_kept_with_the_birthday(personas, book):
    owner = personas.owner
    assert names(owner, birth_month=1) == {"بهاری"}  # 21 March 1990: 1 Farvardin
    assert names(owner, birth_month=12) == {"زمستانی"}  # 20 March 1990: 29 Esfand
    winter = book["winter"]
    winter.birthday = datetime.date(1990, 7, 23)  # 1 Mordad
    winter.save(update_fields=["birthday"])
    assert names(owner, birth_month=5) == {"زمستانی"}
    winter.birthday = None
    winter.save()
    assert Contact.objects.get(pk=winter.pk).birth_month is None
    reading = CONTACTS.read(query(birth_month=1), owner)
    assert reading.chips[0][0] == "ماه تولد: فروردین"


def test_the_created_range_reads_jalali_iso_and_presets(personas, book):
    owner = personas.owner
    recent = everyone(owner) - {"تبریزی"}
    assert names(owner, created_period="this_month") == recent
    assert names(owner, created_period="today") == recent
    today = timezone.localdate()
    assert names(owner, created_from=today.isoformat()) == recent
    assert names(owner, created_to=(today - datetime.timedelta(days=300)).isoformat()) == {"تبریزی"}
    assert names(owner, created_to=today.isoformat()) == everyone(owner)


def test_what_cannot_be_read_is_a_persian_warning_and_filters_nothing(client, personas, book):
    owner = personas.owner
    odd = {
        "created_from": "1405/13/40",
        f"cf{book['staff'].pk}_from": "زیاد",
        "birth_month": "13",
        "vip": "maybe",
        "role": "king",
        "kind": "robot",
        "grade": "999999",
        "group": "x",
        "owner": "nobody",
        "region": "0",
        "id": "-3",
    }
    reading = CONTACTS.read(query(**odd), owner)
    assert any("تاریخ درستی نیست" in warning for warning in reading.warnings)
    assert any("این فیلتر به کار نرفت" in warning for warning in reading.warnings)
    assert names(owner, **odd) == everyone(owner)
    client.force_login(owner)
    page = client.get(reverse("contacts:list"), odd)
    assert page.status_code == 200
    html = page.content.decode()
    assert "تاریخ درستی نیست" in html and "این فیلتر به کار نرفت" in html
    assert "alert-warning" in html


def test_no_filter_widens_what_a_user_sees(personas, book):
    """Every filter pointed at the outsider's contact (which has everything) and at what
    only the outsider may see: their group, their id, their name. Nothing of theirs ever
    comes back, and their group's name is not told."""
    owner = personas.owner
    seen = everyone(owner)
    assert "بیرونی" not in seen
    foreign = book["foreign"]
    tries = [
        {"vip": "yes"},
        {"role": "supplier"},
        {"group": book["group"].pk},
        {"group": book["foreign_group"].pk},
        {"grade": book["gold"].pk},
        {"source": book["fair"].pk},
        {"position": book["boss_position"].pk},
        {"region": book["kashan"].pk},
        {"status": "customer", "kind": "organization"},
        {"birth_month": 1},
        {"owner": personas.outsider.pk},
        {"id": foreign.pk},
        {"q": "بیرونی"},
        {"q": foreign.code},
        {f"cf{book['plan'].pk}": "طلایی"},
        {f"cf{book['staff'].pk}_from": "10"},
    ]
    for params in tries:
        found = names(owner, **params)
        assert found <= seen and "بیرونی" not in found, params
    # Another user's send group is no option of the owner's: it filters nothing.
    assert names(owner, group=book["foreign_group"].pk) == seen
    reading = CONTACTS.read(query(), owner)
    group_filter = next(f for f in CONTACTS.filters if f.name == "group")
    assert [label for _value, label in group_filter.options(reading)] == ["خبرنامه"]


def test_messaging_adds_the_send_group_after_vip():
    order = [list_filter.name for list_filter in CONTACTS.filters]
    assert order[order.index("vip") + 1] == "group"
    assert order.count("group") == 1


def test_the_old_sort_values_keep_their_meaning(personas, book):
    owner = personas.owner

    def order(sort: str = "") -> list[str]:
        params = query(sort=sort) if sort else query()
        return list(CONTACTS.rows(owner, params).values_list("name", flat=True))

    newest_first = order()
    assert newest_first[-1] == "تبریزی"  # the oldest
    assert order("-created") == newest_first
    assert order("created")[0] == "تبریزی"
    assert order("nonsense") == newest_first
    assert order("name") == sorted(order("name"))
    assert order("-name") == list(reversed(order("name")))
    codes = list(CONTACTS.rows(owner, query(sort="-code")).values_list("code", flat=True))
    assert codes == sorted(codes, reverse=True)
    links = CONTACTS.sort_links(query(), CONTACTS.read(query(), owner))
    assert links["created"]["aria"] == "descending" and "sort=created" in links["created"]["query"]


def test_the_page_the_api_and_the_exports_give_the_same_rows(client, personas, book, auth):  # noqa: F811
    params = {"vip": "no", "created_period": "this_year", "sort": "name"}
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:list"), params)
    shown = [contact.name for contact in page.context["page"].items]
    assert shown == sorted(everyone(personas.owner) - {"ستاره", "تبریزی"})
    html = page.content.decode()
    assert "مشتری ویژه: خیر" in html and "تاریخ ثبت: امسال" in html  # the chips
    answer = client.get("/api/v1/contacts", params, headers=auth("owner")).json()
    assert [item["name"] for item in answer["items"]] == shown
    export = client.get(reverse("core:list_export", args=["contacts", "xlsx"]), params)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    name = [cell.value for cell in sheet[1]].index("نام")
    assert [row[name] for row in sheet.iter_rows(min_row=2, values_only=True)] == shown
    old = client.get(reverse("contacts:export", args=["csv"]), params)
    text = b"".join(old.streaming_content).decode("utf-8-sig")
    header, *lines = csv.reader(io.StringIO(text))
    assert [line[header.index("نام")] for line in lines] == shown
    cards = client.get(reverse("contacts:export", args=["vcf"]), params)
    vcards = b"".join(cards.streaming_content).decode()
    assert vcards.count("BEGIN:VCARD") == len(shown) and "ستاره" not in vcards


def test_the_htmx_results_carry_the_rows_only(client, personas, book):
    client.force_login(personas.owner)
    partial = client.get(
        reverse("contacts:list"),
        {"q": "نمایند", "vip": "no"},
        headers={"HX-Request": "true", "HX-Target": "contact-results"},
    )
    html = partial.content.decode()
    assert "نماینده" in html and "ستاره" not in html
    assert 'id="contact-filters"' not in html and "<html" not in html
    assert 'name="params" value="q=' in html  # «همه نتایج فیلتر» acts on this query


def test_a_message_to_the_listed_contacts_reads_the_list_s_rows(client, personas, book):
    """messaging's «پیام به این مخاطبین» and «افزودن به گروه ارسال» take the list's
    query (or its ticked rows) and count exactly the rows the list shows."""
    personas.owner.user_permissions.add(
        *__import__(
            "django.contrib.auth.models", fromlist=["Permission"]
        ).Permission.objects.filter(codename__in=["send_broadcast", "change_contactgroup"])
    )
    filters = list_filters(
        query(vip="yes", page=2, csrfmiddlewaretoken="x", **{"owner-person": "3"})
    )
    assert filters == "vip=yes"
    # The action bar's button (the bulk form, sent as GET) with nothing ticked: the
    # list's query it carries in ``params``, not its own fields.
    bar = list_filters(query(params="vip=yes&page=2", next="/contacts/", **{"owner-person": "3"}))
    assert bar == "vip=yes"
    ticked = list_filters(query(id=[book["vip"].pk], vip="yes"))
    assert ticked == f"id={book['vip'].pk}"
    client.force_login(personas.owner)
    compose = client.get(reverse("messaging:broadcast_create"), {"role": "agent"})
    assert compose.status_code == 200
    assert compose.context["recipient_count"] == len(names(personas.owner, role="agent")) == 1
    adding = client.get(reverse("messaging:group_add"), {"region": book["kashan"].pk})
    assert adding.context["count"] == 1


def test_a_saved_view_keeps_the_filters_and_the_columns_are_the_user_s(client, personas, book):
    client.force_login(personas.owner)
    url = reverse("contacts:list")
    saved = client.post(
        reverse("core:list_view_save", args=["contacts"]),
        {"name": "ویژه‌های فروردین", "params": "vip=yes&birth_month=1&sort=name"},
    )
    assert saved["Location"] == f"{url}?vip=yes&birth_month=1&sort=name"
    assert "ویژه‌های فروردین" in client.get(url).content.decode()
    client.post(
        reverse("core:list_columns", args=["contacts"]),
        {"columns": ["name", "mobile", "grade"], "params": ""},
    )
    page = client.get(url)
    assert [column.key for column in page.context["columns"]] == ["name", "mobile", "grade"]
    html = page.content.decode()
    assert "<th>درجه</th>" in html and "<th>شرکت</th>" not in html
    # The tick box stays first, whatever the columns.
    assert html.count('name="id" form="bulk-form"') == len(page.context["page"].items)


def test_who_may_not_see_send_groups_is_offered_none(personas, book):
    nobody = UserFactory()  # no role: no messaging permission
    group_filter = next(f for f in CONTACTS.filters if f.name == "group")
    assert group_filter.options(CONTACTS.read(query(), nobody)) == []
    owner_reading = CONTACTS.read(query(), personas.owner)
    assert group_filter.options(owner_reading) == [(str(book["group"].pk), "خبرنامه")]


def test_a_row_found_by_its_phone_says_so(client, personas):
    ContactFactory(owner=personas.owner, name="سارا نوری", phones=["+989121234567"])
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:list"), {"q": "۰۹۱۲۱۲۳"})
    html = page.content.decode()
    assert "سارا نوری" in html
    assert "تلفن: " in html and "<mark>۰۹۱۲۱۲۳</mark>" in html


def test_the_migration_fills_the_birth_months_of_stored_birthdays(personas):
    import importlib

    from django.apps import apps

    fill = importlib.import_module(
        "peyvand.contacts.migrations.0019_birth_month_vip_role_indexes"
    ).fill_birth_months
    spring = ContactFactory(owner=personas.owner, birthday=datetime.date(1990, 3, 21))
    winter = ContactFactory(owner=personas.owner, birthday=datetime.date(1990, 3, 20))
    unborn = ContactFactory(owner=personas.owner)
    Contact.objects.update(birth_month=None)  # as the rows were before the column
    fill(apps, None)
    months = dict(Contact.objects.values_list("pk", "birth_month"))
    assert (months[spring.pk], months[winter.pk], months[unborn.pk]) == (1, 12, None)
