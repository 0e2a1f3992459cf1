"""The Azure driver's network section: what the operators' mappings name (seed 000: the
networks and NSGs are made in Azure beforehand and mapped). A network is a mapped subnet
of a virtual network; a security group is a mapped network security group, whose Allow
rules read as the portal's rules. Creating networks, routers or groups is refused."""

from __future__ import annotations

import hashlib
import ipaddress
import itertools
from functools import cached_property

from django.utils.translation import gettext_lazy as _

from portal.clouds.azure.errors import translate_errors
from portal.clouds.azure.mappings import Kind
from portal.clouds.azure.scope import AzureScope, last_segment, resource_group_of
from portal.clouds.base_network import (
    NetworkInfo,
    SecurityGroupInfo,
    SecurityGroupRuleInfo,
    SubnetInfo,
)
from portal.clouds.errors import CloudBadRequest, CloudNotFound

_MAP_INSTEAD = _(
    "On Azure clouds the portal does not create or change networks, routers or security "
    "groups: an administrator maps existing Azure subnets and network security groups in "
    "the admin."
)
_ANY = "*"


def _vnet_of(subnet_id: str) -> str:
    """ "vnet" from ".../virtualNetworks/vnet/subnets/default"."""
    parts = subnet_id.rstrip("/").split("/")
    return parts[-3] if len(parts) >= 3 else ""


def _gateway(cidr: str) -> str:
    """Azure's gateway: the first address of the subnet (it reserves .1 for it)."""
    try:
        return str(ipaddress.ip_network(cidr, strict=False).network_address + 1)
    except ValueError:
        return ""


def _rule_id(group: str, rule_name: str, index: int) -> str:
    rule_id = f"{group}/{rule_name}" + (f"/{index}" if index else "")
    if len(rule_id) <= 64:  # the portal's backend ids
        return rule_id
    return hashlib.sha1(rule_id.encode()).hexdigest()


def _ports(port_range: str) -> tuple[int | None, int | None]:
    if not port_range or port_range == _ANY:
        return None, None
    low, _sep, high = port_range.partition("-")
    return int(low), int(high or low)


def _rules(group: str, nsg) -> list[SecurityGroupRuleInfo]:
    """The NSG's Allow rules (the portal's rules only allow; Deny rules are left out)."""
    rules = []
    for rule in nsg.security_rules or []:
        if str(getattr(rule.access, "value", rule.access)) != "Allow":
            continue
        inbound = str(getattr(rule.direction, "value", rule.direction)) == "Inbound"
        if inbound:
            prefixes = rule.source_address_prefixes or [rule.source_address_prefix or _ANY]
        else:
            prefixes = rule.destination_address_prefixes or [
                rule.destination_address_prefix or _ANY
            ]
        ranges = rule.destination_port_ranges or [rule.destination_port_range or _ANY]
        protocol = str(getattr(rule.protocol, "value", rule.protocol) or _ANY).lower()
        for index, (prefix, port_range) in enumerate(itertools.product(prefixes, ranges)):
            low, high = _ports(port_range)
            rules.append(
                SecurityGroupRuleInfo(
                    id=_rule_id(group, rule.name, index),
                    security_group_id=group,
                    direction="ingress" if inbound else "egress",
                    protocol=None if protocol == _ANY else protocol,
                    port_range_min=low,
                    port_range_max=high,
                    remote_ip_prefix="0.0.0.0/0" if prefix == _ANY else prefix,
                    ethertype="IPv6" if ":" in prefix else "IPv4",
                    description=rule.description or "",
                )
            )
    return rules


class AzureNetwork:
    def __init__(self, scope: AzureScope):
        self.scope = scope

    @cached_property
    def _subnets(self) -> dict:
        """Each mapped network's subnet, read once per driver (one call per mapping)."""
        subnets = {}
        with translate_errors("read a subnet"):
            for name, subnet_id in sorted(self.scope.mappings.of_kind(Kind.NETWORK).items()):
                subnets[name] = self.scope.network.subnets.get(
                    resource_group_of(subnet_id), _vnet_of(subnet_id), last_segment(subnet_id)
                )
        return subnets

    def _network(self, name: str, subnet) -> NetworkInfo:
        state = str(getattr(subnet.provisioning_state, "value", subnet.provisioning_state))
        return NetworkInfo(
            id=name,
            name=name,
            status="ACTIVE" if state == "Succeeded" else "BUILD",
            subnet_ids=[name],
            is_shared=True,
            description=f"{_vnet_of(subnet.id)}/{subnet.name}",
        )

    def list_networks(self) -> list[NetworkInfo]:
        return [self._network(name, subnet) for name, subnet in self._subnets.items()]

    def get_network(self, network_id: str) -> NetworkInfo:
        subnet = self._subnets.get(network_id)
        if subnet is None:
            raise CloudNotFound()
        return self._network(network_id, subnet)

    def list_subnets(self) -> list[SubnetInfo]:
        subnets = []
        for name, subnet in self._subnets.items():
            cidr = subnet.address_prefix or (subnet.address_prefixes or [""])[0]
            subnets.append(
                SubnetInfo(
                    id=name, name=subnet.name, network_id=name, cidr=cidr, gateway_ip=_gateway(cidr)
                )
            )
        return subnets

    def list_routers(self):
        return []  # Azure routes within a virtual network itself; the portal maps no routers

    def get_router(self, router_id: str):
        raise CloudNotFound()

    def list_security_groups(self) -> list[SecurityGroupInfo]:
        groups = []
        with translate_errors("read a network security group"):
            for name, nsg_id in sorted(self.scope.mappings.of_kind(Kind.SECURITY_GROUP).items()):
                nsg = self.scope.network.network_security_groups.get(
                    resource_group_of(nsg_id), last_segment(nsg_id)
                )
                groups.append(SecurityGroupInfo(id=name, name=name, rules=_rules(name, nsg)))
        return groups

    def get_security_group(self, group_id: str) -> SecurityGroupInfo:
        nsg_id = self.scope.mappings.get(Kind.SECURITY_GROUP, group_id)
        if nsg_id is None:
            raise CloudNotFound()
        with translate_errors("read a network security group"):
            nsg = self.scope.network.network_security_groups.get(
                resource_group_of(nsg_id), last_segment(nsg_id)
            )
        return SecurityGroupInfo(id=group_id, name=group_id, rules=_rules(group_id, nsg))

    def _refuse(self, *_args, **_kwargs):
        raise CloudBadRequest(_MAP_INSTEAD)

    create_network = update_network = delete_network = _refuse
    create_subnet = delete_subnet = _refuse
    create_router = update_router = delete_router = _refuse
    set_router_gateway = set_router_routes = _refuse
    add_router_interface = remove_router_interface = _refuse
    create_security_group = update_security_group = delete_security_group = _refuse
    create_security_group_rule = delete_security_group_rule = _refuse
