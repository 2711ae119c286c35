"""The project list's exports (``core.background_exports``): the rows the list shows
under its filters (surveys.lists.PROJECTS), in its order."""

from operator import attrgetter

from django.http import QueryDict

from peyvand.core.exports import Column, choice_label
from peyvand.surveys.lists import PROJECTS
from peyvand.surveys.models import Project


def project_rows(user, params: QueryDict):
    columns = [
        Column("پروژه", attrgetter("name")),
        Column("مشتری", lambda project: project.contact.name),
        Column("شروع", attrgetter("start"), "date"),
        Column("پایان", attrgetter("end"), "date"),
        Column("وضعیت", lambda project: choice_label(Project.Status, project.status)),
        Column("مسئول", lambda project: str(project.owner)),
    ]
    return PROJECTS.rows(user, params), columns
