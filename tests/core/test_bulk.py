import pytest
from django.utils import timezone

from peyvand.contacts.models import Contact, ContactPhone
from peyvand.core.bulk import bulk_insert

pytestmark = pytest.mark.django_db


def test_bulk_insert_saves_every_field_sets_keys_and_the_database_computes_the_search_key(
    personas,
):
    now = timezone.now()
    contacts = [
        Contact(
            owner=personas.owner,
            code=f"B{number}",
            name=f"علي {number}",
            phones_text="09121234567",
            custom={"f1": "طلایی", "f2": 12},
            created_at=now,
            updated_at=now,
        )
        for number in range(3)
    ]
    bulk_insert(Contact, contacts)
    assert all(contact.pk for contact in contacts)
    stored = Contact.objects.get(pk=contacts[1].pk)
    assert stored.name == "علي 1" and stored.custom == {"f1": "طلایی", "f2": 12}
    assert stored.created_at == now and stored.owner == personas.owner
    assert "علی1" in stored.search_key and "09121234567" in stored.search_key
    bulk_insert(ContactPhone, [ContactPhone(contact=stored, number="+989121234567")])
    assert stored.phones.get().number == "+989121234567"
    bulk_insert(Contact, [])  # nothing to do, no error
