"""The project list on core.lists (surveys.lists.PROJECTS): status, customer, owner and
start-date filters each narrow, bad values warn in Persian and filter nothing, no filter
widens what a user sees, newest first (and back), and the page and the export give the
same rows."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from peyvand.core.dates import format_date
from peyvand.surveys.lists import PROJECTS
from peyvand.surveys.models import Project
from tests.factories import ContactFactory
from tests.lists import query

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def projects(personas):
    """Three projects of the owner's team (two for one customer) and one of the other
    team, which the owner never sees."""
    mine = ContactFactory(owner=personas.owner, name="فروشگاه آریا")
    other = ContactFactory(owner=personas.owner, name="صنایع مهرگان")
    theirs = ContactFactory(owner=personas.outsider, name="بازرگانی دور")
    add = Project.objects.create
    return {
        "customer": mine,
        "theirs": theirs,
        "install": add(owner=personas.owner, contact=mine, name="نصب", start=days(-40),
                       status=Project.Status.DONE),
        "support": add(owner=personas.owner, contact=mine, name="پشتیبانی", start=days(-3),
                       status=Project.Status.ACTIVE),
        "network": add(owner=personas.teammate, contact=other, name="شبکه", start=days(10)),
        "far": add(owner=personas.outsider, contact=theirs, name="دوردست", start=days(-1),
                   status=Project.Status.ACTIVE),
    }  # fmt: skip


def names(user, **params) -> list[str]:
    return [project.name for project in PROJECTS.rows(user, query(**params))]


def test_newest_first_and_back(personas, projects):
    assert names(personas.owner) == ["شبکه", "پشتیبانی", "نصب"]
    assert names(personas.owner, sort="-start") == ["نصب", "پشتیبانی", "شبکه"]
    assert names(personas.manager) == ["شبکه", "دوردست", "پشتیبانی", "نصب"]


def test_each_filter_narrows(personas, projects):
    owner = personas.owner
    assert names(owner, status="active") == ["پشتیبانی"]
    assert names(owner, contact=str(projects["customer"].pk)) == ["پشتیبانی", "نصب"]
    assert names(owner, owner="me") == ["پشتیبانی", "نصب"]
    assert names(owner, owner=str(personas.teammate.pk)) == ["شبکه"]
    assert names(owner, start_from=format_date(days(-5))) == ["شبکه", "پشتیبانی"]
    assert names(owner, start_to=days(-5).isoformat()) == ["نصب"]
    assert names(owner, start_period="today") == []


def test_bad_values_warn_in_persian_and_filter_nothing(personas, projects):
    reading = PROJECTS.read(query(start_from="1405/13/40", status="lost"), personas.owner)
    assert reading.warnings and all(
        any("\u0600" <= c <= "\u06ff" for c in w) for w in reading.warnings
    )
    assert names(personas.owner, start_from="1405/13/40", status="lost") == names(personas.owner)


def test_no_filter_widens_what_a_user_sees(personas, projects):
    owner = personas.owner
    assert names(owner, contact=str(projects["theirs"].pk)) == []
    assert names(owner, owner=str(personas.outsider.pk)) == []
    assert names(owner, status="active", start_period="this_year") in (["پشتیبانی"], [])


def test_the_page_and_the_export_give_the_same_rows(client, personas, projects):
    params = {"contact": str(projects["customer"].pk), "owner": "me", "sort": "-start"}
    client.force_login(personas.owner)
    page = client.get(reverse("surveys:project_list"), params)
    assert [row.name for row in page.context["page"].items] == ["نصب", "پشتیبانی"]
    text = page.content.decode()
    assert "فروشگاه آریا" in text and "دوردست" not in text
    assert f"?contact={projects['customer'].pk}" in text  # «پروژه تازه» for that customer
    export = client.get(reverse("core:list_export", args=["projects", "csv"]), params)
    content = b"".join(export.streaming_content).decode("utf-8-sig")
    header, *lines = csv.reader(io.StringIO(content))
    assert [line[header.index("پروژه")] for line in lines] == ["نصب", "پشتیبانی"]
