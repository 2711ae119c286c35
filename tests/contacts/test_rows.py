"""Bank accounts (شبا) and other addresses on the contact's page."""

import pytest
from django.urls import reverse

from peyvand.core.models import ChangeRecord

pytestmark = pytest.mark.django_db


def test_a_rep_adds_a_bank_account_typed_in_persian_digits_and_the_history_keeps_it(
    client, personas, contact
):
    client.force_login(personas.owner)
    url = reverse("contacts:row_add", args=[contact.pk, "bank"])
    client.post(
        url,
        {
            "bank-iban": "IR۸۲ ۰۵۴۰ ۱۰۲۶ ۸۰۰۲ ۰۸۱۷ ۹۰۹۰ ۰۲",
            "bank-card_number": "",
            "bank-bank": "پارسيان",
            "bank-holder": "",
        },
    )
    account = contact.bank_accounts.get()
    assert account.iban == "IR820540102680020817909002" and account.bank == "پارسیان"
    client.post(reverse("contacts:row_remove", args=[contact.pk, "bank", account.pk]))
    assert not contact.bank_accounts.exists()
    changes = [r.changes[0] for r in ChangeRecord.objects.filter(object_id=contact.pk)]
    assert {"old": "", "new": account.iban} in [{k: c[k] for k in ("old", "new")} for c in changes]
    assert {"old": account.iban, "new": ""} in [{k: c[k] for k in ("old", "new")} for c in changes]


def test_a_wrong_iban_is_explained_in_persian_and_kept_in_the_form(client, personas, contact):
    client.force_login(personas.owner)
    url = reverse("contacts:row_add", args=[contact.pk, "bank"])
    page = client.post(url, {"bank-iban": "IR820540102680020817909003"}).content.decode()
    assert "شماره شبا" in page and 'value="IR۸۲۰۵۴۰۱۰۲۶۸۰۰۲۰۸۱۷۹۰۹۰۰۳"' in page
    assert '<details class="p-2 border-top" open>' in page
    assert not contact.bank_accounts.exists()


def test_another_email_and_a_warehouse_address(client, personas, contact):
    client.force_login(personas.owner)
    url = reverse("contacts:row_add", args=[contact.pk, "address"])
    client.post(
        url,
        {"address-kind": "email", "address-title": "حسابداری", "address-value": "acc@mehregan.ir"},
    )
    bad = client.post(url, {"address-kind": "email", "address-value": "نامعتبر"}).content.decode()
    assert "ایمیل" in bad and "نامعتبر</textarea>" in bad
    client.post(
        url,
        {
            "address-kind": "postal",
            "address-title": "انبار",
            "address-value": "کرج، جاده ملارد",
            "address-postal_code": "۳۱۵۸۷-۷۷۸۷۱",
        },
    )
    page = client.get(contact.get_absolute_url()).content.decode()
    assert "acc@mehregan.ir" in page and "کرج، جاده ملارد" in page
    assert contact.addresses.get(kind="postal").postal_code == "3158777871"
