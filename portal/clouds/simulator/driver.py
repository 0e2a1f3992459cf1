"""The simulator's driver: one scope (admin or a tenant's user) and its services."""

from portal.clouds.base import TenantCredentials
from portal.clouds.simulator.compute import SimulatedCompute
from portal.clouds.simulator.floating_ips import SimulatedFloatingIPs
from portal.clouds.simulator.identity import SimulatedIdentity
from portal.clouds.simulator.images import SimulatedImages
from portal.clouds.simulator.network import SimulatedNetwork
from portal.clouds.simulator.scope import Scope
from portal.clouds.simulator.shares import SimulatedShares
from portal.clouds.simulator.volumes import SimulatedVolumes


class SimulatorDriver:
    """A portal.clouds.base.CloudDriver whose cloud lives in the portal's database.

    Options read from `cloud.options`: "delays" (seconds per transition, see state.py),
    "quotas" (see quotas.py) and "timeout_seconds" (how long an injected "timeout"
    fault waits, see faults.py).
    """

    def __init__(self, cloud, credentials: TenantCredentials | None = None):
        self.cloud = cloud
        self.scope = Scope(cloud, credentials)
        self.identity = SimulatedIdentity(self.scope)
        self.images = SimulatedImages(self.scope)
        self.compute = SimulatedCompute(self.scope)
        self.volumes = SimulatedVolumes(self.scope)
        self.network = SimulatedNetwork(self.scope)
        self.floating_ips = SimulatedFloatingIPs(self.scope)
        self.shares = SimulatedShares(self.scope)

    def check(self) -> None:
        """The availability zones, as on OpenStack (a fault injected there fails it)."""
        self.compute.list_availability_zones()

    @property
    def project_id(self) -> str:
        """The project this driver acts in (the admin's own project in admin scope)."""
        return self.scope.project_id
