"""Quick create (base.html's «+»): from any page, the records the user may create, and
back to that page once saved — never to another site."""

import pytest
from django.urls import reverse

from peyvand.accounts.roles import SUPPORT
from peyvand.sales.models import Lead
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def menu(client, path: str) -> str:
    page = client.get(path).content.decode()
    return page[
        page.index('id="quick-create"') : page.index("</ul>", page.index('id="quick-create"'))
    ]


def test_the_menu_offers_what_the_role_may_create_with_the_way_back(client, personas):
    client.force_login(personas.owner)
    items = menu(client, reverse("contacts:list") + "?q=x")
    back = "?next=/contacts/%3Fq%3Dx"
    assert f'href="{reverse("sales:lead_create")}{back}"' in items
    assert f'href="{reverse("contacts:create")}{back}"' in items
    # Each opens in the dialog over this page (core.dialog); the link is the way without
    # a script. A follow-up is logged on a lead picked in the form.
    assert f'data-dialog href="{reverse("sales:followup_quick")}{back}"' in items
    assert items.count("data-dialog href=") == items.count("<li>")
    support = UserFactory(role=SUPPORT)
    client.force_login(support)
    items = menu(client, reverse("core:home"))
    assert reverse("service:request_create") in items
    assert reverse("sales:lead_create") not in items


def test_a_lead_made_from_another_page_returns_to_it_and_keeps_it_through_an_error(
    client, personas
):
    client.force_login(personas.owner)
    customer = ContactFactory(owner=personas.owner)
    url = reverse("sales:lead_create") + "?next=/contacts/%3Fq%3Dx"
    form = client.get(url).content.decode()
    assert '<input type="hidden" name="next" value="/contacts/?q=x">' in form
    refused = client.post(url, {"next": "/contacts/?q=x", "contact": customer.pk})
    assert refused.status_code == 200
    assert '<input type="hidden" name="next" value="/contacts/?q=x">' in refused.content.decode()
    data = {"next": "/contacts/?q=x", "contact": customer.pk, "title": "تابلو برق", "stars": 1}
    data["responsible"] = personas.owner.pk
    saved = client.post(url, data)
    assert saved.status_code == 302 and saved.url == "/contacts/?q=x"
    assert Lead.objects.filter(title="تابلو برق").exists()


def test_another_sites_address_is_never_where_a_form_returns(client, personas):
    client.force_login(personas.owner)
    customer = ContactFactory(owner=personas.owner)
    data = {"contact": customer.pk, "title": "چیلر", "stars": 1, "responsible": personas.owner.pk}
    saved = client.post(reverse("sales:lead_create"), {**data, "next": "https://evil.example/"})
    lead = Lead.objects.get(title="چیلر")
    assert saved.url == lead.get_absolute_url()
