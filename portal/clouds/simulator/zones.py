"""Nova's availability zones and compute hosts.

The simulated hosts come from `cloud.options["compute_hosts"]`: a list of
{"host", "zone", "state" (up|down), "status" (enabled|disabled), "disabled_reason"};
without it, one enabled host that is up, in zone "nova". As in Nova, a zone is
available while one of its hosts is enabled.
"""

from django.utils.translation import gettext as _

from portal.clouds.base import AvailabilityZoneInfo, ComputeHostInfo
from portal.clouds.simulator.refusals import bad_request
from portal.clouds.simulator.service import SimulatedService

DEFAULT_ZONE = "nova"
SIMULATED_HOST = "sim-compute-1"


def compute_hosts(cloud) -> list[ComputeHostInfo]:
    configured = cloud.options.get("compute_hosts") or [
        {"host": SIMULATED_HOST, "zone": DEFAULT_ZONE}
    ]
    return [ComputeHostInfo(**host) for host in configured]


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
        return compute_hosts(self.cloud)
