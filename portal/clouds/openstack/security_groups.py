"""Neutron security groups and rules: the first half of the driver's NetworkAPI
(networks, subnets and routers are in network.py)."""

from __future__ import annotations

from openstack.network.v2.security_group import SecurityGroup

from portal.clouds.base_network import (
    SecurityGroupInfo,
    SecurityGroupRuleInfo,
    SecurityGroupRuleSpec,
)
from portal.clouds.openstack.resource import ResourceAPI, not_none, parse_time


def rule_info(rule: dict) -> SecurityGroupRuleInfo:
    """A rule as Neutron spells it (a group's embedded rules are plain dicts)."""
    return SecurityGroupRuleInfo(
        id=rule["id"],
        security_group_id=rule["security_group_id"],
        direction=rule["direction"],
        protocol=rule.get("protocol"),
        port_range_min=rule.get("port_range_min"),
        port_range_max=rule.get("port_range_max"),
        remote_ip_prefix=rule.get("remote_ip_prefix"),
        ethertype=rule.get("ethertype") or "IPv4",
        description=rule.get("description") or "",
        created_at=parse_time(rule.get("created_at")),
        updated_at=parse_time(rule.get("updated_at")),
    )


def security_group_info(group: SecurityGroup) -> SecurityGroupInfo:
    return SecurityGroupInfo(
        id=group.id,
        name=group.name,
        description=group.description or "",
        rules=[rule_info(rule) for rule in group.security_group_rules or []],
        project_id=group.project_id or "",
        created_at=parse_time(group.created_at),
        updated_at=parse_time(group.updated_at),
    )


class SecurityGroupCalls(ResourceAPI):
    def list_security_groups(self) -> list[SecurityGroupInfo]:
        return [security_group_info(g) for g in self._conn.network.security_groups()]

    def get_security_group(self, group_id: str) -> SecurityGroupInfo:
        return security_group_info(self._conn.network.get_security_group(group_id))

    def create_security_group(self, name: str, description: str = "") -> SecurityGroupInfo:
        group = self._conn.network.create_security_group(name=name, description=description)
        return security_group_info(group)

    def update_security_group(
        self, group_id: str, *, name: str | None = None, description: str | None = None
    ) -> SecurityGroupInfo:
        changes = not_none(name=name, description=description)
        return security_group_info(self._conn.network.update_security_group(group_id, **changes))

    def delete_security_group(self, group_id: str) -> None:
        self._conn.network.delete_security_group(group_id, ignore_missing=True)

    def create_security_group_rule(
        self, group_id: str, rule: SecurityGroupRuleSpec
    ) -> SecurityGroupRuleInfo:
        created = self._conn.network.create_security_group_rule(
            security_group_id=group_id,
            direction=rule.direction,
            ether_type=rule.ethertype,
            description=rule.description,
            **not_none(
                protocol=rule.protocol,
                port_range_min=rule.port_range_min,
                port_range_max=rule.port_range_max,
                remote_ip_prefix=rule.remote_ip_prefix,
            ),
        )
        return rule_info(created.to_dict(original_names=True))

    def delete_security_group_rule(self, rule_id: str) -> None:
        self._conn.network.delete_security_group_rule(rule_id, ignore_missing=True)
