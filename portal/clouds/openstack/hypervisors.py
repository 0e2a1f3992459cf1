"""What each compute host holds: its hypervisors' capacity and usage.

Nova's hypervisor details stopped carrying vcpus, memory and disk figures at microversion
2.88 (openstacksdk asks for it), so they come from Placement, where each hypervisor (a
compute node) is a resource provider with the same uuid: its inventories give the
capacity, its usages what the servers' allocations hold. Nova still lists the servers of
each hypervisor (`with_servers`).
"""

from __future__ import annotations

from collections import Counter, defaultdict

# Placement's resource classes, by the ComputeHostInfo figure they give.
RESOURCE_CLASSES = {"vcpus": "VCPU", "memory_mb": "MEMORY_MB", "disk_gb": "DISK_GB"}


def schedulable(inventory) -> int:
    """What the scheduler may place on a provider: (total - reserved) x allocation ratio."""
    return int((inventory.total - inventory.reserved) * inventory.allocation_ratio)


def host_figures(conn) -> dict[str, Counter]:
    """{host name: its ComputeHostInfo figures} summed over the host's hypervisors (one,
    except for Ironic), for every hypervisor Nova lists (admin scope)."""
    hosts: dict[str, Counter] = defaultdict(Counter)
    for hypervisor in conn.compute.hypervisors(details=True, with_servers=True):
        figures = hosts[(hypervisor.service_details or {}).get("host") or hypervisor.name]
        inventories = {
            inventory.resource_class: inventory
            for inventory in conn.placement.resource_provider_inventories(hypervisor.id)
        }
        usages = conn.placement.fetch_resource_provider_usages(hypervisor.id).usages or {}
        for figure, resource_class in RESOURCE_CLASSES.items():
            if resource_class in inventories:
                figures[figure] += schedulable(inventories[resource_class])
            figures[f"{figure}_used"] += usages.get(resource_class, 0)
        figures["servers"] += len(hypervisor.servers or [])
    return hosts
