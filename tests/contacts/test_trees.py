import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from peyvand.contacts.models import Category, Region
from peyvand.core import trees
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def region_select(response) -> str:
    return re.search(r'<select name="region".*?</select>', response.content.decode(), re.S)[0]


def province(name: str) -> Region:
    return Region.objects.get(name=name, depth=0)


def test_all_31_provinces_are_seeded_with_their_cities():
    assert Region.objects.filter(depth=0).count() == 31
    isfahan = province("اصفهان")
    cities = set(Region.objects.filter(parent=isfahan).values_list("name", flat=True))
    assert {"اصفهان", "کاشان", "نجف‌آباد"} <= cities
    assert all(city.path.startswith(isfahan.path) for city in isfahan.children.all())


def test_filtering_by_a_province_includes_its_cities(client, personas):
    kashan = Region.objects.get(name="کاشان")
    ContactFactory(owner=personas.owner, name="فرش کاشان", region=kashan)
    ContactFactory(owner=personas.owner, name="نساجی یزد", region=Region.objects.get(name="میبد"))
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:list"), {"region": province("اصفهان").pk}).content.decode()
    assert "فرش کاشان" in page and "نساجی یزد" not in page


def test_filtering_by_a_category_includes_its_subcategories(client, personas):
    food = Category.objects.get(name="صنایع غذایی")
    ContactFactory(owner=personas.owner, name="لبنیات پگاه", category=food)
    client.force_login(personas.owner)
    production = Category.objects.get(name="تولیدی")
    page = client.get(reverse("contacts:list"), {"category": production.pk}).content.decode()
    assert "لبنیات پگاه" in page
    trade = Category.objects.get(name="بازرگانی")
    page = client.get(reverse("contacts:list"), {"category": trade.pk}).content.decode()
    assert "لبنیات پگاه" not in page


def test_a_manager_adds_an_area_under_a_city(client, personas):
    tehran = Region.objects.get(name="تهران", depth=1)
    client.force_login(personas.manager)
    client.post(
        reverse("trees:tree", args=["regions"]),
        {"name": "سعادت‌آباد", "parent": tehran.pk, "order": "1", "is_active": "on"},
    )
    area = Region.objects.get(name="سعادت‌آباد")
    assert area.depth == 2
    assert area.path == f"{tehran.path}{area.pk}/"


def test_moving_a_branch_moves_its_whole_subtree(client, personas):
    kashan = Region.objects.get(name="کاشان")
    area = trees.node_create(node=Region(name="محله آزمایشی", parent=kashan))
    qom = province("قم")
    client.force_login(personas.manager)
    client.post(
        reverse("trees:node_edit", args=["regions", kashan.pk]),
        {"name": "کاشان", "parent": qom.pk, "order": "1", "is_active": "on"},
    )
    kashan.refresh_from_db()
    area.refresh_from_db()
    assert kashan.parent == qom and kashan.path == f"{qom.path}{kashan.pk}/"
    assert area.path == f"{kashan.path}{area.pk}/" and area.depth == 2


def test_a_branch_cannot_move_under_itself():
    isfahan = province("اصفهان")
    kashan = Region.objects.get(name="کاشان")
    isfahan.parent = kashan
    with pytest.raises(ValidationError):
        trees.node_update(node=isfahan)


def test_the_edit_form_does_not_offer_the_node_or_its_descendants_as_parent(client, personas):
    isfahan = province("اصفهان")
    client.force_login(personas.manager)
    page = client.get(reverse("trees:node_edit", args=["regions", isfahan.pk])).content.decode()
    kashan = Region.objects.get(name="کاشان")
    assert f'value="{kashan.pk}"' not in page
    assert f'value="{province("قم").pk}"' in page


def test_a_deactivated_node_is_not_offered_for_new_contacts_but_kept_on_old_ones(client, personas):
    kashan = Region.objects.get(name="کاشان")
    contact = ContactFactory(owner=personas.owner, region=kashan)
    kashan.is_active = False
    trees.node_update(node=kashan)
    client.force_login(personas.owner)
    new_form = region_select(client.get(reverse("contacts:create")))
    edit_form = region_select(client.get(reverse("contacts:edit", args=[contact.pk])))
    assert f'value="{kashan.pk}"' not in new_form
    assert f'value="{kashan.pk}" selected' in edit_form


def test_a_contact_is_saved_with_its_region_and_category(client, personas):
    client.force_login(personas.owner)
    kashan = Region.objects.get(name="کاشان")
    food = Category.objects.get(name="صنایع غذایی")
    client.post(
        reverse("contacts:create"),
        {
            "kind": "person",
            "status": "prospect",
            "name": "نرگس امینی",
            "region": kashan.pk,
            "category": food.pk,
            "phones-TOTAL_FORMS": "0",
            "phones-INITIAL_FORMS": "0",
        },
    )
    from peyvand.contacts.models import Contact

    contact = Contact.objects.get(name="نرگس امینی")
    assert (contact.region, contact.category) == (kashan, food)
