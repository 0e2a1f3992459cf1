"""The driver interface's Neutron part: networks, subnets, routers and security groups,
and the records it returns (see base.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class NetworkInfo:
    id: str
    name: str
    status: str = "ACTIVE"
    subnet_ids: list[str] = field(default_factory=list)
    is_external: bool = False
    is_shared: bool = False
    project_id: str = ""
    description: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class SubnetInfo:
    id: str
    name: str
    network_id: str
    cidr: str
    gateway_ip: str = ""
    ip_version: int = 4


@dataclass(frozen=True)
class RouteEntry:  # one entry of a router's route table (Neutron's extra routes)
    destination: str  # a CIDR
    nexthop: str  # an address in a subnet the router has an interface on


@dataclass(frozen=True)
class RouterInfo:
    id: str
    name: str
    status: str = "ACTIVE"
    external_network_id: str = ""
    subnet_ids: list[str] = field(default_factory=list)  # its interfaces' subnets
    routes: list[RouteEntry] = field(default_factory=list)
    project_id: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class SecurityGroupRuleSpec:
    direction: str  # ingress | egress
    protocol: str | None = None  # tcp | udp | icmp | None (any)
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    ethertype: str = "IPv4"
    description: str = ""


@dataclass(frozen=True)
class SecurityGroupRuleInfo:
    id: str
    security_group_id: str
    direction: str
    protocol: str | None = None
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    ethertype: str = "IPv4"
    description: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class SecurityGroupInfo:
    id: str
    name: str
    description: str = ""
    rules: list[SecurityGroupRuleInfo] = field(default_factory=list)
    project_id: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None


class NetworkAPI(Protocol):
    """Neutron."""

    def list_networks(self) -> list[NetworkInfo]: ...
    def get_network(self, network_id: str) -> NetworkInfo: ...
    def create_network(
        self, name: str, *, description: str = "", external: bool = False, shared: bool = False
    ) -> NetworkInfo: ...
    def update_network(
        self, network_id: str, *, name: str | None = None, description: str | None = None
    ) -> NetworkInfo: ...
    def delete_network(self, network_id: str) -> None: ...
    def create_subnet(
        self, network_id: str, cidr: str, *, name: str = "", gateway_ip: str | None = None
    ) -> SubnetInfo: ...
    def delete_subnet(self, subnet_id: str) -> None: ...
    def list_subnets(self) -> list[SubnetInfo]: ...
    def create_router(self, name: str, *, external_network_id: str = "") -> RouterInfo: ...
    def get_router(self, router_id: str) -> RouterInfo: ...
    def list_routers(self) -> list[RouterInfo]: ...
    def update_router(self, router_id: str, *, name: str) -> RouterInfo: ...
    # The gateway on that external network ("" clears it); the whole route table (each
    # next hop in an interface's subnet, else 400). An interface a route needs: 409.
    def set_router_gateway(self, router_id: str, external_network_id: str) -> RouterInfo: ...
    def set_router_routes(self, router_id: str, routes: list[RouteEntry]) -> RouterInfo: ...
    def add_router_interface(self, router_id: str, subnet_id: str) -> None: ...
    def remove_router_interface(self, router_id: str, subnet_id: str) -> None: ...
    def delete_router(self, router_id: str) -> None: ...
    def list_security_groups(self) -> list[SecurityGroupInfo]: ...
    def get_security_group(self, group_id: str) -> SecurityGroupInfo: ...
    def create_security_group(self, name: str, description: str = "") -> SecurityGroupInfo: ...
    def update_security_group(
        self, group_id: str, *, name: str | None = None, description: str | None = None
    ) -> SecurityGroupInfo: ...
    def delete_security_group(self, group_id: str) -> None: ...
    def create_security_group_rule(
        self, group_id: str, rule: SecurityGroupRuleSpec
    ) -> SecurityGroupRuleInfo: ...
    def delete_security_group_rule(self, rule_id: str) -> None: ...
