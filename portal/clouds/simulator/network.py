"""Neutron networks and subnets (routers: routers.py; security groups:
security_groups.py)."""

import ipaddress

from django.utils.translation import gettext as _

from portal.clouds.base_network import NetworkInfo, SubnetInfo
from portal.clouds.simulator import ports
from portal.clouds.simulator import visibility as visible
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.refusals import bad_request, conflict, parse_cidr
from portal.clouds.simulator.routers import RouterOperations
from portal.clouds.simulator.security_groups import SecurityGroupOperations
from portal.clouds.simulator.service import Kind, SimulatedService, atomic


def network_info(network: SimulatedObject, subnet_ids: list[str]) -> NetworkInfo:
    return NetworkInfo(
        id=network.backend_id,
        name=network.name,
        status=network.status,
        subnet_ids=subnet_ids,
        is_external=network.data.get("external", False),
        is_shared=network.data.get("shared", False),
        project_id=network.project_id,
        description=network.data.get("description", ""),
        created_at=network.created,
    )


def subnet_info(subnet: SimulatedObject) -> SubnetInfo:
    return SubnetInfo(
        id=subnet.backend_id,
        name=subnet.name,
        network_id=subnet.parent_id,
        cidr=subnet.data["cidr"],
        gateway_ip=subnet.data.get("gateway_ip", ""),
        ip_version=subnet.data["ip_version"],
    )


class NetworkOperations(SimulatedService):
    group = "network"

    def list_networks(self) -> list[NetworkInfo]:
        return self._network_infos(list(visible.networks(self.scope)))

    def get_network(self, network_id: str) -> NetworkInfo:
        network = self._get(visible.networks(self.scope), network_id, _("network"))
        return self._network_infos([network])[0]

    def create_network(
        self, name: str, *, description: str = "", external: bool = False, shared: bool = False
    ) -> NetworkInfo:
        if external or shared:
            self._require_admin(_("create an external or shared network"))
        data = {"description": description, "external": external, "shared": shared}
        network = self._create(Kind.NETWORK, name=name, status="ACTIVE", data=data)
        return network_info(network, [])

    def update_network(
        self, network_id: str, *, name: str | None = None, description: str | None = None
    ) -> NetworkInfo:
        network = self._get(self._owned(Kind.NETWORK), network_id, _("network"))
        self._rename(network, name, description)
        return self._network_infos([network])[0]

    def delete_network(self, network_id: str) -> None:
        network = self._get(self._owned(Kind.NETWORK), network_id, _("network"))
        if ports.ports_of(self.cloud).filter(data__network_id=network.backend_id).exists():
            raise conflict(_("The network %(name)s has ports in use."), name=network.name)
        with atomic():
            self._all(Kind.SUBNET).filter(parent_id=network.backend_id).delete()
            network.delete()

    def create_subnet(
        self, network_id: str, cidr: str, *, name: str = "", gateway_ip: str | None = None
    ) -> SubnetInfo:
        network = self._get(self._owned(Kind.NETWORK), network_id, _("network"))
        block = parse_cidr(cidr)
        self._refuse_overlap(network, block)
        gateway = _gateway_of(block, gateway_ip)
        data = {"cidr": str(block), "gateway_ip": gateway, "ip_version": block.version}
        subnet = self._create(
            Kind.SUBNET,
            project_id=network.project_id,
            name=name,
            parent_id=network.backend_id,
            data=data,
        )
        return subnet_info(subnet)

    def list_subnets(self) -> list[SubnetInfo]:
        return [subnet_info(subnet) for subnet in visible.subnets(self.scope)]

    def delete_subnet(self, subnet_id: str) -> None:
        subnet = self._get(self._owned(Kind.SUBNET), subnet_id, _("subnet"))
        if ports.ports_of(self.cloud).filter(data__subnet_id=subnet.backend_id).exists():
            raise conflict(_("The subnet %(cidr)s has ports in use."), cidr=subnet.data["cidr"])
        subnet.delete()

    # ---- helpers -------------------------------------------------------------------

    def _network_infos(self, networks: list[SimulatedObject]) -> list[NetworkInfo]:
        subnets = self._all(Kind.SUBNET).filter(
            parent_id__in=[network.backend_id for network in networks]
        )
        subnet_ids: dict[str, list[str]] = {}
        for parent_id, subnet_id in subnets.values_list("parent_id", "backend_id"):
            subnet_ids.setdefault(parent_id, []).append(subnet_id)
        return [network_info(net, subnet_ids.get(net.backend_id, [])) for net in networks]

    def _refuse_overlap(self, network: SimulatedObject, block) -> None:
        for other in self._all(Kind.SUBNET).filter(parent_id=network.backend_id):
            if block.overlaps(ipaddress.ip_network(other.data["cidr"])):
                raise bad_request(
                    _("%(cidr)s overlaps subnet %(other)s of the network."),
                    cidr=str(block),
                    other=other.data["cidr"],
                )


class SimulatedNetwork(NetworkOperations, RouterOperations, SecurityGroupOperations):
    group = "network"


def _gateway_of(block, gateway_ip: str | None) -> str:
    if gateway_ip is None:  # Neutron's default: the first address of the block
        first_host = next(iter(block.hosts()), None)
        return str(first_host) if first_host else ""
    try:
        outside = bool(gateway_ip) and ipaddress.ip_address(gateway_ip) not in block
    except ValueError:
        outside = True
    if outside:
        raise bad_request(
            _("The gateway %(ip)s is not in %(cidr)s."), ip=gateway_ip, cidr=str(block)
        )
    return gateway_ip
