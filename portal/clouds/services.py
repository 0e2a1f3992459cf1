"""Registering and changing clouds (admin UI, API and import_clouds_yaml share these)."""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.clouds.models import Cloud
from portal.core.saving import assign_keeping_secrets, save_unique

SECRET_FIELDS = ("password",)


@transaction.atomic
def save_cloud(cloud: Cloud, changes: dict) -> Cloud:
    """Create or update a cloud. A blank password keeps the stored one (it is write-only)."""
    assign_keeping_secrets(cloud, changes, SECRET_FIELDS)
    if cloud.is_default:
        # One default cloud: the partial unique constraint would refuse a second.
        Cloud.objects.exclude(pk=cloud.pk).filter(is_default=True).update(is_default=False)
    save_unique(cloud, _("A cloud with this name or region already exists."))
    return cloud
