from django.contrib.auth.models import Group
from django.db import transaction

from peyvand.accounts.models import Team, User


@transaction.atomic
def user_save(*, user: User, password: str | None, groups, teams) -> User:
    if password:
        user.set_password(password)
    user.save()
    user.groups.set(groups)
    user.teams.set(teams)
    return user


@transaction.atomic
def team_save(*, team: Team, members) -> Team:
    team.save()
    team.members.set(members)
    return team


@transaction.atomic
def role_save(*, role: Group, permissions) -> Group:
    role.save()
    role.permissions.set(permissions)
    return role
