import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from peyvand.activities.models import Call, Task
from peyvand.contacts.models import Contact
from peyvand.core.models import ChangeRecord
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def form_data(*, phones: list[tuple[str, str]] = (), **overrides) -> dict:
    """The contact form as a browser posts it, phone rows included."""
    data = {
        "kind": "person",
        "status": "prospect",
        "name": "مریم حسینی",
        "company": "",
        "code": "",
        "email": "",
        "national_id": "",
        "source": "",
        "birthday": "",
        "notes": "",
        "phones-TOTAL_FORMS": str(len(phones)),
        "phones-INITIAL_FORMS": "0",
    }
    for index, (kind, number) in enumerate(phones):
        data |= {f"phones-{index}-kind": kind, f"phones-{index}-number": number}
    return data | overrides


def test_it_creates_a_contact_with_a_jalali_birthday_in_persian_digits(client, personas):
    client.force_login(personas.owner)
    response = client.post(
        reverse("contacts:create"),
        form_data(
            birthday="۱۴۰۳/۱۲/۳۰",
            national_id="۰۰۱۲۳۴۵۶۷۹",
            phones=[
                ("mobile", "۰۹۱۲ ۳۴۵ ۶۷۸۹"),
                ("landline", "021-8877 6655"),
                ("internal", "۲۰۵"),
            ],
        ),
    )
    contact = Contact.objects.get(name="مریم حسینی")
    assert response.status_code == 302
    assert response.url == contact.get_absolute_url()
    assert contact.birthday == datetime.date(2025, 3, 20)
    assert contact.mobile == "+989123456789"
    assert [(p.kind, p.number) for p in contact.phones.all()] == [
        ("mobile", "+989123456789"),
        ("landline", "+982188776655"),
        ("internal", "205"),
    ]
    assert contact.national_id == "0012345679"
    assert contact.owner == personas.owner
    assert contact.code == "C000001"  # the next of the automatic series


def test_an_impossible_jalali_date_is_refused_in_persian_and_nothing_typed_is_lost(
    client, personas
):
    client.force_login(personas.owner)
    response = client.post(
        reverse("contacts:create"),
        form_data(birthday="۱۴۰۴/۱۲/۳۰", phones=[("mobile", "09123456789")]),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "وجود ندارد" in page
    assert 'value="۱۴۰۴/۱۲/۳۰"' in page
    assert 'value="مریم حسینی"' in page
    assert 'value="۰۹۱۲۳۴۵۶۷۸۹"' in page
    assert not Contact.objects.exists()


def test_a_wrong_national_id_is_refused_in_persian(client, personas):
    client.force_login(personas.owner)
    response = client.post(reverse("contacts:create"), form_data(national_id="0012345678"))
    assert "رقم کنترل" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_typed_code_that_exists_is_refused(client, personas, contact):
    client.force_login(personas.owner)
    response = client.post(reverse("contacts:create"), form_data(code=contact.code))
    assert response.status_code == 200
    assert Contact.objects.count() == 1


def test_editing_records_who_changed_what_and_the_page_shows_it(client, personas, contact):
    client.force_login(personas.teammate)
    client.post(
        reverse("contacts:edit", args=[contact.pk]),
        form_data(name="علی کریمی", company="صنایع پارس", code=contact.code, birthday="1370/01/01"),
    )
    change = ChangeRecord.objects.get(action="changed", object_id=contact.pk)
    assert change.user == personas.teammate
    assert {
        "field": "company",
        "label": "شرکت",
        "type": "text",
        "old": "صنایع مهرگان",
        "new": "صنایع پارس",
    } in change.changes
    page = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "صنایع مهرگان" in page and "صنایع پارس" in page
    assert "۱۳۷۰/۰۱/۰۱" in page  # the birthday change, in the reader's calendar


def test_deleting_moves_to_the_trash_and_a_manager_restores_it(client, personas, contact):
    client.force_login(personas.owner)
    client.post(reverse("contacts:delete", args=[contact.pk]))
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Contact.all_objects.get(pk=contact.pk).deleted_by == personas.owner
    assert client.get(reverse("contacts:detail", args=[contact.pk])).status_code == 404

    client.force_login(personas.manager)
    trash = client.get(reverse("core:trash")).content.decode()
    assert "علی کریمی" in trash
    client.post(reverse("core:trash_restore", args=["contacts.contact", contact.pk]))
    assert Contact.objects.filter(pk=contact.pk).exists()
    actions = list(
        ChangeRecord.objects.filter(object_id=contact.pk).values_list("action", flat=True)
    )
    assert actions == ["restored", "deleted"]


@pytest.mark.parametrize(
    "typed",
    ["علي كريمي", "علیکریمی", "کریمی", "كريمي", "مهرگان", "its code, lowercase"],
)
def test_the_list_finds_a_contact_by_any_spelling(client, personas, contact, typed):
    if typed == "its code, lowercase":
        # The factory's code (T00042) depends on how many contacts the process made before.
        typed = contact.code.lower()
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:list"), {"q": typed}).content.decode()
    assert "علی کریمی" in page


@pytest.mark.parametrize(
    "typed", ["۰۹۱۲ ۳۴۵ ۶۷۸۹", "09123456789", "+98 912 345 6789", "9123456789"]
)
def test_the_search_finds_a_mobile_typed_any_way(client, personas, typed):
    ContactFactory(owner=personas.owner, name="سارا نوری", phones=["+989123456789"])
    client.force_login(personas.owner)
    page = client.get(reverse("core:search"), {"q": typed}).content.decode()
    assert "سارا نوری" in page


def test_search_never_shows_what_the_user_may_not_see(client, personas, contact):
    client.force_login(personas.outsider)
    page = client.get(reverse("core:search"), {"q": "کریمی"}).content.decode()
    assert "علی کریمی" not in page
    page = client.get(reverse("contacts:list"), {"q": "کریمی"}).content.decode()
    assert "علی کریمی" not in page


def test_the_htmx_search_returns_only_the_suggestions(client, personas, contact):
    client.force_login(personas.owner)
    response = client.get(reverse("core:search"), {"q": "کریمی"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "علی کریمی" in page
    assert "<html" not in page


def test_the_list_pages_without_counting(client, personas):
    ContactFactory.create_batch(30, owner=personas.owner)
    client.force_login(personas.owner)
    first = client.get(reverse("contacts:list")).content.decode()
    second = client.get(reverse("contacts:list"), {"page": 2}).content.decode()
    assert "بعدی" in first and "قبلی" not in first
    assert "قبلی" in second and "بعدی" not in second
    assert len(re.findall(r'href="/contacts/\d+/"', second)) == 5


def test_the_list_escapes_what_users_typed_and_marks_the_chosen_filters(client, personas):
    from peyvand.contacts.models import Region
    from peyvand.lookups.models import AcquaintanceSource

    source = AcquaintanceSource.objects.create(name="<b>نمایشگاه</b>")
    kashan = Region.objects.get(name="کاشان")
    ContactFactory(
        owner=personas.owner,
        name='<script>alert("x")</script> & شرکا',
        company="<i>آلفا</i>",
        region=kashan,
        source=source,
        status=Contact.Status.CUSTOMER,
    )
    client.force_login(personas.owner)
    page = client.get(
        reverse("contacts:list"), {"region": kashan.pk, "source": source.pk, "status": "customer"}
    ).content.decode()
    assert "<script>alert" not in page and "<i>آلفا" not in page and "<b>نمایشگاه" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; شرکا" in page
    assert f'<option value="{kashan.pk}" selected>— کاشان</option>' in page
    assert f'<option value="{source.pk}" selected>&lt;b&gt;نمایشگاه&lt;/b&gt;</option>' in page
    assert '<option value="customer" selected>' in page


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_query_count_does_not_grow_with_rows(
    client, personas, django_assert_num_queries, rows
):
    ContactFactory.create_batch(rows, owner=personas.owner)
    client.force_login(personas.owner)
    # session, user, permissions (2), team ids, contacts, site settings; the bar's sources
    # whether set or not (owners, categories, regions, grades, sources, positions, the
    # send groups, the custom fields); the user's columns and the saved views
    with django_assert_num_queries(17):
        client.get(reverse("contacts:list"))


@pytest.mark.parametrize("edits", [1, 8])
def test_the_detail_query_count_does_not_grow_with_history(
    client, personas, django_assert_num_queries, edits
):
    contact = ContactFactory(owner=personas.owner)
    content_type = ContentType.objects.get_for_model(Contact)
    for number in range(edits):
        ChangeRecord.objects.create(
            content_type=content_type,
            object_id=contact.pk,
            user=personas.owner,
            action="changed",
            changes=[
                {
                    "field": "name",
                    "label": "نام",
                    "type": "text",
                    "old": f"نام {number}",
                    "new": "x",
                }
            ],
        )
        task = Task(owner=personas.owner, assignee=personas.owner, description=f"وظیفه {number}")
        task.related = contact
        task.save()
        Call.objects.create(owner=personas.owner, kind="incoming", number="+98912", contact=contact)
        LeadFactory(owner=personas.owner, contact=contact, title=f"سرنخ {number}")
    ContentType.objects.clear_cache()  # the same count whatever ran before
    client.force_login(personas.owner)
    # session, user, permissions (2), team ids, contact, its phones, bank accounts and
    # addresses, content type, settings, custom fields, the timeline's history, notes and
    # attachments, the attachments card
    # 16 of its own, + the messages card (the contact's messages, their Bale chat, the
    # user's groups), the
    # tasks and calls card (one query each), the leads card (one) and the customer's
    # sales summary (proformas, invoices, open leads: one each), the requests, complaints
    # and suggestions/gifts/discounts cards (one each), the survey summary (one), the
    # portal access card (one), the account card (one: the kept totals), the timeline's
    # automation items (rule runs, form submissions: one each)
    with django_assert_num_queries(33):
        page = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert page.count("نام ۰") == 1 and f"نام {edits - 1}".translate(PERSIAN) in page
    assert f"سرنخ {edits - 1}".translate(PERSIAN) in page
    assert f"وظیفه {edits - 1}".translate(PERSIAN) in page
    assert page.count("bi-telephone-inbound text-success") == edits


def test_the_edit_form_shows_stored_phones_the_iranian_way(client, personas):
    contact = ContactFactory(
        owner=personas.owner, phones=["+989123456789", ("landline", "+982188776655")]
    )
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:edit", args=[contact.pk])).content.decode()
    assert 'value="۰۹۱۲ ۳۴۵ ۶۷۸۹"' in page
    assert 'value="۰۲۱ ۸۸۷۷ ۶۶۵۵"' in page


def test_a_bad_phone_is_refused_in_persian_and_every_row_is_kept(client, personas):
    client.force_login(personas.owner)
    response = client.post(
        reverse("contacts:create"),
        form_data(
            phones=[("mobile", "0912 345 6789"), ("mobile", "12345"), ("landline", "0912 345 6789")]
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="۱۲۳۴۵"' in page and 'value="۰۹۱۲ ۳۴۵ ۶۷۸۹"' in page
    assert "شماره" in page and ("معتبر" in page or "درست" in page)
    assert not Contact.objects.exists()


def test_the_same_number_twice_is_refused(client, personas):
    client.force_login(personas.owner)
    response = client.post(
        reverse("contacts:create"),
        form_data(phones=[("mobile", "09123456789"), ("mobile", "+989123456789")]),
    )
    assert "دو بار" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_phone_fragment_does_not_match_across_two_numbers(client, personas):
    ContactFactory(
        owner=personas.owner,
        name="دو شماره",
        phones=["+989123456789", ("landline", "+982188776655")],
    )
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:list"), {"q": "678902"}).content.decode()
    assert "دو شماره" not in page


def test_editing_phones_is_recorded_in_the_history(client, personas, contact):
    client.force_login(personas.owner)
    client.post(
        reverse("contacts:edit", args=[contact.pk]),
        form_data(name=contact.name, code=contact.code, phones=[("mobile", "09121112233")]),
    )
    change = ChangeRecord.objects.get(action="changed", object_id=contact.pk)
    assert {"field": "phones_text", "label": "تلفن‌ها", "type": "text", "old": "",
            "new": "09121112233"} in change.changes  # fmt: skip


def test_a_duplicate_mobile_warns_with_a_link_and_saves_only_when_confirmed(
    client, personas, contact
):
    ContactFactory(owner=personas.owner, name="قبلی", phones=["+989123456789"])
    client.force_login(personas.owner)
    data = form_data(name="تازه", phones=[("mobile", "۰۹۱۲ ۳۴۵ ۶۷۸۹")])
    page = client.post(reverse("contacts:create"), data).content.decode()
    previous = Contact.objects.get(name="قبلی")
    assert "پیش‌تر" in page and f'href="{previous.get_absolute_url()}"' in page
    assert not Contact.objects.filter(name="تازه").exists()
    assert 'value="تازه"' in page  # nothing typed is lost

    client.post(reverse("contacts:create"), data | {"confirm_duplicates": "1"})
    assert Contact.objects.filter(name="تازه").exists()


def test_a_duplicate_owned_by_someone_invisible_is_announced_without_a_link(client, personas):
    hidden = ContactFactory(owner=personas.outsider, name="پنهان", national_id="0012345679")
    client.force_login(personas.owner)
    page = client.post(
        reverse("contacts:create"), form_data(name="تازه", national_id="0012345679")
    ).content.decode()
    assert "در فهرست شما نیست" in page
    assert hidden.get_absolute_url() not in page and "پنهان" not in page


def test_editing_a_contact_does_not_warn_about_itself(client, personas):
    contact = ContactFactory(owner=personas.owner, phones=["+989123456789"])
    client.force_login(personas.owner)
    response = client.post(
        reverse("contacts:edit", args=[contact.pk]),
        form_data(name="نام تازه", code=contact.code, phones=[("mobile", "09123456789")]),
    )
    assert response.status_code == 302


def test_a_person_is_linked_to_a_visible_organisation_only(client, personas):
    mine = ContactFactory(owner=personas.owner, kind="organization", name="شرکت من")
    hidden = ContactFactory(owner=personas.outsider, kind="organization", name="شرکت دیگران")
    client.force_login(personas.owner)
    client.post(reverse("contacts:create"), form_data(name="رابط", organization=hidden.pk))
    assert not Contact.objects.filter(name="رابط").exists()
    client.post(reverse("contacts:create"), form_data(name="رابط", organization=mine.pk))
    person = Contact.objects.get(name="رابط")
    assert person.organization == mine
    page = client.get(reverse("contacts:detail", args=[person.pk])).content.decode()
    assert "شرکت من" in page


def test_the_organisation_picker_suggests_only_visible_organisations(client, personas):
    ContactFactory(owner=personas.owner, kind="organization", name="صنایع مهرگان")
    ContactFactory(owner=personas.owner, kind="person", name="مهرگان احمدی")
    ContactFactory(owner=personas.outsider, kind="organization", name="مهرگان پنهان")
    client.force_login(personas.owner)
    results = client.get(
        reverse("contacts:autocomplete"), {"kind": "organization", "q": "مهرگان"}
    ).json()["results"]
    assert [r["text"].split(" (")[0] for r in results] == ["صنایع مهرگان"]


def test_grade_vip_roles_and_credit_are_saved_and_shown(client, personas):
    from peyvand.lookups.models import Grade

    gold = Grade.objects.get(name="الف")
    client.force_login(personas.owner)
    client.post(
        reverse("contacts:create"),
        form_data(
            name="مشتری طلایی", grade=gold.pk, is_vip="on", roles=["customer", "agent"],
            credit_limit="۵۰٬۰۰۰٬۰۰۰", payment_method="cheque", economic_code="10380284790",
            postal_code="۱۲۳۴۵-۶۷۸۹۰", website="example.ir",
        ),
    )  # fmt: skip
    contact = Contact.objects.get(name="مشتری طلایی")
    assert (contact.grade, contact.is_vip, contact.roles) == (gold, True, ["customer", "agent"])
    assert contact.credit_limit == 50_000_000 and contact.postal_code == "1234567890"
    assert contact.website == "https://example.ir"
    page = client.get(reverse("contacts:list")).content.decode()
    assert "ویژه" in page and "text-bg-warning" in page  # the grade's colour in the list
    detail = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "۵۰٬۰۰۰٬۰۰۰ ریال" in detail and "نماینده فروش" in detail


def test_a_bad_economic_code_is_refused_in_persian(client, personas):
    client.force_login(personas.owner)
    response = client.post(reverse("contacts:create"), form_data(economic_code="123"))
    assert response.status_code == 200
    assert not Contact.objects.exists()
    assert "کد اقتصادی" in response.content.decode()


def test_a_one_or_two_character_query_looks_up_codes_and_says_so(client, personas):
    ContactFactory(owner=personas.owner, name="بی", code="B7")
    ContactFactory(owner=personas.owner, name="بیژن", code="X9")
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:list"), {"q": "b7"}).content.decode()
    assert "بیژن" not in page and ">بی<" in page
    assert "دست‌کم ۳ حرف" in page


def test_the_list_sorts_by_name_both_ways(client, personas):
    for name in ["بهرام", "آرش", "ژاله"]:
        ContactFactory(owner=personas.owner, name=name)
    client.force_login(personas.owner)

    def names(sort: str) -> list[str]:
        page = client.get(reverse("contacts:list"), {"sort": sort}).content.decode()
        return re.findall(r'<a href="/contacts/\d+/">([^<]+)</a>', page)

    assert names("name") == sorted(names("name"))
    assert names("-name") == list(reversed(names("name")))
    assert names("nonsense") == names("-created")


# The contact list's owner change (contacts.lists.HAND_OVER), run by core's bulk view.
BULK_OWNER = "/lists/contacts/bulk/owner/"


def test_a_rep_hands_ticked_contacts_to_a_teammate_and_history_says_so(client, personas):
    first, second = ContactFactory.create_batch(2, owner=personas.owner)
    hidden = ContactFactory(owner=personas.outsider)
    client.force_login(personas.owner)
    client.post(
        BULK_OWNER,
        {"id": [first.pk, second.pk, hidden.pk], "owner-person": personas.teammate.pk},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    hidden.refresh_from_db()
    assert first.owner == second.owner == personas.teammate
    assert hidden.owner == personas.outsider  # not visible to the rep: untouched
    change = ChangeRecord.objects.get(object_id=first.pk, action="changed")
    assert change.changes[0]["new"] == str(personas.teammate)


def test_a_rep_hands_every_filtered_contact_to_a_teammate(client, personas):
    """«همه نتایج فیلتر»: the list's rows under its query (what the page showed), not
    what is ticked; nothing the rep may not see, and nothing without a new owner."""
    vip = ContactFactory(owner=personas.owner, name="ویژه یک", is_vip=True)
    plain = ContactFactory(owner=personas.owner, name="عادی")
    hidden = ContactFactory(owner=personas.outsider, name="ویژه پنهان", is_vip=True)
    client.force_login(personas.owner)
    url = BULK_OWNER
    answer = client.post(url, {"all": "1", "params": "vip=yes", "next": "/contacts/?vip=yes"})
    assert answer.url == "/contacts/?vip=yes"  # no new owner: nothing changes
    client.post(url, {"all": "1", "params": "vip=yes", "owner-person": personas.teammate.pk})
    owners = dict(Contact.objects.values_list("pk", "owner_id"))
    assert owners[vip.pk] == personas.teammate.pk
    assert owners[plain.pk] == personas.owner.pk
    assert owners[hidden.pk] == personas.outsider.pk


def test_exporting_ticked_contacts_exports_only_those(client, personas):
    first, _second = ContactFactory.create_batch(2, owner=personas.owner)
    client.force_login(personas.owner)
    response = client.get(reverse("contacts:export", args=["csv"]), {"id": [first.pk]})
    text = b"".join(response.streaming_content).decode()
    assert first.name in text and _second.name not in text


def test_bulk_owner_change_returns_only_to_this_site(client, personas):
    contact = ContactFactory(owner=personas.owner)
    client.force_login(personas.owner)
    data = {"id": [contact.pk], "owner-person": personas.teammate.pk}
    response = client.post(BULK_OWNER, data | {"next": "https://evil.example/"})
    assert response.url == reverse("contacts:list")
    response = client.post(BULK_OWNER, data | {"next": "/contacts/?q=x"})
    assert response.url == "/contacts/?q=x"
