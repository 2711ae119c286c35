"""Secrets at rest: the column holds a token, the code sees the text, another key cannot
open it, and nothing serialises it."""

import pytest
from django.core import serializers
from django.db import connection

from peyvand.core.crypto import DecryptionError, decrypt, derive_key, encrypt
from peyvand.tax.models import MoadianSettings

SECRET = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"


def test_encrypt_and_decrypt_round_trip_and_tokens_differ():
    first, second = encrypt(SECRET), encrypt(SECRET)
    assert first.startswith("fernet:") and SECRET not in first
    assert first != second  # a fresh IV each time
    assert decrypt(first) == decrypt(second) == SECRET
    assert encrypt("") == "" and decrypt("") == ""


def test_the_key_is_derived_from_the_secret_key_unless_set(settings):
    token = encrypt(SECRET)
    settings.SECRET_KEY = "another-secret-key-entirely"
    with pytest.raises(DecryptionError) as caught:
        decrypt(token)
    assert "دوباره وارد کنید" in str(caught.value)
    settings.FIELD_ENCRYPTION_KEY = derive_key("another-secret-key-entirely").decode()
    assert decrypt(encrypt("x")) == "x"
    assert derive_key("a") == derive_key("a") != derive_key("b")


def test_a_plain_or_altered_value_is_refused():
    with pytest.raises(DecryptionError):
        decrypt("not a token")
    token = encrypt(SECRET)
    with pytest.raises(DecryptionError):
        decrypt(token[:-4] + "AAAA")


@pytest.mark.django_db
def test_the_field_stores_a_token_and_never_serialises_the_secret():
    row = MoadianSettings.load()
    row.private_key = SECRET
    row.private_key_password = "رمز-کلید"
    row.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT private_key, private_key_password FROM tax_moadiansettings WHERE id = 1"
        )
        stored_key, stored_password = cursor.fetchone()
    assert stored_key.startswith("fernet:") and "PRIVATE KEY" not in stored_key
    assert decrypt(stored_password) == "رمز-کلید"
    assert MoadianSettings.load().private_key == SECRET
    dumped = serializers.serialize("json", MoadianSettings.objects.all())
    assert "MIIEvQ" not in dumped and "fernet:" not in dumped
