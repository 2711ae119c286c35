"""Pages show every input in Persian digits (core.digits) and every form reads them back
as Latin: an edit form opened and submitted unchanged changes nothing in the row."""

import pytest
from django.test import Client
from django.urls import reverse

from peyvand.core.models import ChangeRecord
from peyvand.core.text import normalize_typed_digits
from tests.core.test_versions import KINDS
from tests.html_forms import edit_form

pytestmark = pytest.mark.django_db

TYPED = "خرید 20 دستگاه، تلفن 0912 345 6789"


def _row(record) -> dict:
    record.refresh_from_db()
    return {
        field.attname: getattr(record, field.attname)
        for field in record._meta.concrete_fields
        if field.name != "updated_at"
    }


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_an_edit_form_submitted_unchanged_changes_nothing(personas, kind):
    record = kind.make(personas)
    # The row as our forms store it: every typed text in Latin digits (the factories
    # write names with Persian digits, as rows saved before the rule hold them).
    stored = {
        field.attname: normalize_typed_digits(getattr(record, field.attname))
        for field in record._meta.concrete_fields
        if field.get_internal_type() in ("CharField", "TextField")
        and isinstance(getattr(record, field.attname), str)
    }
    stored[kind.field] = TYPED
    if hasattr(record, "started_at"):  # a call's form edits the minute, not the second
        stored["started_at"] = record.started_at.replace(second=0, microsecond=0)
    type(record)._default_manager.filter(pk=record.pk).update(**stored)
    before = _row(record)
    changes = ChangeRecord.objects.count()
    client = Client()
    client.force_login(getattr(personas, kind.first))
    url = reverse(kind.url, args=[record.pk])

    form = edit_form(client.get(url).content.decode())

    assert form[kind.field] == ["خرید ۲۰ دستگاه، تلفن ۰۹۱۲ ۳۴۵ ۶۷۸۹"]  # what a person sees
    assert client.post(url, form).status_code == 302
    assert _row(record) == before
    assert ChangeRecord.objects.count() == changes


def test_a_latin_digits_reader_sees_the_stored_latin_digits(personas):
    kind = KINDS["lead"]
    record = kind.make(personas)
    type(record)._default_manager.filter(pk=record.pk).update(**{kind.field: TYPED})
    personas.owner.digits = "latin"
    personas.owner.save(update_fields=["digits"])
    client = Client()
    client.force_login(personas.owner)

    form = edit_form(client.get(reverse(kind.url, args=[record.pk])).content.decode())

    assert form[kind.field] == [TYPED]
