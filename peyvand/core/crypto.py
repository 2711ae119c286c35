"""Secrets at rest: text encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from
``cryptography``) before it reaches the database, for the few secrets a manager types
into a settings page (the Moadian signing key and its password).

The key is ``settings.FIELD_ENCRYPTION_KEY`` (a urlsafe-base64 32-byte Fernet key) when
set; by default it is derived from ``SECRET_KEY`` with HKDF-SHA256 and a fixed context,
so a deployment needs nothing new — and rotating SECRET_KEY without setting
FIELD_ENCRYPTION_KEY to the old derived key makes the stored secrets unreadable (they
are typed again; ``decrypt`` says so in Persian rather than failing the page).

``EncryptedTextField`` stores the token; Python code sees the plain text. Its value is
never rendered back by our forms (they show «ذخیره شده»), its ``value_to_string`` (what
dumpdata and serializers write) is empty, and no export or API names it."""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

__all__ = ["DecryptionError", "EncryptedTextField", "decrypt", "derive_key", "encrypt"]

# The HKDF "info": fixed, so the same SECRET_KEY always gives the same key; other uses
# of SECRET_KEY (sessions, signing) cannot collide with it.
_CONTEXT = b"peyvand.core.crypto field encryption v1"
_PREFIX = "fernet:"


class DecryptionError(ValueError):
    """A stored token this key cannot open (the key changed, or the row was altered)."""

    def __init__(self) -> None:
        super().__init__(
            "رمز این مقدار ذخیره‌شده با کلید کنونی باز نمی‌شود (کلید رمزنگاری یا SECRET_KEY "
            "عوض شده است)؛ آن را دوباره وارد کنید."
        )


def derive_key(secret_key: str) -> bytes:
    """The Fernet key HKDF-SHA256 derives from ``secret_key`` (no salt: the input is
    already a high-entropy secret; the context binds it to this use)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CONTEXT).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


@cache
def _fernet(explicit: str, secret_key: str) -> Fernet:
    return Fernet(explicit.encode() if explicit else derive_key(secret_key))


def _current() -> Fernet:
    explicit = str(getattr(settings, "FIELD_ENCRYPTION_KEY", "") or "")
    return _fernet(explicit, settings.SECRET_KEY)


def encrypt(text: str) -> str:
    """The stored form of ``text``: "fernet:" and the token; "" stays "" (nothing
    stored)."""
    if not text:
        return ""
    return _PREFIX + _current().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text ``encrypt`` stored; DecryptionError (Persian) when this key cannot open it."""
    if not token:
        return ""
    if not token.startswith(_PREFIX):
        raise DecryptionError()
    try:
        return _current().decrypt(token[len(_PREFIX) :].encode()).decode()
    except (InvalidToken, ValueError):
        raise DecryptionError() from None


class EncryptedTextField(models.TextField):
    """A TextField whose column holds ``encrypt(value)``. Reading a row whose token the
    key cannot open gives "" on the instance (and ``decryption_failed`` is not tracked
    here: callers that must know use ``decrypt`` on the raw column)."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except DecryptionError:
            return ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(value)

    def value_to_string(self, obj) -> str:
        # dumpdata, serializers: never the secret, in either form.
        return ""
