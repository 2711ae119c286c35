"""service/0012: a start page saved on a complaint view while the list opened views with
``?view=<id>`` (the complaints' own tab name) opens the view again with ``saved_view``."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from peyvand.core.models import SavedView

pytestmark = pytest.mark.django_db

migration = importlib.import_module("peyvand.service.migrations.0012_complaint_start_pages")


def test_an_old_complaint_start_page_opens_its_view_again(client, personas):
    manager, owner = personas.manager, personas.owner
    view = SavedView.objects.create(
        list_key="complaints", name="همه‌ی شکایت‌ها", owner=manager, params="view=all"
    )
    other = SavedView.objects.create(list_key="requests", name="درخواست‌ها", owner=owner)
    path = reverse("service:complaint_list")
    assert path == migration.COMPLAINTS
    manager.start_page = f"{path}?view=all&view={view.pk}"
    manager.save(update_fields=["start_page"])
    owner.start_page = f"{path}?view={other.pk}"  # not a complaint view: left alone
    owner.save(update_fields=["start_page"])

    migration.saved_view_param(apps, None)

    manager.refresh_from_db()
    owner.refresh_from_db()
    assert manager.start_page == f"{path}?view=all&saved_view={view.pk}"
    assert owner.start_page == f"{path}?view={other.pk}"
    client.force_login(manager)
    page = client.get(manager.start_page)
    assert page.status_code == 200
    assert page.context["current_view"] == view
