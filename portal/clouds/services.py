"""Registering and changing clouds (admin UI, API and import_clouds_yaml share these)."""

from django.db import transaction
from django.dispatch import Signal
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from portal.clouds.models import Cloud, missing_settings
from portal.clouds.openstack.clouds_yaml import ImportResult, import_cloud
from portal.clouds.sync import SYNC_KINDS, request_sync
from portal.core.errors import ValidationFailed
from portal.core.saving import assign_keeping_secrets, save_unique

SECRET_FIELDS = ("password", "azure_client_secret", "azure_storage_key")

# Sent (with `cloud` and `actor`) inside the transaction that registers a cloud or enables
# it again: the apps above act on it, e.g. tenants set every tenant up there.
cloud_opened = Signal()


@transaction.atomic
def save_cloud(cloud: Cloud, changes: dict, *, actor=None) -> Cloud:
    """Create or update a cloud. A blank secret keeps the stored one (they are write-only);
    400 naming each setting its kind needs and lacks."""
    was_open = _is_open(cloud)
    assign_keeping_secrets(cloud, changes, SECRET_FIELDS)
    missing = missing_settings(cloud.kind, model_to_dict(cloud))
    if missing:
        raise ValidationFailed(fields={name: [setting_needed(cloud.kind)] for name in missing})
    if cloud.is_default:
        # One default cloud: the partial unique constraint would refuse a second.
        Cloud.objects.exclude(pk=cloud.pk).filter(is_default=True).update(is_default=False)
    save_unique(cloud, _("A cloud with this name or region already exists."))
    if cloud.enabled and not was_open:
        open_cloud(cloud, actor=actor)
    return cloud


@transaction.atomic
def import_clouds_yaml(
    path, cloud_name=None, *, region=None, make_default=False, actor=None
) -> ImportResult:
    """Register (or update) an OpenStack cloud from a clouds.yaml (the management command)."""
    result = import_cloud(path, cloud_name, region=region, make_default=make_default)
    if result.created and result.cloud.enabled:
        open_cloud(result.cloud, actor=actor)
    return result


def open_cloud(cloud: Cloud, *, actor=None) -> None:
    """A cloud starts serving (registered, or enabled again): queue the first pull of each
    kind now rather than at beat's next run, so its flavors, images, networks and servers
    are usable at once, and tell the apps above (`cloud_opened`). The jobs are sent when
    the caller's transaction commits."""
    for sync_kind in SYNC_KINDS.values():
        if sync_kind.applies_to is None or sync_kind.applies_to(cloud):
            request_sync(sync_kind.kind, cloud=cloud, actor=actor)
    cloud_opened.send(sender=Cloud, cloud=cloud, actor=actor)


def setting_needed(kind) -> str:
    """What is said of each setting a cloud of `kind` needs and lacks."""
    return _("A cloud of kind %(kind)s needs this setting.") % {"kind": Cloud.Kind(kind).label}


def _is_open(cloud: Cloud) -> bool:
    """Whether the stored row (if any) is enabled."""
    return cloud.pk is not None and Cloud.objects.filter(pk=cloud.pk, enabled=True).exists()
