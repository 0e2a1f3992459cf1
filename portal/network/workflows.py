"""The network pull (the worker side): mirrors a cloud's networks, security groups,
availability zones and compute hosts, which services.py checks requests against, and
every project's floating IPs (floating_ips/workflows.py)."""

from django.db import transaction

from portal.clouds.mirror import CloudMirror, SyncCounts, pages
from portal.network.floating_ips.workflows import mirror_floating_ips
from portal.network.models import AvailabilityZone, ComputeHost, Network, SecurityGroup
from portal.network.task_messages import NetworkMessages

# The capacity and usage figures of a compute host, mirrored as the driver reads them.
HOST_FIGURES = (
    "vcpus", "vcpus_used", "memory_mb", "memory_mb_used", "disk_gb", "disk_gb_used", "servers",
)  # fmt: skip


def sync_network(cloud, driver, progress=None) -> SyncCounts:
    """Mirror the cloud's networks, security groups, availability zones, compute hosts and
    floating IPs (the admin sees every project's); returns what changed, summed.

    Everything is read before anything is written, so a cloud error leaves the mirrors
    as they were.
    """
    listings = [
        (Network, {info.id: _network_fields(info) for info in driver.network.list_networks()}),
        (SecurityGroup, {g.id: _group_fields(g) for g in driver.network.list_security_groups()}),
        (
            AvailabilityZone,
            {z.name: _zone_fields(z) for z in driver.compute.list_availability_zones()},
        ),
        (ComputeHost, {h.host: _host_fields(h) for h in driver.compute.list_compute_hosts()}),
    ]
    floating_ips = driver.floating_ips.list_floating_ips()
    if progress:
        read = sum(len(objects) for _model, objects in listings) + len(floating_ips)
        progress(50, NetworkMessages.READ(count=read))
    total = SyncCounts()
    with transaction.atomic():
        mirrored = [_mirror(model, cloud, objects) for model, objects in listings]
        for counts in [*mirrored, mirror_floating_ips(cloud, floating_ips)]:
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(counts, name))
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


def _group_fields(info):
    return {"name": info.name or "", "project_id": info.project_id or ""}


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
