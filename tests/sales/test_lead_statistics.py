"""The planner knows whose leads go together (sales migration 0020): without the
extended statistics a rep's team filter on another team walked every lead."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner only")
def test_the_leads_people_have_joint_statistics():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxkind, array(SELECT attname FROM pg_attribute a WHERE a.attrelid = "
            "s.stxrelid AND a.attnum = ANY(s.stxkeys) ORDER BY attname) "
            "FROM pg_statistic_ext s WHERE stxname = 'lead_people'"
        )
        kinds, columns = cursor.fetchone()
    assert set(kinds) >= {"m", "f"}  # most common values, functional dependencies
    assert columns == ["next_by_id", "owner_id", "responsible_id"]
