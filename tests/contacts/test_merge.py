"""Managers merge a duplicate contact into another, moving everything that points at it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import reverse

from peyvand.contacts.models import Contact
from peyvand.core.models import Attachment, ChangeRecord, Note
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_a_manager_merges_a_duplicate_and_nothing_that_pointed_at_it_is_lost(client, personas):
    survivor = ContactFactory(
        owner=personas.owner, name="شرکت آریا", email="", phones=["+989121110000"],
        custom={"f1": "طلایی"},
    )  # fmt: skip
    duplicate = ContactFactory(
        owner=personas.teammate, name="آریا (تکراری)", email="info@arya.ir",
        phones=["+989121110000", "+982188776655"], custom={"f1": "برنزی", "f2": 40},
    )  # fmt: skip
    person = ContactFactory(owner=personas.owner, name="مهندس کیانی", organization=duplicate)
    branch = ContactFactory(owner=personas.owner, name="آریا شعبه قم", parent=duplicate)
    note = Note.objects.create(record=duplicate, text="قیمت را پرسید.", author=personas.owner)
    file = Attachment.objects.create(
        record=duplicate, file=ContentFile(b"%PDF-", name="x.pdf"), original_name="x.pdf",
        mime_type="application/pdf", size=5, uploaded_by=personas.owner,
    )  # fmt: skip
    client.force_login(personas.manager)
    url = reverse("contacts:merge", args=[survivor.pk])
    preview = client.get(url, {"other": duplicate.pk}).content.decode()
    assert "info@arya.ir" in preview and 'value="email" id="take-email" checked' in preview
    response = client.post(url, {"other": duplicate.pk, "take": ["email"]})
    assert response.status_code == 302
    survivor.refresh_from_db()
    duplicate = Contact.all_objects.get(pk=duplicate.pk)
    assert survivor.name == "شرکت آریا" and survivor.email == "info@arya.ir"
    assert sorted(survivor.phones.values_list("number", flat=True)) == [
        "+982188776655",
        "+989121110000",
    ]
    assert survivor.custom == {"f1": "طلایی", "f2": 40}  # the survivor's value wins
    assert duplicate.is_deleted and not duplicate.phones.exists()
    person.refresh_from_db()
    branch.refresh_from_db()
    note.refresh_from_db()
    file.refresh_from_db()
    assert person.organization == survivor and branch.parent == survivor
    assert note.object_id == survivor.pk and file.object_id == survivor.pk
    content_type = ContentType.objects.get_for_model(Contact)
    merged = ChangeRecord.objects.filter(content_type=content_type, changes__0__field="merge")
    assert {record.object_id for record in merged} == {survivor.pk, duplicate.pk}
    assert "قیمت را پرسید." in client.get(survivor.get_absolute_url()).content.decode()


def test_only_managers_merge_and_only_contacts_they_can_see(client, personas):
    survivor = ContactFactory(owner=personas.owner)
    client.force_login(personas.owner)
    assert client.get(reverse("contacts:merge", args=[survivor.pk])).status_code == 403


def test_a_contact_cannot_be_merged_with_itself(client, personas):
    survivor = ContactFactory(owner=personas.owner)
    client.force_login(personas.manager)
    url = reverse("contacts:merge", args=[survivor.pk])
    client.post(url, {"other": survivor.pk})
    survivor.refresh_from_db()
    assert not survivor.is_deleted
