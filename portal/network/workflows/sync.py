"""The network pull (the worker side): mirrors a cloud's networks (tenants' VPCs among
them) with their subnets, routers (gateway, interfaces, routes), security groups with
their rules, floating IPs, availability zones and compute hosts, which the request side
checks requests against."""

from django.db import transaction

from portal.clouds.mirror import CloudMirror, SyncCounts, pages
from portal.network.floating_ips.workflows import mirror_floating_ips
from portal.network.models import (
    AvailabilityZone,
    ComputeHost,
    Network,
    Router,
    Subnet,
)
from portal.network.security_groups.workflows import mirror_security_groups
from portal.network.task_messages import NetworkMessages
from portal.network.workflows.records import (
    network_fields,
    router_fields,
    set_interfaces,
    subnet_fields,
)
from portal.tenants import quotas
from portal.tenants.models import QuotaReservation, TenantIdentity

# The capacity and usage figures of a compute host, mirrored as the driver reads them.
HOST_FIGURES = (
    "vcpus", "vcpus_used", "memory_mb", "memory_mb_used", "disk_gb", "disk_gb_used", "servers",
)  # fmt: skip


def sync_network(cloud, driver, progress=None) -> SyncCounts:
    """Mirror the cloud's networks, subnets, routers, security groups, availability
    zones and compute hosts (the admin sees every project's); returns what changed,
    summed. Only changed rows are written; what the cloud no longer lists is marked
    missing.

    Everything is read before anything is written, so a cloud error leaves the mirrors
    as they were.
    """
    networks = driver.network.list_networks()
    subnets = driver.network.list_subnets()
    routers = driver.network.list_routers()
    groups = driver.network.list_security_groups()
    floating_ips = driver.floating_ips.list_floating_ips()
    tenant_of = dict(
        TenantIdentity.objects.filter(cloud=cloud)
        .exclude(project_id="")
        .values_list("project_id", "tenant_id")
    )
    listings = [
        (
            AvailabilityZone,
            {z.name: _zone_fields(z) for z in driver.compute.list_availability_zones()},
        ),
        (ComputeHost, {h.host: _host_fields(h) for h in driver.compute.list_compute_hosts()}),
    ]
    if progress:
        read = len(networks) + len(subnets) + len(routers) + len(groups) + len(floating_ips)
        read += sum(len(objects) for _model, objects in listings)
        progress(50, NetworkMessages.READ(count=read))
    total = SyncCounts()
    with transaction.atomic():
        network_rows = _mirror(
            Network,
            cloud,
            {info.id: network_fields(info, tenant_of) for info in networks},
            total,
            on_missing=_release_quota_of_vanished,
        )
        network_pk = {backend_id: row.pk for backend_id, row in network_rows.items()}
        subnet_objects = {
            info.id: subnet_fields(info, network_pk[info.network_id])
            for info in subnets
            if info.network_id in network_pk
        }
        _mirror(Subnet, cloud, subnet_objects, total)
        router_rows = _mirror(
            Router,
            cloud,
            {info.id: router_fields(info, tenant_of) for info in routers},
            total,
            on_missing=_release_quota_of_vanished,
        )
        set_interfaces(cloud, {router_rows[info.id].pk: info.subnet_ids for info in routers})
        for model, objects in listings:
            _mirror(model, cloud, objects, total)
        total += mirror_security_groups(cloud, groups, complete=True)
        total += mirror_floating_ips(cloud, floating_ips)
    return total


def _mirror(model, cloud, objects: dict[str, dict], total: SyncCounts, on_missing=None) -> dict:
    """Upsert `objects`, mark the rest missing (then `on_missing(mirror)` if any was) and
    add the counts to `total`; returns the rows by backend id."""
    mirror = CloudMirror(model, cloud)
    rows = {}
    for page in pages(objects):
        rows.update(mirror.upsert({backend_id: objects[backend_id] for backend_id in page}))
    if mirror.mark_missing() and on_missing is not None:
        on_missing(mirror)
    for name in vars(total):
        setattr(total, name, getattr(total, name) + getattr(mirror.counts, name))
    return rows


def _release_quota_of_vanished(mirror: CloudMirror) -> None:
    """The VPCs or routers this pull found gone give back the quota they held, as one
    deleted through the portal does."""
    gone = mirror.model.objects.filter(cloud=mirror.cloud, missing_since=mirror.now)
    held = quotas.held_by(gone.values("pk"), kind=mirror.model)
    held.filter(state__in=QuotaReservation.HOLDING).update(state=QuotaReservation.State.RELEASED)


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
