"""Leads carry their customer's category and region (core.operations.CopyCustomerField),
kept by the database on SQLite and PostgreSQL alike, so that the lead list's subtree
filters read a column of the lead: right from the start, when the customer is moved to
another region, when the lead moves to another customer, whatever Django writes."""

import pytest
from django.urls import reverse

from peyvand.contacts.models import Category, Contact, Region
from peyvand.core.trees import node_create
from peyvand.sales.models import Lead
from tests.core.test_customer_key import copy_triggers, trigger_names
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


def nodes(lead) -> tuple:
    return Lead.all_objects.values_list("customer_category", "customer_region").get(pk=lead.pk)


@pytest.fixture
def trees(db):
    tehran = node_create(node=Region(name="استان آزمایشی تهران"))
    karaj = node_create(node=Region(name="کرج آزمایشی", parent=tehran))
    isfahan = node_create(node=Region(name="استان آزمایشی اصفهان"))
    food = node_create(node=Category(name="صنف آزمایشی غذایی"))
    dairy = node_create(node=Category(name="لبنیات آزمایشی", parent=food))
    return {"tehran": tehran, "karaj": karaj, "isfahan": isfahan, "food": food, "dairy": dairy}


def test_leads_have_the_triggers():
    triggers = trigger_names()
    for column in ("customer_category_id", "customer_region_id"):
        assert copy_triggers(Lead, column) <= triggers, column


def test_a_lead_follows_its_customers_category_and_region(personas, trees):
    customer = ContactFactory(owner=personas.owner, region=trees["karaj"], category=trees["dairy"])
    lead = LeadFactory(owner=personas.owner, contact=customer)
    assert nodes(lead) == (trees["dairy"].pk, trees["karaj"].pk)

    Contact.objects.filter(pk=customer.pk).update(region=trees["isfahan"], category=None)
    assert nodes(lead) == (None, trees["isfahan"].pk)

    other = ContactFactory(owner=personas.owner, region=trees["tehran"], category=trees["food"])
    Lead.objects.filter(pk=lead.pk).update(contact=other)
    assert nodes(lead) == (trees["food"].pk, trees["tehran"].pk)

    # A lead's save sends its own (stale) values; the database keeps the customer's.
    lead.refresh_from_db()
    lead.customer_region_id = trees["isfahan"].pk
    lead.title = "عنوان تازه"
    lead.save()
    assert nodes(lead) == (trees["food"].pk, trees["tehran"].pk)


def test_the_list_filters_by_the_subtree_of_the_customers_node(client, personas, trees):
    in_karaj = LeadFactory(
        owner=personas.owner,
        title="سرنخ کرج",
        contact=ContactFactory(owner=personas.owner, region=trees["karaj"]),
    )
    in_isfahan = LeadFactory(
        owner=personas.owner,
        title="سرنخ اصفهان",
        contact=ContactFactory(owner=personas.owner, region=trees["isfahan"]),
    )
    client.force_login(personas.owner)
    url = reverse("sales:lead_list")

    def shown(**params) -> set[str]:
        page = client.get(url, params).content.decode()
        return {lead.title for lead in (in_karaj, in_isfahan) if lead.title in page}

    assert shown(region=trees["tehran"].pk) == {"سرنخ کرج"}
    assert shown(region=trees["isfahan"].pk) == {"سرنخ اصفهان"}
    # The customer moves; the lead is found under their new region at once.
    Contact.objects.filter(pk=in_karaj.contact_id).update(region=trees["isfahan"])
    assert shown(region=trees["tehran"].pk) == set()
    assert shown(region=trees["isfahan"].pk) == {"سرنخ کرج", "سرنخ اصفهان"}
