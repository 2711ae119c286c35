"""The role editor's registry (accounts.permissions) and the editor built on it."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from peyvand.accounts import permissions as registry
from peyvand.accounts.roles import MANAGER, ROLE_PERMISSIONS
from tests.html_forms import edit_form

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PROJECT_LABELS = [app.label for app in apps.get_app_configs() if app.name.startswith("peyvand.")]


def project_permissions():
    return Permission.objects.filter(content_type__app_label__in=PROJECT_LABELS).select_related(
        "content_type"
    )


def key(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def test_every_permission_of_every_model_is_described_or_marked_internal():
    """A new model (or a new permission on a model) must be given Persian words in
    accounts.permissions.DESCRIBED, or be listed there as internal; otherwise the role
    editor would have to show it by its model name."""
    undecided = [
        f"{key(p)} ({p.content_type.model})"
        for p in project_permissions()
        if key(p) not in registry.DESCRIBED
        and not registry.is_internal(p.content_type.app_label, p.content_type.model, p.codename)
    ]
    assert undecided == []


def test_the_registry_names_only_permissions_and_models_that_exist():
    existing = {key(p) for p in project_permissions()}
    models = {f"{p.content_type.app_label}.{p.content_type.model}" for p in project_permissions()}
    assert set(registry.DESCRIBED) - existing == set()
    assert set(registry.UNCHECKED) - existing == set()
    assert set(registry.INTERNAL_MODELS) - models == set()


def test_no_permission_is_both_described_and_internal():
    both = [
        key(p)
        for p in project_permissions()
        if key(p) in registry.DESCRIBED
        and registry.is_internal(p.content_type.app_label, p.content_type.model, p.codename)
    ]
    assert both == []


def test_every_description_is_plain_persian():
    for module, label in registry.DESCRIBED.values():
        assert module in registry.MODULES
        assert not re.search(r"[A-Za-z0-9_]", str(label)), label


# A permission the code checks: in a string ("sales.view_lead") or a template's
# ``perms.sales.view_lead``. roles.py and the registry only list permissions.
CHECK = re.compile(r"""(?:["']|perms\.)([a-z_]+\.[a-z_]+)""")


def test_every_permission_the_code_checks_is_offered_in_the_editor():
    """A permission marked internal could never be granted to a role; if the code starts
    checking one, it must move to DESCRIBED."""
    existing = {key(p) for p in project_permissions()}
    checked = set()
    for folder in ("peyvand", "templates"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".py", ".html", ".txt") or "migrations" in path.parts:
                continue
            if path.name in ("roles.py", "permissions.py"):
                continue
            checked |= set(CHECK.findall(path.read_text(encoding="utf-8"))) & existing
    assert "sales.view_lead" in checked  # the scan itself works
    assert sorted(checked - set(registry.DESCRIBED)) == []


def test_the_built_in_roles_hold_only_permissions_the_editor_shows():
    for role, codenames in ROLE_PERMISSIONS.items():
        if role != MANAGER:
            assert sorted(set(codenames) - set(registry.DESCRIBED)) == [], role


class _Text(HTMLParser):
    """The text a person reads inside the page's main form (labels, legends, headings)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.chunks: list[str] = []
        self.legends: list[str] = []
        self._in_legend = False

    def handle_starttag(self, tag, attrs):
        if tag == "form" and dict(attrs).get("method") == "post":
            self.depth += 1
        self._in_legend = self._in_legend or tag == "legend"

    def handle_endtag(self, tag):
        if tag == "form" and self.depth:
            self.depth -= 1
        if tag == "legend":
            self._in_legend = False

    def handle_data(self, data):
        if self.depth and data.strip():
            self.chunks.append(data.strip())
            if self._in_legend:
                self.legends.append(data.strip())


def read(page: str) -> _Text:
    parser = _Text()
    parser.feed(page)
    return parser


def test_the_role_editor_groups_persian_permissions_by_module(client, personas):
    client.force_login(personas.manager)
    role = Group.objects.get(name=MANAGER)
    page = client.get(reverse("accounts:role_edit", args=[role.pk])).content.decode()
    text = read(page)
    assert text.legends == [str(module.label) for module in registry.MODULES]
    assert "ثبت پیش‌فاکتور" in text.chunks
    assert "دیدن چک‌ها" in text.chunks
    assert text.chunks.count("همه‌ی این بخش") == len(registry.MODULES)
    latin = [chunk for chunk in text.chunks if re.search(r"[A-Za-z]", chunk)]
    assert latin == []
    for word in ("quote line", "schedule lease", "Can add", "changerecord"):
        assert word not in page
    # every offered permission is one checkbox, ticked for the manager who holds all
    ticked = edit_form(page)["permissions"]
    assert len(ticked) == len(registry.DESCRIBED)


def test_the_editor_labels_every_checkbox(client, personas):
    client.force_login(personas.manager)
    page = client.get(reverse("accounts:role_create")).content.decode()
    ids = re.findall(r'<input class="form-check-input" type="checkbox"[^>]* id="([^"]+)"', page)
    assert len(ids) == len(registry.DESCRIBED) + len(registry.MODULES)
    for box in ids:
        assert f'for="{box}"' in page


def test_saving_a_role_keeps_its_internal_permissions(client, personas):
    internal = Permission.objects.get(content_type__app_label="core", codename="view_changerecord")
    unchecked = Permission.objects.get(content_type__app_label="sales", codename="delete_quote")
    view_contact = Permission.objects.get(codename="view_contact")
    add_contact = Permission.objects.get(codename="add_contact")
    role = Group.objects.create(name="بایگانی")
    role.permissions.set([internal, unchecked, view_contact, add_contact])
    client.force_login(personas.manager)

    response = client.post(
        reverse("accounts:role_edit", args=[role.pk]),
        {"name": "بایگانی", "permissions": [view_contact.pk]},
    )

    assert response.status_code == 302
    assert set(role.permissions.all()) == {internal, unchecked, view_contact}


def test_an_internal_permission_cannot_be_granted_through_the_editor(client, personas):
    internal = Permission.objects.get(content_type__app_label="core", codename="view_changerecord")
    client.force_login(personas.manager)
    response = client.post(
        reverse("accounts:role_create"), {"name": "کنجکاو", "permissions": [internal.pk]}
    )
    assert response.status_code == 200
    assert not Group.objects.filter(name="کنجکاو").exists()


def test_the_role_list_counts_each_modules_permissions_in_persian(client, personas):
    role = Group.objects.create(name="فقط مخاطب")
    role.permissions.set(
        Permission.objects.filter(codename__in=["view_contact", "add_contact", "see_all"])
    )
    client.force_login(personas.manager)
    page = client.get(reverse("accounts:role_list")).content.decode()
    contacts_total = sum(1 for m, _ in registry.DESCRIBED.values() if m == registry.CONTACTS)
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    assert f"مخاطبین: ۲ از {contacts_total}".translate(persian) in page
    assert "مدیریت و تنظیمات: همه" in page  # the manager's role
    assert "Can add" not in page and "change record" not in page
