"""Registering and changing clouds (admin UI, API and import_clouds_yaml share these)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.clouds.models import Cloud
from portal.core.errors import Conflict

SECRET_FIELDS = ("password",)


@transaction.atomic
def save_cloud(cloud: Cloud, changes: dict) -> Cloud:
    """Create or update a cloud. A blank password keeps the stored one (it is write-only)."""
    for name, value in changes.items():
        if name in SECRET_FIELDS and not value and cloud.pk:
            value = Cloud.objects.values_list(name, flat=True).get(pk=cloud.pk)
        setattr(cloud, name, value)
    if cloud.is_default:
        # One default cloud: the partial unique constraint would refuse a second.
        Cloud.objects.exclude(pk=cloud.pk).filter(is_default=True).update(is_default=False)
    try:
        with transaction.atomic():
            cloud.save()
    except IntegrityError as exc:
        raise Conflict(
            _("A cloud with this name or region already exists."), code="duplicate_name"
        ) from exc
    return cloud
