"""Saving a row an operator creates or changes (admin UI, API, commands): write-only
secrets, and unique names refused as a conflict."""

from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from portal.core.errors import Conflict


def assign_keeping_secrets(instance, changes: dict, secret_fields) -> None:
    """Set `changes` on `instance` (not saved); a blank value of one of `secret_fields`
    keeps the stored secret, as forms never show it and leave it blank."""
    for name, value in changes.items():
        if name in secret_fields and not value and instance.pk:
            value = type(instance).objects.values_list(name, flat=True).get(pk=instance.pk)
        setattr(instance, name, value)


def secret_form_field(label, *, help_text=None, widget=None, **options):
    """A form field of a write-only secret: never shown back, blank keeps the stored one
    (`assign_keeping_secrets`)."""
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=widget
        or forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=help_text or _("Write-only: leave blank to keep the stored value."),
        **options,
    )


def save_unique(instance, duplicate_message) -> None:
    """Save `instance`; a unique constraint's refusal is a Conflict ("duplicate_name")
    saying `duplicate_message`, and leaves the caller's transaction usable."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise Conflict(duplicate_message, code="duplicate_name") from exc
