"""The planner knows which columns go together (extended statistics, created by
migrations): without them, a rep's team filter on another team walked every lead
(sales 0020), and a rep's contacts in a status they have none of walked the whole
status index (contacts 0023)."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner only"),
]


@pytest.mark.parametrize(
    ("name", "columns", "target"),
    [
        ("lead_people", ["next_by_id", "owner_id", "responsible_id"], -1),
        # One most-common pair per owner and status: room for a thousand.
        ("contact_owner_status", ["owner_id", "status"], 1000),
    ],
)
def test_joint_statistics(name, columns, target):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxkind, stxstattarget, array(SELECT attname FROM pg_attribute a "
            "WHERE a.attrelid = s.stxrelid AND a.attnum = ANY(s.stxkeys) ORDER BY attname) "
            "FROM pg_statistic_ext s WHERE stxname = %s",
            [name],
        )
        kinds, stattarget, found = cursor.fetchone()
    assert set(kinds) >= {"m", "f"}  # most common values, functional dependencies
    assert found == columns
    assert stattarget == target  # -1: the columns' own
