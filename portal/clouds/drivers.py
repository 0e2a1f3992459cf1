"""Opening a driver for a cloud. Only Celery jobs call this (and the demo loader)."""

from django.utils.module_loading import import_string

from portal.clouds.base import CloudDriver, TenantCredentials
from portal.clouds.base_object_storage import ObjectStorageAPI
from portal.clouds.errors import CloudUnavailable
from portal.clouds.task_messages import CloudMessages
from portal.core.metrics import time_call

DRIVER_CLASSES = {
    "simulator": "portal.clouds.simulator.driver.SimulatorDriver",
    "openstack": "portal.clouds.openstack.driver.OpenStackDriver",
    "azure": "portal.clouds.azure.driver.AzureDriver",
}
OBJECT_STORAGE_DRIVER_CLASSES = {
    "simulator": "portal.clouds.simulator.object_storage.SimulatedObjectStorage",
    "rgw": "portal.clouds.rgw.driver.RgwDriver",
}
# The driver's sections (clouds/base.py, CloudDriver): each call through them is timed.
SECTIONS = ("identity", "images", "compute", "volumes", "network")


def get_driver(cloud, credentials: TenantCredentials | None = None) -> CloudDriver:
    """A driver for `cloud`, as its admin (no credentials) or as a tenant's user."""
    path = DRIVER_CLASSES.get(cloud.kind)
    if path is None:
        raise CloudUnavailable(CloudMessages.NOT_SUPPORTED(kind=cloud.kind))
    if not cloud.enabled:
        raise CloudUnavailable(CloudMessages.DISABLED(name=cloud.name))
    return TimedDriver(import_string(path)(cloud, credentials), cloud.kind)


def get_object_storage_driver(store) -> ObjectStorageAPI:
    """A driver for an object store (a region's Ceph RGW) as its admin user; each call is
    timed like a cloud driver's ("objects.create_bucket")."""
    path = OBJECT_STORAGE_DRIVER_CLASSES.get(store.kind)
    if path is None:
        raise CloudUnavailable(CloudMessages.STORE_NOT_SUPPORTED(kind=store.kind))
    if not store.enabled:
        raise CloudUnavailable(CloudMessages.STORE_DISABLED(name=store.name))
    return _TimedSection(import_string(path)(store), store.kind, "objects")


class TimedDriver:
    """The driver, with every call of its sections timed in the
    portal_cloud_call_duration_seconds histogram (operation "compute.start_server")."""

    def __init__(self, driver, cloud_kind):
        self._driver = driver
        for section in SECTIONS:
            setattr(self, section, _TimedSection(getattr(driver, section), cloud_kind, section))
        self.check = time_call(cloud_kind, "check", driver.check)

    def __getattr__(self, name):
        return getattr(self._driver, name)

    def __repr__(self):
        return repr(self._driver)


class _TimedSection:
    def __init__(self, section, cloud_kind, section_name):
        self._section, self._kind, self._name = section, cloud_kind, section_name

    def __getattr__(self, name):
        attribute = getattr(self._section, name)
        if name.startswith("_") or not callable(attribute):
            return attribute
        return time_call(self._kind, f"{self._name}.{name}", attribute)
