"""Files, images, notes and the timeline on a contact's page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from peyvand.contacts.models import Contact
from peyvand.core.models import Attachment, ChangeRecord, Note
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


def upload(client, contact, *files, note=""):
    url = reverse("core:attachment_upload", args=["contacts.contact", contact.pk])
    return client.post(url, {"file": list(files), "note": note}, follow=True)


def test_a_rep_attaches_files_and_a_teammate_downloads_them_but_an_outsider_cannot(
    client, personas, contact
):
    client.force_login(personas.owner)
    page = upload(
        client,
        contact,
        SimpleUploadedFile("پیش فاکتور.pdf", PDF),
        SimpleUploadedFile("کارت ویزیت.png", PNG),
        note="از نمایشگاه",
    ).content.decode()
    assert "پیش فاکتور.pdf" in page and "کارت ویزیت.png" in page and "از نمایشگاه" in page
    pdf = Attachment.objects.get(original_name="پیش فاکتور.pdf")
    teammate = Client()
    teammate.force_login(personas.teammate)
    response = teammate.get(reverse("core:attachment", args=[pdf.pk]))
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    image = Attachment.objects.get(original_name="کارت ویزیت.png")
    inline = teammate.get(reverse("core:attachment", args=[image.pk]))
    assert b"".join(inline.streaming_content) == PNG  # read to the end, which closes the file
    assert inline["Content-Disposition"].startswith("inline")
    outsider = Client()
    outsider.force_login(personas.outsider)
    assert outsider.get(reverse("core:attachment", args=[pdf.pk])).status_code == 404


def test_disallowed_disguised_and_oversized_files_are_refused_in_persian(
    client, personas, contact, settings
):
    settings.ATTACHMENT_MAX_MB = 1
    client.force_login(personas.owner)
    page = upload(
        client,
        contact,
        SimpleUploadedFile("page.html", b"<html><script>alert(1)</script>"),
        SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script>"),
        SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1)),
        SimpleUploadedFile("ok.txt", "سلام".encode()),
    ).content.decode()
    assert "این نوع فایل پذیرفته نمی‌شود" in page
    assert "محتوای فایل با پسوند .png آن جور نیست" in page
    assert "بیش از ۱ مگابایت" in page or "بیش از 1 مگابایت" in page
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["ok.txt"]


def test_a_removed_attachment_leaves_the_page_but_not_the_disk_or_the_history(
    client, personas, contact
):
    client.force_login(personas.owner)
    upload(client, contact, SimpleUploadedFile("قرارداد.pdf", PDF))
    attachment = Attachment.objects.get()
    client.post(reverse("core:attachment_delete", args=[attachment.pk]))
    attachment.refresh_from_db()
    assert attachment.deleted_at is not None and attachment.file.storage.exists(
        attachment.file.name
    )
    assert client.get(reverse("core:attachment", args=[attachment.pk])).status_code == 404
    change = ChangeRecord.objects.get(object_id=contact.pk)
    assert change.changes[0]["old"] == "قرارداد.pdf"


def test_an_image_becomes_the_logo_shown_on_the_page(client, personas, contact):
    client.force_login(personas.owner)
    upload(client, contact, SimpleUploadedFile("logo.png", PNG), SimpleUploadedFile("a.pdf", PDF))
    image = Attachment.objects.get(original_name="logo.png")
    pdf = Attachment.objects.get(original_name="a.pdf")
    client.post(reverse("contacts:logo", args=[contact.pk]), {"attachment": pdf.pk})
    contact.refresh_from_db()
    assert contact.logo is None
    client.post(reverse("contacts:logo", args=[contact.pk]), {"attachment": image.pk})
    contact.refresh_from_db()
    assert contact.logo == image
    page = client.get(contact.get_absolute_url()).content.decode()
    assert f'src="{reverse("core:attachment", args=[image.pk])}" alt="لوگوی' in page


def test_notes_files_and_changes_share_one_timeline_newest_first(client, personas, contact):
    client.force_login(personas.owner)
    client.post(
        reverse("core:note_add", args=["contacts.contact", contact.pk]),
        {"text": "تماس گرفتم؛ هفته بعد جلسه داریم."},
    )
    upload(client, contact, SimpleUploadedFile("کاتالوگ.pdf", PDF))
    assert Note.objects.get().author == personas.owner
    page = client.get(contact.get_absolute_url()).content.decode()
    assert page.index("کاتالوگ.pdf</a>") < page.index("تماس گرفتم؛ هفته بعد جلسه داریم.")
    empty = client.post(
        reverse("core:note_add", args=["contacts.contact", contact.pk]), {"text": " "}, follow=True
    )
    assert "متن یادداشت خالی است" in empty.content.decode() and Note.objects.count() == 1


def test_an_organisation_lists_its_people_and_branches_that_the_user_may_see(client, personas):
    company = ContactFactory(owner=personas.owner, kind=Contact.Kind.ORGANIZATION, name="فولاد")
    ContactFactory(owner=personas.owner, name="مهندس رضوی", organization=company)
    ContactFactory(owner=personas.outsider, name="پنهان", organization=company)
    ContactFactory(owner=personas.owner, name="فولاد شعبه تبریز", parent=company)
    client.force_login(personas.owner)
    page = client.get(company.get_absolute_url()).content.decode()
    assert "مهندس رضوی" in page and "فولاد شعبه تبریز" in page and "پنهان" not in page
