"""The phone book: personal numbers only their owner sees, public numbers everyone
sees, colleagues' extensions; searchable like contacts, in the top-bar search too."""

import pytest
from django.test import Client
from django.urls import reverse

from peyvand.accounts.models import ApiToken
from peyvand.contacts.models import PhoneBookEntry
from peyvand.customfields.models import CustomField

pytestmark = pytest.mark.django_db


def entry_data(**overrides) -> dict:
    data = {
        "name": "حسابداری پخش البرز",
        "company": "",
        "job_title": "",
        "mobile": "",
        "phone": "",
        "extension": "",
        "email": "",
        "address": "",
        "notes": "",
    }
    return data | overrides


def test_a_personal_number_is_its_owners_alone_and_a_public_one_everyones(client, personas):
    client.force_login(personas.owner)
    client.post(reverse("phonebook:create"), entry_data(name="آقای نجار", mobile="۰۹۱۲ ۵۵۵ ۴۴۳۳"))
    client.post(
        reverse("phonebook:create"),
        entry_data(name="انبار مرکزی", phone="021-66554433", is_public="on"),
    )
    personal = PhoneBookEntry.objects.get(name="آقای نجار")
    assert personal.mobile == "+989125554433" and not personal.is_public
    for viewer in (personas.teammate, personas.manager):
        browser = Client()  # another person's browser
        browser.force_login(viewer)
        page = browser.get(reverse("phonebook:list")).content.decode()
        assert "انبار مرکزی" in page and "آقای نجار" not in page
        assert browser.get(personal.get_absolute_url()).status_code == 404
    client.force_login(personas.owner)
    mine = client.get(reverse("phonebook:list"), {"tab": "mine"}).content.decode()
    assert "آقای نجار" in mine and "انبار مرکزی" in mine


def test_the_phone_book_is_found_by_number_fragments_and_arabic_letters_in_the_top_bar(
    client, personas
):
    PhoneBookEntry.objects.create(
        owner=personas.owner, name="تعمیرکار کولر", numbers_text="09125554433", is_public=True
    )
    client.force_login(personas.teammate)
    page = client.get(reverse("phonebook:list"), {"q": "۵۵۵ ۴۴۳۳"}).content.decode()
    assert "تعمیرکار کولر" in page
    page = client.get(reverse("core:search"), {"q": "تعميركار"}).content.decode()
    assert "دفترچه تلفن" in page and "تعمیرکار کولر" in page


def test_only_its_owner_or_a_manager_edits_a_public_number(client, personas):
    entry = PhoneBookEntry.objects.create(
        owner=personas.owner, name="پیک", mobile="+989121112222", is_public=True
    )
    client.force_login(personas.teammate)
    url = reverse("phonebook:edit", args=[entry.pk])
    assert client.get(url).status_code == 403
    assert client.post(reverse("phonebook:delete", args=[entry.pk])).status_code == 403
    client.force_login(personas.manager)
    data = entry_data(name="پیک موتوری", mobile="09121112222")
    assert client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.name == "پیک موتوری" and entry.is_public  # sharing stays its owner's choice


def test_a_number_is_required_and_what_was_typed_is_kept(client, personas):
    client.force_login(personas.owner)
    page = client.post(reverse("phonebook:create"), entry_data(company="پخش البرز")).content
    page = page.decode()
    assert "دست‌کم یکی از تلفن همراه" in page and 'value="پخش البرز"' in page
    page = client.post(reverse("phonebook:create"), entry_data(mobile="0812")).content.decode()
    assert "معتبر نیست" in page and 'value="۰۸۱۲"' in page
    assert not PhoneBookEntry.objects.exists()


def test_colleagues_extensions_are_listed(client, personas):
    personas.teammate.extension = "214"
    personas.teammate.save()
    client.force_login(personas.owner)
    page = client.get(reverse("phonebook:list"), {"tab": "staff", "q": "214"}).content.decode()
    assert str(personas.teammate) in page and "۲۱۴" in page


def test_managers_extra_fields_appear_on_phone_book_entries(client, personas):
    field = CustomField.objects.create(target="contacts.phonebookentry", label="ساعت پاسخ‌گویی")
    client.force_login(personas.owner)
    data = entry_data(mobile="09121112222") | {f"custom_{field.pk}": "۹ تا ۱۷"}
    response = client.post(reverse("phonebook:create"), data)
    entry = PhoneBookEntry.objects.get()
    assert entry.custom == {field.key: "9 تا 17"}
    assert "ساعت پاسخ‌گویی" in client.get(response.url).content.decode()


def test_the_api_lists_what_the_caller_may_see_and_creates_entries(client, personas):
    PhoneBookEntry.objects.create(owner=personas.outsider, name="خصوصی دیگری", mobile="+1")
    PhoneBookEntry.objects.create(owner=personas.outsider, name="عمومی", is_public=True)
    token = ApiToken.issue(user=personas.owner)[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    created = client.post(
        "/api/v1/phonebook",
        {"name": "نگهبانی", "extension": "۱۰۱"},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201 and created.json()["extension"] == "101"
    bad = client.post(
        "/api/v1/phonebook", {"name": "بی‌شماره"}, content_type="application/json", **auth
    )
    assert bad.status_code == 422
    names = {item["name"] for item in client.get("/api/v1/phonebook", **auth).json()["items"]}
    assert names == {"نگهبانی", "عمومی"}
    regions = client.get("/api/v1/regions", **auth).json()
    assert any(node["name"] == "اصفهان" and node["depth"] == 0 for node in regions)
