"""Saving the records operators edit (the admin UI and the API alike)."""

from django.db import IntegrityError, transaction

from portal.core.errors import Conflict


def apply_changes(record, changes: dict, secret_fields=()) -> None:
    """Set `changes` on `record`. A blank secret keeps the stored one: secrets are
    write-only (never shown), so a form or API call leaving one blank does not change it."""
    for name, value in changes.items():
        if name in secret_fields and not value and record.pk:
            value = type(record).objects.values_list(name, flat=True).get(pk=record.pk)
        setattr(record, name, value)


def save_unique(record, message: str) -> None:
    """Save `record`; a unique name (or other key) already taken is a 409 saying `message`."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        raise Conflict(message, code="duplicate_name") from exc
