"""Nova's availability zones and compute hosts.

The simulated hosts come from `cloud.options["compute_hosts"]`: a list of
{"host", "zone", "state" (up|down), "status" (enabled|disabled), "disabled_reason",
and the hypervisor's capacity "vcpus", "memory_mb", "disk_gb" (else HOST_CAPACITY)};
without it, one enabled host that is up, in zone "nova". As in Nova, a zone is
available while one of its hosts is enabled. What a host's servers use of its capacity
is summed from the servers themselves, as Placement sums their allocations.
"""

from collections import Counter
from dataclasses import replace

from django.utils.translation import gettext as _

from portal.clouds.base import AvailabilityZoneInfo, ComputeHostInfo
from portal.clouds.simulator.refusals import bad_request
from portal.clouds.simulator.service import Kind, SimulatedService

DEFAULT_ZONE = "nova"
SIMULATED_HOST = "sim-compute-1"
# A configured host's capacity when its entry does not give it (a modest hypervisor).
HOST_CAPACITY = {"vcpus": 64, "memory_mb": 262144, "disk_gb": 2000}


def compute_hosts(cloud) -> list[ComputeHostInfo]:
    configured = cloud.options.get("compute_hosts") or [
        {"host": SIMULATED_HOST, "zone": DEFAULT_ZONE}
    ]
    return [ComputeHostInfo(**{**HOST_CAPACITY, **host}) for host in configured]


def with_usage(hosts: list[ComputeHostInfo], servers) -> list[ComputeHostInfo]:
    """`hosts` with what `servers` (simulated server rows) hold on each.

    Every simulated server boots from a volume, for which Placement allocates no local
    disk (Nova since Rocky): the local disk used stays 0.
    """
    used: dict[str, Counter] = {host.host: Counter() for host in hosts}
    for server in servers:
        held = used.get(server.data.get("host", ""))
        if held is not None:
            held.update(vcpus=server.data["vcpus"], memory_mb=server.data["ram"], servers=1)
    return [
        replace(
            host,
            vcpus_used=used[host.host]["vcpus"],
            memory_mb_used=used[host.host]["memory_mb"],
            servers=used[host.host]["servers"],
        )
        for host in hosts
    ]


def availability_zones(cloud) -> list[AvailabilityZoneInfo]:
    available: dict[str, bool] = {}
    for host in compute_hosts(cloud):
        available[host.zone] = available.get(host.zone, False) or host.status == "enabled"
    return [AvailabilityZoneInfo(name, up) for name, up in available.items()]


def check_placement(cloud, zone: str, host: str) -> None:
    """Refuse what Nova's API refuses at once: an unavailable zone, an unknown host."""
    zones = {info.name for info in availability_zones(cloud) if info.available}
    if zone and zone not in zones:
        raise bad_request(_("The requested availability zone is not available."))
    if host and host not in {info.host for info in compute_hosts(cloud)}:
        raise bad_request(_("Compute host %(host)s could not be found."), host=host)


class ZoneOperations(SimulatedService):
    group = "compute"

    def list_availability_zones(self) -> list[AvailabilityZoneInfo]:
        return availability_zones(self.cloud)

    def list_compute_hosts(self) -> list[ComputeHostInfo]:
        self._require_admin(_("list the compute hosts"))
        servers = self._settled(self._all(Kind.SERVER))
        return with_usage(compute_hosts(self.cloud), servers)
