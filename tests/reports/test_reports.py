"""Reports: each opens for the current Jalali quarter, its chart is its table's numbers,
it counts only what the reader may see, and it exports to Excel and PDF."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.roles import MANAGER, SALES, SUPPORT
from peyvand.core.periods import period_range
from peyvand.lookups.models import FollowUpResult, Urgency
from peyvand.reports.definitions import REPORTS
from peyvand.sales.models import FollowUp, Lead, Quote, QuoteLine
from peyvand.sales.services import lead_close, quote_save, quote_set_status, quote_to_invoice
from peyvand.service import services as service_services
from peyvand.service.models import Complaint, Request
from tests.factories import ContactFactory, LeadFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db):
    manager = UserFactory(username="chief", role=MANAGER, first_name="مریم", last_name="احمدی")
    rep = UserFactory(username="rep", role=SALES, first_name="رضا", last_name="رضایی")
    teammate = UserFactory(username="mate", role=SALES, first_name="سارا", last_name="نیکو")
    outsider = UserFactory(username="far", role=SALES, first_name="بهرام", last_name="دور")
    agent = UserFactory(username="agent", role=SUPPORT, first_name="کاوه", last_name="مرادی")
    TeamFactory(name="فروش").members.add(rep, teammate)
    TeamFactory(name="فروش شعبه").members.add(outsider)
    return manager, rep, teammate, outsider, agent


def result(name: str, priority: int = 2) -> FollowUpResult:
    return FollowUpResult.objects.get_or_create(name=name, defaults={"priority": priority})[0]


def busy_quarter(office) -> None:
    """Some of everything in the current quarter, by the team and by an outsider."""
    _manager, rep, teammate, outsider, agent = office
    normal = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    for owner, count in ((rep, 3), (teammate, 2), (outsider, 4)):
        for number in range(count):
            lead = LeadFactory(owner=owner, responsible=owner, title=f"سرنخ {owner} {number}")
            FollowUp.objects.create(lead=lead, owner=owner, result=result("تماس اولیه"))
            if number == 0:
                FollowUp.objects.create(lead=lead, owner=owner, result=result("پیگیری", 3))
                lead_close(lead=lead, by=owner, status=Lead.Status.WON)
    customer = ContactFactory(owner=rep, name="فروشگاه آریا")
    quote = quote_save(
        quote=Quote(contact=customer),
        lines=[QuoteLine(description="نصب", unit_price=1_000_000)],
        by=rep,
    )
    quote_set_status(quote=quote, by=rep, status="accepted")
    quote_to_invoice(quote=quote, by=rep)
    request = service_services.request_register(
        request=Request(description="خرابی", urgency=normal, assignee=agent), by=agent
    )
    service_services.request_done(request=request, by=agent, result="انجام شد")
    service_services.complaint_register(
        complaint=Complaint(contact=customer, description="تأخیر", officer=agent), by=agent
    )


def chart_matches_table(page) -> None:
    """Every plotted series is the table's column of the same name, row for row (or
    the total rows', for a chart drawn from them)."""
    result, chart = page.context["result"], page.context["chart"]
    labels = [column.label for column in result.columns]
    rows = result.chart_source()
    if result.chart.from_footer:
        everything, table = result.footer, result.footer_table()
    else:
        everything, table = result.rows, result.table()
    table = [cells for cells, row in zip(table, everything, strict=True) if row in rows]
    assert chart["labels"] == [str(row["label"]) for row in rows]
    for dataset in chart["datasets"]:
        key = next(key for key, label in result.chart.series if label == dataset["label"])
        column = labels.index(dataset["label"]) if dataset["label"] in labels else None
        assert dataset["data"] == [row[key] or 0 for row in rows]
        if column is not None:
            assert dataset["data"] == [cells[column][0] or 0 for cells in table]


def test_every_report_opens_for_the_current_quarter_with_its_chart_from_its_table(client, office):
    busy_quarter(office)
    manager = office[0]
    client.force_login(manager)
    index = client.get(reverse("reports:index")).content.decode()
    start, end = period_range("this_quarter", timezone.localdate())
    for report in REPORTS:
        url = reverse("reports:show", args=[report.slug])
        assert url in index
        page = client.get(url)
        assert page.status_code == 200, report.slug
        assert page.context["filters"].start == start and page.context["filters"].end == end
        chart_matches_table(page)
        for group in report.groups:
            grouped = client.get(url, {"group": group})
            assert grouped.status_code == 200, (report.slug, group)
            chart_matches_table(grouped)


def test_the_followup_report_counts_by_result_and_by_user(client, office):
    busy_quarter(office)
    manager, rep, _teammate, _outsider, _agent = office
    client.force_login(manager)
    url = reverse("reports:show", args=["followups"])
    by_result = {row["label"]: row["count"] for row in client.get(url).context["result"].rows}
    assert by_result == {"تماس اولیه": 9, "پیگیری": 3}
    by_user = client.get(url, {"group": "user"}).context["result"].rows
    assert {row["label"]: row["count"] for row in by_user} == {
        "رضا رضایی": 4,
        "سارا نیکو": 3,
        "بهرام دور": 5,
    }
    only_rep = client.get(url, {"user": rep.pk}).context["result"].rows
    assert sum(row["count"] for row in only_rep) == 4
    conversion = client.get(reverse("reports:show", args=["conversion"])).context["result"]
    assert sum(row["count"] for row in conversion.rows) == 9
    assert sum(row["won"] for row in conversion.rows) == 3


def test_a_rep_counts_only_their_own_and_their_teams(client, office):
    busy_quarter(office)
    _manager, rep, _teammate, _outsider, _agent = office
    client.force_login(rep)
    page = client.get(reverse("reports:show", args=["followups"]), {"group": "user"})
    assert {row["label"] for row in page.context["result"].rows} == {"رضا رضایی", "سارا نیکو"}
    leads = client.get(reverse("reports:show", args=["leads"])).context["result"].rows
    assert sum(row["count"] for row in leads) == 5
    # Support reads its service reports and not the sales ones.
    client.force_login(office[4])
    assert client.get(reverse("reports:show", args=["followups"])).status_code == 200
    assert client.get(reverse("reports:show", args=["leads"])).status_code == 403
    requests = client.get(reverse("reports:show", args=["requests"])).context["result"]
    assert requests.rows[0]["count"] == 1 and requests.rows[0]["done"] == 1


def test_a_custom_range_is_checked_in_persian(client, office):
    client.force_login(office[0])
    url = reverse("reports:show", args=["followups"])
    missing = client.get(url, {"period": "custom", "date_from": "1405/09/01"})
    assert "«از تاریخ» و «تا تاریخ» را بنویسید" in missing.content.decode()
    assert missing.context["result"] is None
    backwards = client.get(
        url, {"period": "custom", "date_from": "۱۴۰۵/۰۹/۲۰", "date_to": "۱۴۰۵/۰۹/۰۱"}
    )
    assert "باید پیش از «تا تاریخ» باشد" in backwards.content.decode()
    fine = client.get(url, {"period": "custom", "date_from": "1405/09/01", "date_to": "1405/09/20"})
    assert fine.context["filters"].start == datetime.date(2026, 11, 22)
    assert fine.context["filters"].end == datetime.date(2026, 12, 11)


def test_jalali_periods():
    today = datetime.date(2026, 11, 29)  # 1405/09/08
    assert period_range("this_month", today) == (
        datetime.date(2026, 11, 22),
        datetime.date(2026, 12, 21),
    )
    assert period_range("this_quarter", today) == (
        datetime.date(2026, 9, 23),  # 1405/07/01
        datetime.date(2026, 12, 21),  # 1405/09/30
    )
    assert period_range("last_quarter", today) == (
        datetime.date(2026, 6, 22),
        datetime.date(2026, 9, 22),
    )
    assert period_range("this_year", today) == (
        datetime.date(2026, 3, 21),
        datetime.date(2027, 3, 20),
    )
    # Farvardin's last quarter is the previous year's winter.
    spring = datetime.date(2026, 4, 10)  # 1405/01/21
    assert period_range("last_quarter", spring) == (
        datetime.date(2025, 12, 22),  # 1404/10/01
        datetime.date(2026, 3, 20),  # 1404/12/29
    )


def test_a_report_exports_to_excel_and_pdf(client, office):
    busy_quarter(office)
    client.force_login(office[0])
    url = reverse("reports:export", args=["activity", "xlsx"])
    response = client.get(url, {"period": "this_quarter"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet.sheet_view.rightToLeft
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["کاربر", "پیگیری‌ها", "تماس‌ها"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["بهرام دور"][1] == 5 and isinstance(rows["بهرام دور"][1], int)
    pdf = client.get(reverse("reports:export", args=["activity", "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get(reverse("reports:export", args=["activity", "doc"])).status_code == 404


def test_report_data_over_the_api_is_the_pages(client, office):
    from tests.api.test_api import token_for

    busy_quarter(office)
    rep = office[1]
    headers = {"Authorization": f"Bearer {token_for(client, rep.username)}"}
    listed = client.get("/api/v1/reports", headers=headers).json()
    assert "followups" in [report["slug"] for report in listed]
    data = client.get("/api/v1/reports/followups?group=user", headers=headers).json()
    assert data["columns"][0] == {"label": "کاربر", "kind": "text"}
    assert {row[0]: row[1] for row in data["rows"]} == {"رضا رضایی": 4, "سارا نیکو": 3}
    assert data["chart"]["datasets"][0]["data"] == [row[1] for row in data["rows"]]
    client.force_login(rep)
    page = client.get(reverse("reports:show", args=["followups"]), {"group": "user"})
    assert [[value for value, _kind in row] for row in page.context["result"].table()] == data[
        "rows"
    ]
    wrong = client.get("/api/v1/reports/followups?period=custom", headers=headers)
    assert wrong.status_code == 422 and "errors" in wrong.json()
    agent = {"Authorization": f"Bearer {token_for(client, office[4].username)}"}
    slugs = [report["slug"] for report in client.get("/api/v1/reports", headers=agent).json()]
    assert "complaints" in slugs and "leads" not in slugs  # support reads no sales report
    assert client.get("/api/v1/reports/leads", headers=agent).status_code == 403
    assert client.get("/api/v1/reports/nothing", headers=headers).status_code == 404


def test_the_dashboards_show_the_managers_and_the_reps_own_charts(client, office):
    busy_quarter(office)
    manager, rep, _teammate, _outsider, _agent = office
    client.force_login(manager)
    url = reverse("reports:dashboard")
    page = client.get(url, {"period": "this_quarter"})
    titles = [chart["report"].title for chart in page.context["charts"]]
    assert titles[:3] == ["پیگیری‌ها", "عملکرد بازاریابی", "فرصت‌های فروش"]
    followups = page.context["charts"][0]
    assert sum(followups["chart"]["datasets"][0]["data"]) == 12
    assert "group=result" in followups["url"] and "period=this_quarter" in followups["url"]
    # A rep's dashboard is their own work: their follow-ups alone.
    client.force_login(rep)
    mine = client.get(url, {"period": "this_quarter"})
    assert mine.context["scope"] == "mine"
    assert sum(mine.context["charts"][0]["chart"]["datasets"][0]["data"]) == 4
    assert f"user={rep.pk}" in mine.context["charts"][0]["url"]
    wrong = client.get(url, {"period": "custom"})
    assert wrong.context["charts"] == [] and "«از تاریخ» و «تا تاریخ»" in wrong.content.decode()


def test_tasks_count_by_their_customers_category(client, office):
    from peyvand.activities.models import Task
    from peyvand.contacts.models import Category

    manager, rep, *_rest = office
    shops = Category.objects.create(name="فروشگاه")
    chain = Category.objects.create(name="فروشگاه زنجیره‌ای", parent=shops)
    for category in (chain, None):
        task = Task(owner=rep, assignee=rep, description="تماس")
        task.related = ContactFactory(owner=rep, category=category)
        task.save()
    client.force_login(manager)
    url = reverse("reports:show", args=["tasks"])
    assert client.get(url).context["result"].rows[0]["count"] == 2
    by_shops = client.get(url, {"category": shops.pk}).context["result"].rows
    assert by_shops[0]["count"] == 1  # the subtree: the chain store's task
