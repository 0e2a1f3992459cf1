"""What the server flows share: the metadata that finds a server the portal asked for,
recording what the cloud holds on the rows, and best-effort cleanup."""

import logging

from django.utils import timezone

from portal.clouds.base import ServerInfo
from portal.clouds.errors import CloudNotFound
from portal.servers.models import Flavor

logger = logging.getLogger(__name__)

METADATA_KEY = "portal_instance_id"


def record_server(server, info: ServerInfo, *extra_fields):
    """Copy the cloud's view of the server onto the row (the flavor too, if it changed)."""
    server.runtime_state = info.status
    server.power_state = info.power_state
    server.addresses = dict(info.addresses)
    server.hypervisor_hostname = info.host
    server.availability_zone = info.availability_zone or server.availability_zone
    server.cloud_locked = info.locked
    server.security_group_names = list(info.security_groups) or server.security_group_names
    fields = [
        "runtime_state", "power_state", "addresses", "hypervisor_hostname",
        "availability_zone", "cloud_locked", "security_group_names", "synced_at", "updated",
    ]  # fmt: skip
    if info.flavor_id and info.flavor_id != server.flavor_ref:
        flavor = Flavor.objects.filter(cloud=server.cloud, backend_id=info.flavor_id).first()
        if flavor is not None:
            copy_flavor(server, flavor)
            fields += FLAVOR_FIELDS
    server.synced_at = timezone.now()
    server.save(update_fields=[*fields, *extra_fields])


FLAVOR_FIELDS = ["flavor", "flavor_ref", "flavor_name", "vcpus", "ram", "flavor_disk"]


def copy_flavor(server, flavor):
    server.flavor = flavor
    server.flavor_ref = flavor.backend_id
    server.flavor_name = flavor.name
    server.vcpus, server.ram, server.flavor_disk = flavor.vcpus, flavor.ram, flavor.disk


def find_by_metadata(driver, server):
    for info in driver.compute.iter_servers():
        if info.metadata.get(METADATA_KEY) == server.instance_id:
            return info
    return None


def save_backend_id(obj, backend_id):
    obj.backend_id = backend_id
    obj.save(update_fields=["backend_id"])


def quietly(function, *args) -> bool:
    """Best-effort cleanup: a failure is logged, and the state sync finds what remains.
    True when it was done (or the cloud had nothing to remove)."""
    try:
        function(*args)
    except CloudNotFound:
        pass
    except Exception:
        logger.exception("cleanup step %s%r failed", getattr(function, "__name__", ""), args)
        return False
    return True
