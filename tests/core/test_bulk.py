import datetime

import pytest
from django.utils import timezone

from peyvand.contacts.models import Contact, ContactPhone
from peyvand.core.bulk import bulk_insert

pytestmark = pytest.mark.django_db


def test_bulk_insert_saves_every_field_returns_keys_and_the_database_computes_the_search_key(
    personas,
):
    now = timezone.now()
    rows = [
        {
            "owner_id": personas.owner.pk,
            "code": f"B{number}",
            "name": f"علي {number}",
            "phones_text": "09121234567",
            "custom": {"f1": "طلایی", "f2": 12},
            "kind": Contact.Kind.ORGANIZATION,
            "credit_limit": 125_000_000,
            "birthday": datetime.date(1990, 3, 21),
            "is_vip": True,
            "created_at": now,
        }
        for number in range(3)
    ]
    ids = bulk_insert(Contact, rows)
    assert len(set(ids)) == 3
    stored = Contact.objects.get(pk=ids[1])
    assert stored.name == "علي 1" and stored.custom == {"f1": "طلایی", "f2": 12}
    assert stored.created_at == now and stored.owner == personas.owner
    assert stored.updated_at >= now  # auto_now, filled in as save() would
    assert (stored.kind, stored.credit_limit, stored.is_vip) == ("organization", 125_000_000, True)
    assert stored.birthday == datetime.date(1990, 3, 21)
    assert stored.roles == [] and stored.status == Contact.Status.PROSPECT  # defaults
    assert "علی1" in stored.search_key and "09121234567" in stored.search_key
    bulk_insert(ContactPhone, [{"contact_id": stored.pk, "number": "+989121234567"}])
    assert stored.phones.get().number == "+989121234567"
    assert bulk_insert(Contact, []) == []  # nothing to do, no error


def test_bulk_insert_refuses_a_field_the_model_does_not_have(personas):
    with pytest.raises(TypeError, match="nmae"):
        bulk_insert(Contact, [{"owner_id": personas.owner.pk, "nmae": "غلط"}])
    assert not Contact.all_objects.exists()
