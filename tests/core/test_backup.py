"""Backup and restore: a restore reproduces every record (the trash and the history
included) and every uploaded file, and removes what came after the backup."""

import datetime

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from peyvand.contacts.models import Contact
from peyvand.core.models import Attachment
from peyvand.core.services import record_delete
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db(transaction=True)

UPLOADED_AT = datetime.datetime(2026, 11, 29, 21, 12, 0, 123456, tzinfo=datetime.UTC)


def everything() -> dict[str, str]:
    """Every row of every model, serialised in primary-key order, timestamps to the
    microsecond (Django's json format would hide a restore that rounds them)."""
    return {
        model._meta.label: serializers.serialize("exact-json", model._base_manager.order_by("pk"))
        for model in apps.get_models()
    }


def test_a_restore_reproduces_every_record_and_file(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    customer = ContactFactory(owner=personas.owner, name="فروشگاه آریا", phones=["+989121234567"])
    LeadFactory(owner=personas.owner, contact=customer, title="خرید یخچال")
    gone = ContactFactory(owner=personas.owner, name="حذف‌شده")
    record_delete(record=gone, by=personas.owner)  # in the trash: kept by the backup
    attachment = Attachment.objects.create(
        record=customer,
        file=ContentFile("قرارداد".encode(), name="قرارداد.pdf"),
        original_name="قرارداد.pdf",
        mime_type="application/pdf",
        size=14,
        uploaded_by=personas.owner,
    )
    stored = attachment.file.path
    # Microseconds a millisecond format would lose (and one it would keep by luck).
    Attachment.objects.filter(pk=attachment.pk).update(uploaded_at=UPLOADED_AT)
    Contact.all_objects.filter(pk=gone.pk).update(deleted_at=UPLOADED_AT.replace(microsecond=456))
    before = everything()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))

    # Life goes on: a contact renamed, another added, the file lost, a stray file.
    Contact.objects.filter(pk=customer.pk).update(name="نام عوض شد")
    ContactFactory(owner=personas.owner, name="تازه")
    (tmp_path / "media" / "stray.txt").write_text("x")
    attachment.file.delete(save=False)

    call_command("restore", str(archive), yes=True)
    assert everything() == before
    with open(stored, "rb") as restored:
        assert restored.read() == "قرارداد".encode()
    assert not (tmp_path / "media" / "stray.txt").exists()
    assert Contact.all_objects.get(pk=gone.pk).deleted_at == UPLOADED_AT.replace(microsecond=456)
    assert Attachment.objects.get(pk=attachment.pk).uploaded_at == UPLOADED_AT
    # The id sequences follow the restored rows: new records do not collide.
    assert ContactFactory(owner=personas.owner, name="پس از بازگردانی").pk > gone.pk


def test_a_file_that_is_not_a_backup_changes_nothing(personas, tmp_path):
    ContactFactory(owner=personas.owner, name="بماند")
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match=r"خوانا نیست|پشتیبان پیوند نیست"):
        call_command("restore", str(bogus), yes=True)
    assert Contact.objects.filter(name="بماند").exists()
