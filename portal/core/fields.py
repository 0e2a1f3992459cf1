"""An encrypted text field (cryptography's MultiFernet, so keys can be rotated).

Why not a library: django-fernet-encrypted-fields derives its keys from SECRET_KEY, so
rotating SECRET_KEY would make every stored secret unreadable; here the keys are their
own setting (FIELD_ENCRYPTION_KEYS, newest first) and `rotate_encryption_keys`
re-encrypts stored values with the newest one.
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models


@cache
def _multi_fernet() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        # Embedded default only (check --deploy warns): a key derived from SECRET_KEY.
        digest = hashlib.sha256(f"field-encryption:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be url-safe base64 Fernet keys"
        ) from exc


def _reset_keys(*, setting, **kwargs):
    if setting in ("FIELD_ENCRYPTION_KEYS", "SECRET_KEY"):
        _multi_fernet.cache_clear()


setting_changed.connect(_reset_keys)


def encrypt(plaintext: str) -> str:
    return _multi_fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _multi_fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        # Never include the token or any plaintext in the message.
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS "
            "(was a key removed before `rotate_encryption_keys` ran?)"
        ) from exc


class EncryptedTextField(models.TextField):
    """Stores a Fernet token; Python code sees the plaintext string."""

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else encrypt(str(value))

    def formfield(self, **kwargs):
        from django import forms

        kwargs.setdefault("widget", forms.PasswordInput(render_value=False))
        return super().formfield(**kwargs)
