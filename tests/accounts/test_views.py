import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.models import Team, User
from peyvand.accounts.roles import SALES
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_a_wrong_password_is_explained_in_persian(client, personas):
    response = client.post(reverse("accounts:login"), {"username": "owner", "password": "wrong"})
    assert "نام کاربری یا گذرواژه درست نیست" in response.content.decode()


def test_a_user_logs_in_and_lands_on_the_home_page(client, personas):
    response = client.post(
        reverse("accounts:login"), {"username": "owner", "password": "peyvand-demo"}
    )
    assert response.status_code == 302
    assert response.url == reverse("core:home")


def test_every_page_is_persian_and_right_to_left(client, personas):
    client.force_login(personas.manager)
    for name in ["core:home", "contacts:list", "accounts:user_list", "core:holidays"]:
        page = client.get(reverse(name)).content.decode()
        assert '<html lang="fa" dir="rtl">' in page


def test_dates_follow_the_users_calendar_and_digits(client, personas):
    ContactFactory(
        owner=personas.owner, created_at=timezone.make_aware(timezone.datetime(2025, 3, 20, 12))
    )
    client.force_login(personas.owner)
    assert "۱۴۰۳/۱۲/۳۰" in client.get(reverse("contacts:list")).content.decode()

    client.post(reverse("accounts:preferences"), {"calendar": "gregorian", "digits": "latin"})
    page = client.get(reverse("contacts:list")).content.decode()
    assert "2025/03/20" in page and "۱۴۰۳" not in page

    client.post(reverse("accounts:preferences"), {"calendar": "hijri", "digits": "fa"})
    assert "۱۴۴۶/۰۹/۲۰" in client.get(reverse("contacts:list")).content.decode()


def test_a_manager_creates_a_user_with_a_role_and_a_team(client, personas):
    team = Team.objects.get(name="فروش")
    client.force_login(personas.manager)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "newrep",
            "first_name": "سحر",
            "last_name": "امینی",
            "email": "",
            "mobile": "۰۹۳۵ ۱۱۱ ۲۲۳۳",
            "extension": "205",
            "is_active": "on",
            "password": "Sahar-Strong-2026",
            "groups": [Group.objects.get(name=SALES).pk],
            "teams": [team.pk],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newrep")
    assert user.mobile == "+989351112233"
    assert user.check_password("Sahar-Strong-2026")
    assert list(user.teams.all()) == [team]
    assert user.has_perm("contacts.add_contact")
    # and the new rep now sees what teammates own
    assert set(user.team_member_ids()) == {user.pk, personas.owner.pk, personas.teammate.pk}


def test_a_new_user_needs_a_password_and_keeps_what_was_typed(client, personas):
    client.force_login(personas.manager)
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "nopass", "first_name": "بی", "last_name": "رمز", "password": ""},
    )
    page = response.content.decode()
    assert "برای کاربر جدید گذرواژه لازم است" in page
    assert 'value="nopass"' in page
    assert not User.objects.filter(username="nopass").exists()


def test_editing_a_user_without_a_password_keeps_the_old_one(client, personas):
    client.force_login(personas.manager)
    client.post(
        reverse("accounts:user_edit", args=[personas.owner.pk]),
        {
            "username": "owner",
            "first_name": "مالک",
            "last_name": "تازه",
            "password": "",
            "is_active": "on",
        },
    )
    personas.owner.refresh_from_db()
    assert personas.owner.last_name == "تازه"
    assert personas.owner.check_password("peyvand-demo")


def test_a_manager_edits_team_membership(client, personas):
    team = Team.objects.get(name="فروش")
    client.force_login(personas.manager)
    client.post(
        reverse("accounts:team_edit", args=[team.pk]),
        {
            "name": "فروش تهران",
            "members": [personas.owner.pk, personas.outsider.pk],
            "is_active": "on",
        },
    )
    team.refresh_from_db()
    assert team.name == "فروش تهران"
    assert set(team.members.all()) == {personas.owner, personas.outsider}


def test_roles_show_their_permissions_in_persian(client, personas):
    client.force_login(personas.manager)
    page = client.get(reverse("accounts:role_list")).content.decode()
    assert "مخاطبین: همه" in page
    assert "Can add" not in page


def test_a_manager_creates_a_role_with_chosen_permissions(client, personas):
    from django.contrib.auth.models import Permission

    see_all = Permission.objects.get(codename="see_all")
    view_contact = Permission.objects.get(codename="view_contact")
    client.force_login(personas.manager)
    client.post(
        reverse("accounts:role_create"),
        {"name": "سرپرست فروش", "permissions": [see_all.pk, view_contact.pk]},
    )
    role = Group.objects.get(name="سرپرست فروش")
    assert set(role.permissions.all()) == {see_all, view_contact}
    personas.outsider.groups.add(role)
    outsider = User.objects.get(pk=personas.outsider.pk)  # fresh permission cache
    assert outsider.has_perm("accounts.see_all")
