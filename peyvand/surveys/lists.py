"""The project list, declared once (core.lists): the page and its Excel, CSV and PDF
exports read the same rows through PROJECTS."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peyvand.accounts.selectors import people_who_can
from peyvand.contacts.lists import customer_filter
from peyvand.core.lists import Choice, Column, DateRange, ListSpec, Person, Sort, cells
from peyvand.surveys.models import Project

PROJECTS = ListSpec(
    key="projects",
    label=_("پروژه‌ها"),
    model=Project,
    permission="surveys.view_project",
    url_name="surveys:project_list",
    base=lambda user: Project.objects.visible_to(user).select_related("contact", "owner"),
    filters=[
        Choice(name="status", label=_("وضعیت"), field="status", choices=Project.Status.choices),
        customer_filter(),
        Person(
            name="owner",
            label=_("مسئول"),
            field="owner",
            people=people_who_can("surveys.add_project"),
        ),
        DateRange(name="start", label=_("تاریخ شروع"), field="start"),
    ],
    # Newest first (``sort=start``), as the list always was; ``-start`` the oldest first.
    sorts=[Sort("start", _("شروع"), ("-start", "-id"), index="project_recent")],
    columns=[
        Column("name", _("پروژه"), cells.link(lambda project: project.name)),
        Column("contact", _("مشتری"), cells.text(lambda project: project.contact.name)),
        Column("start", _("شروع"), cells.date(lambda project: project.start), sort="start"),
        Column("end", _("پایان"), cells.date(lambda project: project.end)),
        Column("status", _("وضعیت"), cells.text(lambda project: project.get_status_display())),
        Column("owner", _("مسئول"), cells.text(lambda project: project.owner)),
    ],
)
