"""A form past the server's body limit is stopped in the browser (issue 21): the server
could only refuse the whole request, and the typed text would be lost."""

import pytest
from playwright.sync_api import expect

from peyvand.contacts.models import Contact

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_form_past_the_limit_is_kept_with_a_persian_message(page, log_in, rep, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    log_in(rep)
    page.goto("/contacts/new/")
    page.locator("#id_name").fill("شرکت نمونه")
    # Pasted text larger than a megabyte (two bytes a Persian letter), then «ذخیره».
    page.locator("#id_notes").evaluate(
        "(field) => { field.value = 'ی'.repeat(600000); field.form.requestSubmit(); }"
    )
    expect(page.locator("[data-size-alert]")).to_contain_text("بیش از ۱ مگابایت")
    assert page.url.endswith("/contacts/new/")
    assert page.locator("#id_notes").evaluate("(field) => field.value.length") == 600000
    assert page.locator("#id_name").input_value() == "شرکت نمونه"
    assert not Contact.objects.exists()
    # Shortened, it goes through.
    page.locator("#id_notes").fill("یادداشت کوتاه")
    page.locator("form[method=post] button[type=submit]", has_text="ذخیره").click()
    expect(page.locator("h1")).to_contain_text("شرکت نمونه")
    assert Contact.objects.get().notes == "یادداشت کوتاه"


def test_a_very_long_file_name_does_not_widen_the_contact_page(page, log_in, rep):
    """A file name of 255 characters (the most an upload keeps of a 300-character one)
    once pushed the contact page to 2,500 px wide."""
    from django.core.files.base import ContentFile

    from peyvand.core.models import Attachment
    from tests.factories import ContactFactory

    contact = ContactFactory(owner=rep, name="شرکت نمونه")
    name = "گزارش" * 50 + ".pdf"  # 254 characters: uploads keep at most 255
    Attachment.objects.create(
        record=contact, file=ContentFile(b"%PDF-", name="x.pdf"), original_name=name,
        mime_type="application/pdf", size=5, uploaded_by=rep,
    )  # fmt: skip
    log_in(rep)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(contact.get_absolute_url())
        links = page.get_by_role("link", name=name)
        expect(links.first).to_be_visible()
        for link in links.all():  # the attachments card and the timeline
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
