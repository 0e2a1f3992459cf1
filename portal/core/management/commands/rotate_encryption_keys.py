"""Re-encrypt every stored secret with the newest key of FIELD_ENCRYPTION_KEYS.

Rotation: prepend a new key to FIELD_ENCRYPTION_KEYS (old keys still decrypt), run this
command, then drop the old key.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.core.fields import EncryptedTextField


def encrypted_fields():
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


class Command(BaseCommand):
    help = "Re-encrypt stored secrets with the newest FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        total = 0
        for model, names in encrypted_fields():
            with transaction.atomic():
                rows = model._base_manager.select_for_update().only("pk", *names)
                for row in rows:
                    # Reading decrypts with any known key; saving encrypts with the newest.
                    row.save(update_fields=names)
                    total += 1
        self.stdout.write(f"Re-encrypted {total} rows.")
