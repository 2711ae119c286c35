"""What messaging adds to other apps' lists (core.lists): the contact list's «گروه
ارسال» filter, registered from this app's ready() (contacts cannot know the groups)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from peyvand.core.lists import Choice, Reading
from peyvand.core.params import parse_id
from peyvand.messaging.models import ContactGroup, ContactGroupMember


@dataclass(frozen=True, kw_only=True)
class GroupFilter(Choice):
    """``?group=<id>``: the contacts in one send group, among the groups the user may see
    (one query, set or not). Another user's group is no option: it filters nothing; so
    is every group for whom may not see groups at all (their names are not told)."""

    choices: Any = ()

    def options(self, reading: Reading) -> list[tuple[str, str]]:
        if not reading.user.has_perm("messaging.view_contactgroup"):
            return []
        return reading.source(
            self.name,
            lambda: [
                (str(pk), name)
                for pk, name in ContactGroup.objects.visible_to(reading.user)
                .order_by("name", "id")
                .values_list("pk", "name")
            ],
        )

    def parameters(self) -> dict[str, tuple[Any, str]]:
        return {self.name: (int | None, f"{self.label} (شناسه)")}

    def read(self, params, reading: Reading) -> Any:
        value = parse_id(params.get(self.name))
        if value is None:
            return None
        return super().read({self.name: str(value)}, reading)

    def narrow(self, queryset: QuerySet, value: Any, reading: Reading) -> QuerySet:
        members = ContactGroupMember.objects.filter(group_id=value).values("contact_id")
        return queryset.filter(pk__in=members)


SEND_GROUP = GroupFilter(name="group", label=_("گروه ارسال"))
