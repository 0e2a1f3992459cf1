"""Opening a driver for a cloud. Only Celery jobs call this (and the demo loader)."""

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from portal.clouds.base import CloudDriver, TenantCredentials
from portal.clouds.errors import CloudUnavailable

DRIVER_CLASSES = {
    "simulator": "portal.clouds.simulator.driver.SimulatorDriver",
    "openstack": "portal.clouds.openstack.driver.OpenStackDriver",
}


def get_driver(cloud, credentials: TenantCredentials | None = None) -> CloudDriver:
    """A driver for `cloud`, as its admin (no credentials) or as a tenant's user."""
    path = DRIVER_CLASSES.get(cloud.kind)
    if path is None:
        raise CloudUnavailable(
            _("Clouds of kind %(kind)s are not supported yet.") % {"kind": cloud.kind}
        )
    if not cloud.enabled:
        raise CloudUnavailable(_("The cloud %(name)s is disabled.") % {"name": cloud.name})
    return import_string(path)(cloud, credentials)
