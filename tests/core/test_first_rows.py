"""A reader who sees a few owners' rows gets a page read one owner at a time
(core.models.VisibleQuerySet.first_rows, on PostgreSQL): exactly the rows and order the
plain query gives, in one query, whatever the sort, direction, page or filter."""

import datetime
import random

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peyvand.accounts.roles import SALES
from peyvand.contacts.models import Contact
from peyvand.core.lists import LISTS
from peyvand.core.models import OWNER_RANGES_LIMIT
from peyvand.core.pagination import paginate
from tests.factories import ContactFactory, TeamFactory, UserFactory

ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def team_of_three(personas):
    """The owner's team grown to three; each member's contacts interleaved by date and
    code with the others' and with an outsider's."""
    third = UserFactory(username="third", role=SALES)
    personas.owner.teams.first().members.add(third)
    chooser = random.Random(25)
    start = timezone.now() - datetime.timedelta(days=60)
    owners = [personas.owner, personas.teammate, third, personas.outsider]
    for _ in range(48):
        ContactFactory(
            owner=chooser.choice(owners),
            status=chooser.choice([Contact.Status.PROSPECT, Contact.Status.CUSTOMER]),
            created_at=start + datetime.timedelta(hours=chooser.randrange(1000)),
        )
    return personas.owner


def _page(user, query: str, number: int):
    spec = LISTS["contacts"]
    rows = spec.rows(user, QueryDict(query))
    return rows, paginate(rows, number, 5)


@pytest.mark.parametrize("sort", ["code", "-code", "created", "-created", "name"])
@pytest.mark.parametrize("filters", ["", "status=customer"])
def test_a_teams_page_is_the_plain_querys_page(team_of_three, sort, filters):
    for number in (1, 2, 4):
        rows, page = _page(team_of_three, f"sort={sort}&{filters}", number)
        everything = list(rows.all())  # the plain query, read whole
        offset = (number - 1) * 5
        assert page.items == everything[offset : offset + 5]
        assert page.has_next == (len(everything) > offset + 5)
        assert {row.owner.username for row in everything} <= {"owner", "teammate", "third"}


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the ranges are read on PostgreSQL alone")
def test_a_teams_first_page_by_code_reads_each_owners_range_in_one_query(team_of_three):
    with CaptureQueriesContext(connection) as queries:
        _page(team_of_three, "sort=-code", 1)
    (page_sql,) = [q["sql"] for q in queries if "contacts_contact" in q["sql"]]
    assert page_sql.count("UNION ALL") == 2  # three owners, three ranges
    # An array read first, once: a semi-join (``id IN (…)``) let the planner join the
    # team's every row against the ranges (68,000 rows for a page, 688 ms).
    assert '"contacts_contact"."id" = ANY(ARRAY(' in page_sql
    # A range says only its own owner: with the team's IN (…) beside it, PostgreSQL took
    # the two for independent and an owner's 23,000 messages for 1,000.
    assert page_sql.count('"owner_id" IN (') == 1
    # Each owner's first page and one more, and the page itself.
    assert page_sql.count("LIMIT 6") == 4
    # Each range can be read as one owner's stretch of the index on (owner, code),
    # already in order (the test's few rows would rather be sorted: sorting is made
    # dear, not the plan chosen).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {page_sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert plan.count("contact_owner_code") == 3, plan


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the ranges are read on PostgreSQL alone")
def test_who_sees_all_one_owner_or_a_large_team_reads_the_page_as_it_is(personas):
    big = TeamFactory()
    crowd = [UserFactory(role=SALES) for _ in range(OWNER_RANGES_LIMIT + 1)]
    big.members.add(*crowd)
    loner = UserFactory(role=SALES)
    for reader in (personas.manager, loner, crowd[0]):
        with CaptureQueriesContext(connection) as queries:
            _page(reader, "sort=-code", 1)
        assert not any("UNION" in q["sql"] for q in queries), reader
    with CaptureQueriesContext(connection) as queries:
        _page(personas.owner, "sort=-code", 1)
    assert any("UNION ALL" in q["sql"] for q in queries)
