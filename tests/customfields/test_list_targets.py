"""Every record type with custom fields gets them on its list (issue 25): a filter per
field and a column a user can show — leads, requests, complaints and the phone book as
contacts have had them."""

import pytest
from django.urls import reverse

from peyvand.contacts.lists import PHONEBOOK
from peyvand.customfields.lists import column_key
from peyvand.customfields.models import CustomField
from peyvand.sales.lists import LEADS
from peyvand.sales.models import Lead
from peyvand.service.lists import COMPLAINTS, REQUESTS
from tests.factories import ContactFactory, LeadFactory
from tests.lists import query
from tests.test_access import owners_complaint, owners_phonebook_entry, owners_request


def two_leads(personas) -> list:
    contact = ContactFactory(owner=personas.owner)
    return [LeadFactory(contact=contact, responsible=personas.owner).pk for _ in range(2)]


TARGETS = [
    pytest.param(LEADS, "sales.lead", two_leads, "sales:lead_list", id="leads"),
    pytest.param(
        REQUESTS,
        "service.request",
        lambda personas: owners_request(personas) + owners_request(personas),
        "service:request_all",
        id="requests",
    ),
    pytest.param(
        COMPLAINTS,
        "service.complaint",
        lambda personas: owners_complaint(personas) + owners_complaint(personas),
        "service:complaint_list",
        id="complaints",
    ),
    pytest.param(
        PHONEBOOK,
        "contacts.phonebookentry",
        lambda personas: owners_phonebook_entry(personas) + owners_phonebook_entry(personas),
        "phonebook:list",
        id="phonebook",
    ),
]


@pytest.mark.parametrize(("spec", "target", "make", "url_name"), TARGETS)
def test_a_custom_field_filters_the_list_and_is_a_column(
    client, personas, spec, target, make, url_name
):
    plan = CustomField.objects.create(
        target=target,
        label="طرح",
        kind=CustomField.Kind.CHOICE,
        options="طلایی\nنقره‌ای",
    )
    size = CustomField.objects.create(
        target=target, label="تعداد شعبه", kind=CustomField.Kind.NUMBER
    )
    golden, plain = make(personas)
    spec.model.objects.filter(pk=golden).update(custom={plan.key: "طلایی", size.key: 12})
    spec.model.objects.filter(pk=plain).update(custom={plan.key: "نقره‌ای", size.key: 3})
    user = personas.owner

    def found(**params) -> set[int]:
        return set(spec.rows(user, query(**params)).values_list("pk", flat=True)) & {golden, plain}

    assert found() == {golden, plain}
    assert found(**{f"cf{plan.pk}": "طلایی"}) == {golden}
    assert found(**{f"cf{size.pk}_from": "۱۰"}) == {golden}
    assert found(**{f"cf{size.pk}_to": "5"}) == {plain}

    reading = spec.read(query(), user)
    keys = [column.key for column in spec.all_columns(reading)]
    assert column_key(plan) in keys and column_key(size) in keys

    # The page offers the field in its filter bar and names it in the chip when set.
    client.force_login(user)
    page = client.get(reverse(url_name), {f"cf{plan.pk}": "طلایی"})
    assert page.status_code == 200
    text = page.content.decode()
    assert f'name="cf{plan.pk}"' in text
    assert "طرح: طلایی" in text


def test_the_lead_rows_load_the_custom_values_their_columns_show(personas):
    field = CustomField.objects.create(target="sales.lead", label="طرح", kind=CustomField.Kind.TEXT)
    (lead, _other) = two_leads(personas)
    Lead.objects.filter(pk=lead).update(custom={field.key: "ویژه"})
    reading = LEADS.read(query(), personas.owner)
    column = next(c for c in LEADS.all_columns(reading) if c.key == column_key(field))
    row = LEADS.rows(personas.owner, query()).get(pk=lead)
    assert "ویژه" in column.cell(row)
