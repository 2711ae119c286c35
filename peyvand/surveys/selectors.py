"""Reads of projects and surveys."""

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
