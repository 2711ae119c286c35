import datetime
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.accounts.models import Team, User
from peyvand.contacts.models import Category, Region
from peyvand.core.dates import JalaliDateField, user_calendar
from peyvand.core.periods import period_range
from peyvand.core.trees import ordered_nodes, subtree_ids
from peyvand.reports.periods import PERIODS
from peyvand.sales.models import GoodsOrService


@dataclass
class ReportFilters:
    """What a report is asked for: a date range (inclusive), and optionally a user, a
    team (its members) and category and region subtrees (their node ids). ``today`` is
    the day the report is as of (aging, overdue); ``limit_rows`` False asks a long list
    for all its rows (the Excel export) rather than the first ones a page shows."""

    start: datetime.date
    end: datetime.date
    period_label: str
    user: User | None = None
    team_members: list[int] | None = None
    categories: list[int] | None = None
    regions: list[int] | None = None
    group: str = ""
    kind: str = ""  # goods or service: the proformas, invoices or surveys of one kind
    today: datetime.date = field(default_factory=timezone.localdate)
    limit_rows: bool = True
    # The calendar whose months a report's columns are (the reader's).
    calendar: str = field(default_factory=user_calendar)

    @property
    def start_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time()))

    @property
    def end_before(self) -> datetime.datetime:
        day = self.end + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    @property
    def kind_label(self) -> str:
        return str(GoodsOrService(self.kind).label) if self.kind else ""


class PeriodForm(forms.Form):
    """A Jalali period by name, or a custom range (the dashboards' whole filter)."""

    period = forms.ChoiceField(label=_("دوره"), choices=PERIODS.items())
    date_from = JalaliDateField(label=_("از تاریخ"), required=False)
    date_to = JalaliDateField(label=_("تا تاریخ"), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") == "custom":
            start, end = cleaned.get("date_from"), cleaned.get("date_to")
            if not start or not end:
                raise forms.ValidationError(
                    _("برای بازه دلخواه، «از تاریخ» و «تا تاریخ» را بنویسید.")
                )
            if start > end:
                raise forms.ValidationError(_("«از تاریخ» باید پیش از «تا تاریخ» باشد."))
            if (end - start).days > 366 * 3:
                raise forms.ValidationError(_("بازه گزارش حداکثر سه سال است."))
        return cleaned

    def range(self) -> tuple[datetime.date, datetime.date, str]:
        """The first and last day, and the period's name."""
        data = self.cleaned_data
        period = data["period"]
        if period == "custom":
            start, end = data["date_from"], data["date_to"]
        else:
            # Months and quarters in the user's calendar; a year is the fiscal year
            # (the Jalali year, the company's), as its label says.
            calendar = "jalali" if period.endswith("_year") else user_calendar()
            start, end = period_range(period, timezone.localdate(), calendar)
        return start, end, str(PERIODS[period])

    def filters(self, user=None) -> ReportFilters:
        start, end, label = self.range()
        return ReportFilters(start=start, end=end, period_label=label, user=user)


class ReportFilterForm(PeriodForm):
    """A report's filters: the period, and those of user, team, category, region and
    grouping the report takes."""

    user = forms.ModelChoiceField(label=_("کاربر"), queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("تیم"), queryset=Team.objects.none(), required=False)
    category = forms.TypedChoiceField(label=_("صنف"), coerce=int, required=False)
    region = forms.TypedChoiceField(label=_("منطقه"), coerce=int, required=False)
    group = forms.ChoiceField(label=_("بر اساس"), required=False)
    kind = forms.ChoiceField(
        label=_("نوع"),
        choices=[("", _("کالا و خدمات")), *GoodsOrService.choices],
        required=False,
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["user"].queryset = User.objects.filter(is_active=True)
        self.fields["user"].empty_label = _("— همه کاربران —")
        self.fields["team"].queryset = Team.objects.filter(is_active=True)
        self.fields["team"].empty_label = _("— همه تیم‌ها —")
        for name, model, empty in (
            ("category", Category, _("— همه صنف‌ها —")),
            ("region", Region, _("— همه مناطق —")),
        ):
            if name in report.filters:
                nodes = ordered_nodes(model)
                self.fields[name].choices = [("", empty)] + [
                    (node.pk, node.indented_name) for node in nodes
                ]
        if report.groups:
            self.fields["group"].choices = list(report.groups.items())
            self.fields["group"].initial = next(iter(report.groups))
        for name in ("user", "team", "category", "region", "group", "kind"):
            if name not in report.filters and not (name == "group" and report.groups):
                del self.fields[name]

    def filters(self, user=None) -> ReportFilters:
        data = self.cleaned_data
        start, end, label = self.range()
        team = data.get("team")
        return ReportFilters(
            start=start,
            end=end,
            period_label=label,
            user=data.get("user"),
            team_members=list(team.members.values_list("pk", flat=True)) if team else None,
            categories=subtree_ids(Category, data["category"]) if data.get("category") else None,
            regions=subtree_ids(Region, data["region"]) if data.get("region") else None,
            group=data.get("group") or next(iter(self.report.groups), ""),
            kind=data.get("kind") or "",
        )
