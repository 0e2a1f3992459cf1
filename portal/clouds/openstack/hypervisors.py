"""What each compute host holds: its hypervisors' capacity and usage.

Nova's hypervisor details stopped carrying vcpus, memory and disk figures at microversion
2.88 (openstacksdk asks for it), so they come from Placement, where each hypervisor (a
compute node) is a resource provider with the same uuid: its inventories give the
capacity, its usages what the servers' allocations hold. Nova still lists the servers of
each hypervisor (`with_servers`).
"""

from __future__ import annotations

from dataclasses import dataclass

# Placement's resource classes, by the name of the figure they give.
RESOURCE_CLASSES = {"vcpus": "VCPU", "memory_mb": "MEMORY_MB", "disk_gb": "DISK_GB"}


@dataclass
class HostUsage:
    """The figures of one host, summed over its hypervisors (one, except for Ironic)."""

    vcpus: int = 0
    vcpus_used: int = 0
    memory_mb: int = 0
    memory_mb_used: int = 0
    disk_gb: int = 0
    disk_gb_used: int = 0
    servers: int = 0

    def add_provider(self, inventories: dict, usages: dict) -> None:
        for figure, resource_class in RESOURCE_CLASSES.items():
            inventory = inventories.get(resource_class)
            if inventory is not None:
                setattr(self, figure, getattr(self, figure) + schedulable(inventory))
            used = f"{figure}_used"
            setattr(self, used, getattr(self, used) + usages.get(resource_class, 0))


def schedulable(inventory) -> int:
    """What the scheduler may place on a provider: (total - reserved) x allocation ratio."""
    return int((inventory.total - inventory.reserved) * inventory.allocation_ratio)


def host_usages(conn) -> dict[str, HostUsage]:
    """{host name: its figures} for every hypervisor Nova lists (admin scope)."""
    hosts: dict[str, HostUsage] = {}
    for hypervisor in conn.compute.hypervisors(details=True, with_servers=True):
        host = (hypervisor.service_details or {}).get("host") or hypervisor.name
        usage = hosts.setdefault(host, HostUsage())
        inventories = {
            inventory.resource_class: inventory
            for inventory in conn.placement.resource_provider_inventories(hypervisor.id)
        }
        provider = conn.placement.fetch_resource_provider_usages(hypervisor.id)
        usage.add_provider(inventories, provider.usages or {})
        usage.servers += len(hypervisor.servers or [])
    return hosts
