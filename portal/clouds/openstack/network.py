"""Neutron networks, subnets and routers (security groups: security_groups.py)."""

from __future__ import annotations

import contextlib
import ipaddress

from openstack import exceptions as sdk_exc
from openstack.network.v2.network import Network
from openstack.network.v2.router import Router
from openstack.network.v2.subnet import Subnet

from portal.clouds.base import NetworkInfo, RouterInfo, SubnetInfo
from portal.clouds.openstack.resource import not_none
from portal.clouds.openstack.security_groups import SecurityGroupCalls

ROUTER_INTERFACE_OWNERS = ("network:router_interface", "network:router_interface_distributed")


def network_info(network: Network) -> NetworkInfo:
    return NetworkInfo(
        id=network.id,
        name=network.name or "",
        status=network.status or "",
        subnet_ids=list(network.subnet_ids or []),
        is_external=bool(network.is_router_external),
        is_shared=bool(network.is_shared),
        project_id=network.project_id or "",
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


class NetworkAPI(SecurityGroupCalls):
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

    def create_router(self, name: str, *, external_network_id: str = "") -> RouterInfo:
        gateway = {"external_gateway_info": {"network_id": external_network_id}}
        router = self._conn.network.create_router(
            name=name, **(gateway if external_network_id else {})
        )
        return self._router_info(router)

    def get_router(self, router_id: str) -> RouterInfo:
        return self._router_info(self._conn.network.get_router(router_id))

    def _router_info(self, router: Router) -> RouterInfo:
        return RouterInfo(
            id=router.id,
            name=router.name or "",
            status=router.status or "",
            external_network_id=(router.external_gateway_info or {}).get("network_id") or "",
            subnet_ids=self._interface_subnet_ids(router.id),
        )

    def _interface_subnet_ids(self, router_id: str) -> list[str]:
        # A router does not list its interfaces; its ports in the subnets do.
        ports = self._conn.network.ports(device_id=router_id)
        return [
            fixed_ip["subnet_id"]
            for port in ports
            if port.device_owner in ROUTER_INTERFACE_OWNERS
            for fixed_ip in port.fixed_ips or []
        ]

    def add_router_interface(self, router_id: str, subnet_id: str) -> None:
        self._conn.network.add_interface_to_router(router_id, subnet=subnet_id)

    def remove_router_interface(self, router_id: str, subnet_id: str) -> None:
        with contextlib.suppress(sdk_exc.NotFoundException):  # no such interface (any more)
            self._conn.network.remove_interface_from_router(router_id, subnet=subnet_id)

    def delete_router(self, router_id: str) -> None:
        self._conn.network.delete_router(router_id, ignore_missing=True)
