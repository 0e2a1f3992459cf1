"""System checks of the core app (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Warning


def check_field_encryption_keys(app_configs=None, **kwargs):
    if settings.FIELD_ENCRYPTION_KEYS:
        return []
    return [
        Warning(
            "FIELD_ENCRYPTION_KEYS is empty: stored secrets (cloud and tenant passwords) are "
            "encrypted with a key derived from SECRET_KEY, so changing SECRET_KEY would make "
            "them unreadable.",
            hint="Set FIELD_ENCRYPTION_KEYS to one or more Fernet keys (newest first).",
            id="core.W001",
        )
    ]
