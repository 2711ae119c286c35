"""The receipt page's form: what it refuses, in Persian."""

import pytest
from django.urls import reverse

from peyvand.finance.models import Receipt
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_a_zero_amount_is_refused_in_persian_not_by_the_databases_constraint(client, personas):
    """The model's check constraint would answer first, in Django's English."""
    contact = ContactFactory(owner=personas.owner)
    client.force_login(personas.manager)
    url = reverse("finance:receipt_create", args=["in"]) + f"?contact={contact.pk}"

    response = client.post(url, {"date": "1404/10/20", "amount": "۰", "method": "cash"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "مبلغ باید بیشتر از صفر باشد." in page
    assert "Constraint" not in page
    assert not Receipt.all_objects.exists()
