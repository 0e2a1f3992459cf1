"""The network pull (the worker side): mirrors a cloud's networks, security groups with
their rules, availability zones and compute hosts, which services.py checks requests
against."""

from django.db import transaction

from portal.clouds.mirror import CloudMirror, SyncCounts, pages
from portal.network.models import AvailabilityZone, ComputeHost, Network
from portal.network.security_groups.workflows import mirror_security_groups
from portal.network.task_messages import NetworkMessages

# The capacity and usage figures of a compute host, mirrored as the driver reads them.
HOST_FIGURES = (
    "vcpus", "vcpus_used", "memory_mb", "memory_mb_used", "disk_gb", "disk_gb_used", "servers",
)  # fmt: skip


def sync_network(cloud, driver, progress=None) -> SyncCounts:
    """Mirror the cloud's networks, security groups with their rules, availability zones
    and compute hosts (the admin sees every project's); returns what changed, summed.

    Everything is read before anything is written, so a cloud error leaves the mirrors
    as they were.
    """
    groups = driver.network.list_security_groups()
    listings = [
        (Network, {info.id: _network_fields(info) for info in driver.network.list_networks()}),
        (
            AvailabilityZone,
            {z.name: _zone_fields(z) for z in driver.compute.list_availability_zones()},
        ),
        (ComputeHost, {h.host: _host_fields(h) for h in driver.compute.list_compute_hosts()}),
    ]
    if progress:
        read = len(groups) + sum(len(objects) for _model, objects in listings)
        progress(50, NetworkMessages.READ(count=read))
    with transaction.atomic():
        total = mirror_security_groups(cloud, groups, complete=True)
        for model, objects in listings:
            total += _mirror(model, cloud, objects)
    return total


def _mirror(model, cloud, objects: dict[str, dict]) -> SyncCounts:
    mirror = CloudMirror(model, cloud)
    for page in pages(objects):
        mirror.upsert({backend_id: objects[backend_id] for backend_id in page})
    mirror.mark_missing()
    return mirror.counts


def _network_fields(info):
    return {
        "name": info.name or "",
        "project_id": info.project_id or "",
        "shared": info.is_shared,
        "external": info.is_external,
        "status": info.status or "",
    }


def _zone_fields(info):
    return {"name": info.name, "available": info.available}


def _host_fields(info):
    return {
        "name": info.host,
        "zone": info.zone or "",
        "state": info.state,
        "status": info.status,
        "disabled_reason": (info.disabled_reason or "")[:255],
        **{figure: getattr(info, figure) for figure in HOST_FIGURES},
    }
