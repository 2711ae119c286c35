"""Reads of projects and surveys."""

from operator import attrgetter

from django.http import QueryDict

from peyvand.contacts.models import Contact
from peyvand.core.access import get_visible_or_404
from peyvand.core.exports import Column, choice_label
from peyvand.core.params import int_param
from peyvand.core.registry import HistoryItem
from peyvand.surveys.models import Project

OPEN_PROJECTS = (Project.Status.PLANNED, Project.Status.ACTIVE)


def project_history(user, contact, limit: int) -> list[HistoryItem]:
    projects = Project.objects.visible_to(user).filter(contact=contact).order_by("-start", "-id")
    return [
        HistoryItem(
            project,
            f"پروژه: {project.name}",
            project.start,
            project.get_status_display(),
            project.status in OPEN_PROJECTS,
        )
        for project in projects[:limit]
    ]


def projects_for_list(user, params: QueryDict):
    """The project list under its filters (status, ?contact=…), newest first, and the
    customer it is narrowed to: the page and its exports read the same rows."""
    projects = Project.objects.visible_to(user).select_related("contact", "owner")
    status = params.get("status", "")
    if status in Project.Status.values:
        projects = projects.filter(status=status)
    contact = None
    if contact_pk := int_param(params, "contact"):
        contact = get_visible_or_404(Contact, user, contact_pk)
        projects = projects.filter(contact=contact)
    return projects.order_by("-start", "-id"), contact


def project_rows(user, params: QueryDict):
    projects, _contact = projects_for_list(user, params)
    columns = [
        Column("پروژه", attrgetter("name")),
        Column("مشتری", lambda project: project.contact.name),
        Column("شروع", attrgetter("start"), "date"),
        Column("پایان", attrgetter("end"), "date"),
        Column("وضعیت", lambda project: choice_label(Project.Status, project.status)),
        Column("مسئول", lambda project: str(project.owner)),
    ]
    return projects, columns
