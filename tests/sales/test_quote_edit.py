"""Editing a proforma through its page keeps the rows the user did not touch."""

import pytest
from django.urls import reverse

from peyvand.sales import services
from peyvand.sales.models import Quote, QuoteLine
from tests.factories import ContactFactory
from tests.html_forms import edit_form

pytestmark = pytest.mark.django_db


def test_an_edit_keeps_the_rows_left_as_they_were(client, personas):
    quote = services.quote_save(
        quote=Quote(contact=ContactFactory(owner=personas.owner)),
        lines=[
            QuoteLine(description="تابلو برق", unit_price=1_000_000),
            QuoteLine(description="نصب", unit_price=200_000),
        ],
        by=personas.owner,
    )
    url = reverse("sales:quote_edit", args=[quote.pk])
    client.force_login(personas.owner)
    form = edit_form(client.get(url).content.decode())

    response = client.post(url, form | {"notes": "تحویل در محل", "lines-1-unit_price": "250000"})

    assert response.status_code == 302
    assert [(line.description, line.unit_price) for line in quote.lines.order_by("order")] == [
        ("تابلو برق", 1_000_000),
        ("نصب", 250_000),
    ]
    quote.refresh_from_db()
    assert quote.notes == "تحویل در محل"
