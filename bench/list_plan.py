"""One list's first page, explained: the plan PostgreSQL runs for a list (core.lists) with
the given parameters, read by a manager or by the bench's rep of that list, with
ANALYZE and BUFFERS. For the cases bench/lists_scale.py reports over target: a plan
shows which index a filter walks and how many rows it threw away, which holds even on a
busy machine where the timings do not.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench \\
        .venv/bin/python bench/list_plan.py contacts rep status=inactive
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")

import django

django.setup()

import lists_scale  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402

from peyvand.core.lists import LISTS  # noqa: E402


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[2] not in ("manager", "rep"):
        sys.exit(__doc__)
    key, who, *pairs = sys.argv[1:]
    spec = LISTS[key]
    params = QueryDict(mutable=True)
    for pair in pairs:
        name, value = pair.split("=", 1)
        params.appendlist(name, value)
    if who == "manager":
        user = lists_scale.manager_user()
    else:
        newest = spec.model._default_manager.order_by("-pk").values_list("pk", flat=True)
        user = lists_scale.rep_for(spec, list(newest[:2000]))
    print(f"{spec.key} read by {user} (team {sorted(user.team_member_ids())})")
    rows = spec.rows(lists_scale._fresh(user), params)
    # As the page reads them (core.pagination.paginate).
    rows = rows.first_rows(26)[:26] if hasattr(rows, "first_rows") else rows[:26]
    sql, sql_params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", sql_params)
        print("\n".join(line for (line,) in cursor.fetchall()))


if __name__ == "__main__":
    main()
