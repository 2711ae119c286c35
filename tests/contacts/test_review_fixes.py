"""Edge cases found in review: what a browser really posts, numbering collisions,
deactivated choices, concurrent edits."""

import re

import pytest
from django.urls import reverse

from peyvand.contacts.models import Contact
from peyvand.core.models import ChangeRecord, Sequence
from peyvand.lookups.models import AcquaintanceSource
from tests.contacts.test_views import form_data
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def rendered_form_data(page: str) -> dict:
    """Every input, select and textarea of the contact form as the browser would post
    it untouched (first option or checked radios), so the spare phone row comes too."""
    data: dict = {}
    for name, value in re.findall(
        r'<input type="(?:text|hidden|number|email|url)" name="([^"]+)"(?: value="([^"]*)")?', page
    ):
        data[name] = value
    for name, value in re.findall(
        r'<input type="radio" name="([^"]+)" value="([^"]*)"[^>]*checked', page
    ):
        data[name] = value
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', body) or re.search(
            r'<option value="([^"]*)"', body
        )
        data[name] = selected[1] if selected else ""
    data.pop("q", None)  # the top-bar search form
    return data


def test_the_form_as_rendered_saves_with_its_empty_spare_phone_row(client, personas):
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:create")).content.decode()
    data = rendered_form_data(page) | {"name": "بدون تلفن"}
    assert data["phones-TOTAL_FORMS"] == "1" and data["phones-0-kind"] == "mobile"
    response = client.post(reverse("contacts:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.get(name="بدون تلفن")

    page = client.get(reverse("contacts:edit", args=[contact.pk])).content.decode()
    response = client.post(reverse("contacts:edit", args=[contact.pk]), rendered_form_data(page))
    assert response.status_code == 302


def test_an_automatic_code_steps_over_a_code_typed_by_hand(client, personas):
    client.force_login(personas.owner)
    client.post(reverse("contacts:create"), form_data(name="دستی", code="C000001"))
    client.post(reverse("contacts:create"), form_data(name="خودکار"))
    assert Contact.objects.get(name="خودکار").code == "C000002"


def test_a_typed_code_of_a_deleted_contact_is_refused_with_a_reason(client, personas):
    ContactFactory(owner=personas.owner, code="X1", deleted_at="2026-01-01T00:00Z")
    client.force_login(personas.owner)
    page = client.post(reverse("contacts:create"), form_data(code="X1")).content.decode()
    assert "سطل بازیافت" in page
    assert Contact.all_objects.filter(code="X1").count() == 1


def test_the_code_cannot_be_blanked_on_edit(client, personas, contact):
    client.force_login(personas.owner)
    response = client.post(
        reverse("contacts:edit", args=[contact.pk]), form_data(name=contact.name, code="")
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.code


def test_a_deactivated_source_stays_on_a_contact_that_is_edited(client, personas):
    fair = AcquaintanceSource.objects.get(name="نمایشگاه")
    contact = ContactFactory(owner=personas.owner, source=fair)
    fair.is_active = False
    fair.save()
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:edit", args=[contact.pk])).content.decode()
    client.post(reverse("contacts:edit", args=[contact.pk]), rendered_form_data(page))
    contact.refresh_from_db()
    assert contact.source == fair


def test_a_second_editor_cannot_silently_overwrite_the_first(client, personas, contact):
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:edit", args=[contact.pk])).content.decode()
    stale = rendered_form_data(page)

    client.force_login(personas.teammate)
    fresh = rendered_form_data(
        client.get(reverse("contacts:edit", args=[contact.pk])).content.decode()
    )
    client.post(reverse("contacts:edit", args=[contact.pk]), fresh | {"company": "تغییر هم‌تیمی"})

    client.force_login(personas.owner)
    response = client.post(reverse("contacts:edit", args=[contact.pk]), stale | {"notes": "من"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{personas.teammate} این مخاطب را " in page and "تغییر داده است (شرکت)" in page
    assert "من</textarea>" in response.content.decode()  # what the user typed is kept
    contact.refresh_from_db()
    assert contact.company == "تغییر هم‌تیمی" and contact.notes == ""


def test_internal_extensions_are_not_duplicates(client, personas):
    ContactFactory(owner=personas.owner, phones=[("internal", "101")])
    client.force_login(personas.owner)
    response = client.post(reverse("contacts:create"), form_data(phones=[("internal", "101")]))
    assert response.status_code == 302


def test_an_inactive_team_no_longer_shares_records(personas, contact):
    team = personas.owner.teams.get()
    team.is_active = False
    team.save()
    teammate = type(personas.teammate).objects.get(pk=personas.teammate.pk)
    assert not Contact.objects.visible_to(teammate).filter(pk=contact.pk).exists()


def test_pages_and_api_agree_a_user_without_the_view_permission_sees_no_contacts(
    client, personas, contact
):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    nobody = UserFactory(username="nobody")
    personas.owner.teams.get().members.add(nobody)
    assert not Group.objects.filter(user=nobody).exists()
    client.force_login(nobody)
    assert client.get(reverse("contacts:list")).status_code == 403
    assert client.get(reverse("contacts:detail", args=[contact.pk])).status_code == 403
    assert "علی کریمی" not in client.get(reverse("core:search"), {"q": "کریمی"}).content.decode()


def test_a_yearly_series_needs_the_year_in_its_pattern(client, personas):
    sequence = Sequence.objects.create(kind="r", name="درخواست", pattern="{سال}{شماره}")
    client.force_login(personas.manager)
    page = client.post(
        reverse("core:sequence_edit", args=[sequence.pk]),
        {
            "name": "درخواست",
            "pattern": "R{شماره}",
            "padding": "5",
            "yearly": "on",
            "last_number": "0",
        },
    ).content.decode()
    assert "{سال}" in page
    sequence.refresh_from_db()
    assert sequence.pattern == "{سال}{شماره}"


def test_the_last_number_can_be_raised_but_not_lowered(client, personas):
    sequence = Sequence.objects.create(kind="r", name="درخواست", last_number=50)
    client.force_login(personas.manager)
    data = {"name": "درخواست", "pattern": "{سال}{شماره}", "padding": "5", "yearly": "on"}
    client.post(reverse("core:sequence_edit", args=[sequence.pk]), data | {"last_number": "10"})
    sequence.refresh_from_db()
    assert sequence.last_number == 50
    client.post(reverse("core:sequence_edit", args=[sequence.pk]), data | {"last_number": "900"})
    sequence.refresh_from_db()
    assert sequence.last_number == 900


def test_history_labels_are_persian_on_the_roles_page(client, personas):
    client.force_login(personas.manager)
    page = client.get(reverse("accounts:role_list")).content.decode()
    assert "change record" not in page
    assert ChangeRecord._meta.verbose_name == "سابقه تغییر"
