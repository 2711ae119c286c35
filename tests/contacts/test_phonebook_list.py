"""The phone book on core.lists (contacts.lists.PHONEBOOK): its text, tab and owner
filters each narrow, none widens what a user sees (public entries and their own), the
old ``?tab=`` links and the API's ``scope`` still work, the staff tab is the staff
directory, and the page, the API and the export give the same rows."""

import csv
import io

import pytest
from django.urls import reverse

from peyvand.contacts import services
from peyvand.contacts.lists import PHONEBOOK
from peyvand.contacts.models import PhoneBookEntry
from peyvand.core.digits import localize_html
from tests.api.test_api import auth  # noqa: F401 - a fixture
from tests.lists import query

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(personas):
    """The owner's two personal numbers, a public one of the owner, a public one of the
    teammate, and the outsider's personal number, which nobody else sees."""

    def add(owner, **fields):
        return services.phonebook_save(entry=PhoneBookEntry(owner=owner, **fields), by=owner)

    return {
        "plumber": add(owner=personas.owner, name="لوله‌کش محل", mobile="+989125554433"),
        "accountant": add(owner=personas.owner, name="حسابداری البرز", company="پخش البرز"),
        "guard": add(owner=personas.owner, name="نگهبانی", extension="101", is_public=True),
        "courier": add(owner=personas.teammate, name="پیک البرز", job_title="پیک", is_public=True),
        "secret": add(owner=personas.outsider, name="البرز خصوصی", email="a@alborz.ir"),
    }


def in_order(user, **params) -> list[str]:
    return [entry.name for entry in PHONEBOOK.rows(user, query(**params))]


def names(user, **params) -> set[str]:
    return set(in_order(user, **params))


def test_everything_visible_by_name(personas, book):
    ascending = in_order(personas.owner)
    assert set(ascending) == {"پیک البرز", "حسابداری البرز", "لوله‌کش محل", "نگهبانی"}
    assert in_order(personas.owner, sort="-name") == ascending[::-1]
    assert names(personas.outsider) == {"البرز خصوصی", "پیک البرز", "نگهبانی"}


def test_the_text_finds_names_companies_titles_numbers_and_emails(personas, book):
    assert names(personas.owner, q="البرز") == {"پیک البرز", "حسابداری البرز"}
    assert names(personas.owner, q="پخش") == {"حسابداری البرز"}
    assert names(personas.owner, q="۰۹۱۲ ۵۵۵") == {"لوله‌کش محل"}
    # One or two characters: the start of a name.
    assert names(personas.owner, q="نگ") == {"نگهبانی"}
    # Another's personal entry is not found by its email.
    assert names(personas.owner, q="alborz.ir") == set()


def test_the_tab_and_the_owner_narrow(personas, book):
    owner = personas.owner
    assert names(owner, tab="mine") == {"حسابداری البرز", "لوله‌کش محل", "نگهبانی"}
    assert names(owner, tab="public") == {"پیک البرز", "نگهبانی"}
    # «همه» and an unknown tab filter nothing (old links: ?tab=all).
    assert names(owner, tab="all") == names(owner, tab="nonsense") == names(owner)
    assert names(owner, owner=str(personas.teammate.pk)) == {"پیک البرز"}
    assert names(owner, owner="me", tab="public") == {"نگهبانی"}


def test_no_filter_shows_another_users_personal_entry(personas, book):
    owner = personas.owner
    assert names(owner, owner=str(personas.outsider.pk)) == set()
    assert names(owner, q="خصوصی") == set()
    assert names(personas.manager, owner=str(personas.outsider.pk)) == set()


def test_the_page_keeps_its_tabs_and_live_search(client, personas, book):
    client.force_login(personas.owner)
    url = reverse("phonebook:list")
    page = client.get(url, {"tab": "mine"})
    assert {row.name for row in page.context["page"].items} == {
        "حسابداری البرز", "لوله‌کش محل", "نگهبانی",
    }  # fmt: skip
    assert 'aria-current="page" href="/phonebook/?tab=mine"' in page.content.decode()
    # Typing asks for the results only.
    partial = client.get(
        url, {"q": "پیک"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="phonebook-results"
    )
    text = partial.content.decode()
    assert "پیک البرز" in text and "<h1" not in text and "نگهبانی" not in text


def test_the_staff_tab_is_the_staff_directory(client, personas):
    personas.teammate.extension = "214"
    personas.teammate.save()
    client.force_login(personas.owner)
    page = client.get(reverse("phonebook:list"), {"tab": "staff", "q": "214"})
    assert list(page.context["page"].items) == [personas.teammate]
    export = client.get(reverse("core:list_export", args=["phonebook", "csv"]), {"tab": "staff"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    header, *lines = csv.reader(io.StringIO(text))
    assert header == ["نام", "داخلی", "تلفن همراه"] and len(lines) == 1


def test_the_page_the_api_and_the_export_give_the_same_rows(client, personas, book, auth):  # noqa: F811
    params = {"q": "البرز", "tab": "public", "owner": str(personas.teammate.pk), "sort": "-name"}
    client.force_login(personas.owner)
    shown = [row.pk for row in client.get(reverse("phonebook:list"), params).context["page"].items]
    assert shown == [book["courier"].pk]
    answer = client.get("/api/v1/phonebook", params, headers=auth("owner")).json()
    assert [item["id"] for item in answer["items"]] == shown
    export = client.get(reverse("core:list_export", args=["phonebook", "csv"]), params)
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    header, *lines = csv.reader(io.StringIO(text))
    assert [line[header.index("نام")] for line in lines] == ["پیک البرز"]
    # Without filters, sorted by name both ways.
    every = client.get("/api/v1/phonebook", {"sort": "-name"}, headers=auth("owner")).json()
    assert [item["name"] for item in every["items"]] == in_order(personas.owner, sort="-name")


def test_the_api_still_reads_scope_and_documents_the_list_parameters(client, personas, book, auth):  # noqa: F811
    mine = client.get("/api/v1/phonebook", {"scope": "mine"}, headers=auth("owner")).json()
    assert {item["name"] for item in mine["items"]} == {"حسابداری البرز", "لوله‌کش محل", "نگهبانی"}
    public = client.get("/api/v1/phonebook", {"scope": "public"}, headers=auth("owner")).json()
    assert {item["name"] for item in public["items"]} == {"پیک البرز", "نگهبانی"}
    assert (
        client.get("/api/v1/phonebook", {"tab": "staff"}, headers=auth("owner")).status_code == 422
    )

    from peyvand.api.api import api

    operation = api.get_openapi_schema()["paths"]["/api/v1/phonebook"]["get"]
    documented = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    declared = {name for f in PHONEBOOK.filters for name in f.parameters()} | {"sort", "page"}
    assert documented == declared | {"scope"}


def test_a_number_search_marks_the_number_in_the_row(client, personas, book):
    """The search matches national digits (0912…), typed in any digits or with +98; the
    row marks the number as it shows it. Found by the list's browser journey: the row
    compared the stored +98… form, so a matched number was never marked."""
    client.force_login(personas.owner)

    def first_cells(q):
        page = client.get(reverse("phonebook:list"), {"q": q})
        # As the reader sees them: the page goes through the display rule (core.digits).
        return [localize_html(cells[0]) for _classes, cells in page.context["cells"]]

    marked = 'تلفن: <bdi dir="ltr" class="text-nowrap"><mark>۰۹۱۲ ۵۵۵</mark> ۴۴۳۳</bdi>'
    [cell] = first_cells("۰۹۱۲۵۵۵")
    assert "لوله‌کش محل" in cell and marked in cell
    [cell] = first_cells("+98 912 555")
    assert marked in cell
    [cell] = first_cells("101")
    assert 'داخلی: <bdi dir="ltr" class="text-nowrap"><mark>۱۰۱</mark></bdi>' in cell
