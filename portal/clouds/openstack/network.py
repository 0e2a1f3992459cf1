"""Neutron networks and subnets (routers: routers.py; security groups: security_groups.py)."""

from __future__ import annotations

import ipaddress

from openstack.network.v2.network import Network
from openstack.network.v2.subnet import Subnet

from portal.clouds.base_network import NetworkInfo, SubnetInfo
from portal.clouds.openstack.resource import not_none, parse_time
from portal.clouds.openstack.routers import RouterCalls
from portal.clouds.openstack.security_groups import SecurityGroupCalls


def network_info(network: Network) -> NetworkInfo:
    return NetworkInfo(
        id=network.id,
        name=network.name or "",
        status=network.status or "",
        subnet_ids=list(network.subnet_ids or []),
        is_external=bool(network.is_router_external),
        is_shared=bool(network.is_shared),
        project_id=network.project_id or "",
        description=network.description or "",
        created_at=parse_time(network.created_at),
    )


def subnet_info(subnet: Subnet) -> SubnetInfo:
    return SubnetInfo(
        id=subnet.id,
        name=subnet.name or "",
        network_id=subnet.network_id,
        cidr=subnet.cidr,
        gateway_ip=subnet.gateway_ip or "",
        ip_version=subnet.ip_version,
    )


class NetworkAPI(RouterCalls, SecurityGroupCalls):
    def list_networks(self) -> list[NetworkInfo]:
        return [network_info(network) for network in self._conn.network.networks()]

    def get_network(self, network_id: str) -> NetworkInfo:
        return network_info(self._conn.network.get_network(network_id))

    def create_network(
        self, name: str, *, description: str = "", external: bool = False, shared: bool = False
    ) -> NetworkInfo:
        network = self._conn.network.create_network(
            name=name, description=description, is_router_external=external, is_shared=shared
        )
        return network_info(network)

    def update_network(
        self, network_id: str, *, name: str | None = None, description: str | None = None
    ) -> NetworkInfo:
        changes = not_none(name=name, description=description)
        return network_info(self._conn.network.update_network(network_id, **changes))

    def delete_network(self, network_id: str) -> None:
        self._conn.network.delete_network(network_id, ignore_missing=True)

    def create_subnet(
        self, network_id: str, cidr: str, *, name: str = "", gateway_ip: str | None = None
    ) -> SubnetInfo:
        subnet = self._conn.network.create_subnet(
            network_id=network_id,
            cidr=cidr,
            name=name,
            ip_version=ipaddress.ip_network(cidr, strict=False).version,
            # None: Neutron picks the first address of the range.
            **not_none(gateway_ip=gateway_ip),
        )
        return subnet_info(subnet)

    def delete_subnet(self, subnet_id: str) -> None:
        self._conn.network.delete_subnet(subnet_id, ignore_missing=True)

    def list_subnets(self) -> list[SubnetInfo]:
        return [subnet_info(subnet) for subnet in self._conn.network.subnets()]
