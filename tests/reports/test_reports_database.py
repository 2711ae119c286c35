"""Reports read from the reports database (a streaming replica in production,
REPORTS_DATABASE_URL; here the "reports" alias is a test mirror of the default
database): their queries go through that connection, writes never do, and a report
run inside a transaction on the primary reads the primary, which holds its writes."""

from contextlib import nullcontext

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peyvand.lookups.models import FollowUpResult
from peyvand.reports.definitions import REPORTS_BY_SLUG
from peyvand.reports.forms import ReportFilterForm
from peyvand.sales.models import FollowUp
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "reports"])


def report_tables(queries) -> list[str]:
    return [query["sql"] for query in queries if "sales_followup" in query["sql"]]


def test_the_report_page_and_the_dashboard_read_through_the_reports_alias(
    client, personas, settings
):
    settings.REPORTS_DATABASE = "reports"
    lead = LeadFactory(owner=personas.owner, responsible=personas.owner, title="خرید یخچال")
    first_call = FollowUpResult.objects.get_or_create(name="تماس اولیه")[0]
    FollowUp.objects.create(lead=lead, owner=personas.owner, result=first_call)
    client.force_login(personas.manager)
    for url in (reverse("reports:show", args=["followups"]), reverse("reports:dashboard")):
        with (
            CaptureQueriesContext(connections["reports"]) as replica,
            CaptureQueriesContext(connections["default"]) as primary,
        ):
            response = client.get(url)
        assert response.status_code == 200
        assert report_tables(replica.captured_queries), url
        assert not report_tables(primary.captured_queries), url
        assert all(query["sql"].startswith("SELECT") for query in replica.captured_queries)
    page = client.get(reverse("reports:show", args=["followups"])).content.decode()
    assert "تماس اولیه" in page  # the one follow-up's result, read from the replica


def test_without_a_replica_or_inside_a_transaction_reports_read_the_primary(personas, settings):
    report = REPORTS_BY_SLUG["followups"]
    form = ReportFilterForm({"period": "this_quarter"}, report=report)
    assert form.is_valid()
    for replica, atomic in (("default", False), ("reports", True)):
        settings.REPORTS_DATABASE = replica
        with (
            CaptureQueriesContext(connections["reports"]) as reports,
            CaptureQueriesContext(connections["default"]) as primary,
            transaction.atomic() if atomic else nullcontext(),
        ):
            report.result(form.filters(), personas.manager)
        assert report_tables(primary.captured_queries)
        assert not reports.captured_queries
