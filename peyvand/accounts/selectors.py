"""Reads of users: the apps' pickers, a user's history and API tokens."""

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from peyvand.accounts.models import ApiToken, Team, User
from peyvand.core.models import ChangeRecord


def users_who_can(permission: str, current: Iterable[int | None] = ()) -> QuerySet[User]:
    """Active users whose role (or own permissions) grant ``permission``
    ("app_label.codename"), for a record's people pickers; plus those the record already
    names (``current``), so that saving it again never drops them."""
    app_label, codename = permission.split(".")
    granting = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    named = [pk for pk in current if pk is not None]
    return (
        User.objects.filter(
            Q(is_active=True)
            & (
                Q(groups__permissions__in=granting)
                | Q(user_permissions__in=granting)
                | Q(is_superuser=True)
            )
            | Q(pk__in=named)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def user_history(user: User, limit: int = 10) -> list[ChangeRecord]:
    """The latest lines of a user's own history (two-factor sign-in turned on or off,
    reset by a manager), newest first, with who did it."""
    return list(
        ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=user.pk
        ).select_related("user")[:limit]
    )


def api_tokens_of(user: User) -> list[ApiToken]:
    """A user's API tokens, newest first, expired ones included (until revoked)."""
    return list(ApiToken.objects.filter(user=user))


def get_api_token_for_user(user: User, pk: int) -> ApiToken:
    """A token its own user, or a manager of users, may act on; 404 for anyone else,
    as for a token that does not exist."""
    tokens = ApiToken.objects.select_related("user")
    if not user.has_perm("accounts.manage_users"):
        tokens = tokens.filter(user=user)
    return get_object_or_404(tokens, pk=pk)


def people_who_can(permission: str):
    """A list's person filter's people (core.lists ``Person.people``): who holds
    ``permission``, and the reader; read once per request for every filter that asks."""
    return lambda reading: reading.source(
        f"people:{permission}",
        lambda: list(users_who_can(permission, current=[reading.user.pk])),
    )


def team_choices() -> list[tuple[str, str]]:
    """The active teams as a list filter's choices (id as text, name), by name."""
    teams = Team.objects.filter(is_active=True).order_by("name", "pk")
    return [(str(pk), name) for pk, name in teams.values_list("pk", "name")]
