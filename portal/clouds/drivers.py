"""Opening a driver for a cloud. Only Celery jobs call this (and the demo loader)."""

from django.utils.module_loading import import_string

from portal.clouds.base import CloudDriver, TenantCredentials
from portal.clouds.errors import CloudUnavailable
from portal.clouds.task_messages import CloudMessages

DRIVER_CLASSES = {
    "simulator": "portal.clouds.simulator.driver.SimulatorDriver",
    "openstack": "portal.clouds.openstack.driver.OpenStackDriver",
}


def get_driver(cloud, credentials: TenantCredentials | None = None) -> CloudDriver:
    """A driver for `cloud`, as its admin (no credentials) or as a tenant's user."""
    path = DRIVER_CLASSES.get(cloud.kind)
    if path is None:
        raise CloudUnavailable(CloudMessages.NOT_SUPPORTED(kind=cloud.kind))
    if not cloud.enabled:
        raise CloudUnavailable(CloudMessages.DISABLED(name=cloud.name))
    return import_string(path)(cloud, credentials)
