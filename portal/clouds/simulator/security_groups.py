"""Neutron security groups and their rules.

As in Neutron, every project has a group named "default", created the first time the
project looks at its groups or boots a server, and a new group allows all egress.
"""

import ipaddress
from dataclasses import replace

from django.db import transaction
from django.utils.translation import gettext as _

from portal.clouds.base_network import (
    SecurityGroupInfo,
    SecurityGroupRuleInfo,
    SecurityGroupRuleSpec,
)
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.quotas import check_quota
from portal.clouds.simulator.refusals import bad_request, conflict
from portal.clouds.simulator.service import Kind, SimulatedService, atomic, new_id

DEFAULT_GROUP = "default"
DIRECTIONS = ("ingress", "egress")
ETHERTYPES = ("IPv4", "IPv6")
PROTOCOLS_WITH_PORTS = ("tcp", "udp")
EVERY_ADDRESS = ("0.0.0.0/0", "::/0")
PROTOCOLS = (None, "tcp", "udp", "icmp", "ipv6-icmp")
# Neutron takes "icmpv6" and stores it as "ipv6-icmp".
PROTOCOL_ALIASES = {"icmpv6": "ipv6-icmp"}
RULE_FIELDS = (
    "direction",
    "protocol",
    "port_range_min",
    "port_range_max",
    "remote_ip_prefix",
    "ethertype",
    "description",
)


def rule_info(rule: SimulatedObject) -> SecurityGroupRuleInfo:
    return SecurityGroupRuleInfo(
        id=rule.backend_id,
        security_group_id=rule.parent_id,
        **{name: rule.data[name] for name in RULE_FIELDS},
        created_at=rule.created,
        updated_at=rule.updated,
    )


def group_info(group: SimulatedObject, rules: list[SimulatedObject]) -> SecurityGroupInfo:
    return SecurityGroupInfo(
        id=group.backend_id,
        name=group.name,
        description=group.data.get("description", ""),
        rules=[rule_info(rule) for rule in rules],
        project_id=group.project_id,
        created_at=group.created,
        updated_at=group.updated,
    )


def ensure_default_group(cloud, project_id: str) -> None:
    """Create the project's "default" group if it has none yet."""
    groups = SimulatedObject.objects.filter(
        cloud=cloud, kind=Kind.SECURITY_GROUP, project_id=project_id, name=DEFAULT_GROUP
    )
    if groups.exists():
        return
    with transaction.atomic():
        _new_group(cloud, project_id, DEFAULT_GROUP, _("Default security group"))


def _new_group(cloud, project_id: str, name: str, description: str) -> SimulatedObject:
    group = SimulatedObject.objects.create(
        cloud=cloud,
        kind=Kind.SECURITY_GROUP,
        backend_id=new_id(),
        project_id=project_id,
        name=name,
        data={"description": description},
    )
    for ethertype in ETHERTYPES:
        _new_rule(group, SecurityGroupRuleSpec(direction="egress", ethertype=ethertype))
    return group


def _new_rule(group: SimulatedObject, spec: SecurityGroupRuleSpec) -> SimulatedObject:
    return SimulatedObject.objects.create(
        cloud=group.cloud,
        kind=Kind.RULE,
        backend_id=new_id(),
        project_id=group.project_id,
        parent_id=group.backend_id,
        data={name: getattr(spec, name) for name in RULE_FIELDS},
    )


class SecurityGroupOperations(SimulatedService):
    group = "network"

    def list_security_groups(self) -> list[SecurityGroupInfo]:
        ensure_default_group(self.cloud, self.scope.project_id)
        return self._group_infos(list(self._owned(Kind.SECURITY_GROUP)))

    def get_security_group(self, group_id: str) -> SecurityGroupInfo:
        group = self._get(self._owned(Kind.SECURITY_GROUP), group_id, _("security group"))
        return self._group_infos([group])[0]

    def create_security_group(self, name: str, description: str = "") -> SecurityGroupInfo:
        if name == DEFAULT_GROUP:
            raise conflict(_("Every project already has a security group named default."))
        ensure_default_group(self.cloud, self.scope.project_id)
        check_quota(self.cloud, self.scope.project_id, security_groups=1)
        with atomic():
            group = _new_group(self.cloud, self.scope.project_id, name, description)
        return self._group_infos([group])[0]

    def update_security_group(
        self, group_id: str, *, name: str | None = None, description: str | None = None
    ) -> SecurityGroupInfo:
        group = self._get(self._owned(Kind.SECURITY_GROUP), group_id, _("security group"))
        if name is not None and name != group.name and DEFAULT_GROUP in (name, group.name):
            raise bad_request(_("The default security group cannot be renamed."))
        self._rename(group, name, description)
        return self._group_infos([group])[0]

    def delete_security_group(self, group_id: str) -> None:
        group = self._get(self._owned(Kind.SECURITY_GROUP), group_id, _("security group"))
        if group.name == DEFAULT_GROUP and not self.scope.is_admin:
            raise conflict(_("A project's default security group cannot be deleted."))
        if self._group_in_use(group):
            raise conflict(_("The security group %(name)s is in use."), name=group.name)
        with atomic():
            self._all(Kind.RULE).filter(parent_id=group.backend_id).delete()
            group.delete()

    def create_security_group_rule(
        self, group_id: str, rule: SecurityGroupRuleSpec
    ) -> SecurityGroupRuleInfo:
        group = self._get(self._owned(Kind.SECURITY_GROUP), group_id, _("security group"))
        rule = _as_stored(rule)
        _check_rule(rule)
        for existing in self._all(Kind.RULE).filter(parent_id=group.backend_id):
            if _same_rule(rule_info(existing), rule):
                raise conflict(_("The security group already has this rule."))
        check_quota(self.cloud, self.scope.project_id, security_group_rules=1)
        return rule_info(_new_rule(group, rule))

    def delete_security_group_rule(self, rule_id: str) -> None:
        self._get(self._owned(Kind.RULE), rule_id, _("security group rule")).delete()

    # ---- helpers -------------------------------------------------------------------

    def _group_infos(self, groups: list[SimulatedObject]) -> list[SecurityGroupInfo]:
        rules = self._all(Kind.RULE).filter(parent_id__in=[group.backend_id for group in groups])
        rules_of: dict[str, list[SimulatedObject]] = {}
        for rule in rules:
            rules_of.setdefault(rule.parent_id, []).append(rule)
        return [group_info(group, rules_of.get(group.backend_id, [])) for group in groups]

    def _group_in_use(self, group: SimulatedObject) -> bool:
        servers = self._all(Kind.SERVER).filter(project_id=group.project_id)
        return any(
            group.name in groups
            for groups in servers.values_list("data__security_groups", flat=True)
            if groups
        )


def _as_stored(rule: SecurityGroupRuleSpec) -> SecurityGroupRuleSpec:
    """The rule as Neutron stores it: protocol aliases by their stored name, a TCP/UDP
    range of every port as no range."""
    protocol = PROTOCOL_ALIASES.get(rule.protocol, rule.protocol)
    ports = (rule.port_range_min, rule.port_range_max)
    if protocol in PROTOCOLS_WITH_PORTS and ports == (1, 65535):
        ports = (None, None)
    return replace(rule, protocol=protocol, port_range_min=ports[0], port_range_max=ports[1])


def _same_rule(one, other) -> bool:
    """Neutron's duplicate: every field but the description equal, a prefix of every
    address counting as none (though it is kept as given)."""

    def key(rule):
        prefix = None if rule.remote_ip_prefix in EVERY_ADDRESS else rule.remote_ip_prefix
        ports = (rule.port_range_min, rule.port_range_max)
        return (rule.direction, rule.protocol, *ports, prefix or None, rule.ethertype)

    return key(one) == key(other)


def _check_rule(rule: SecurityGroupRuleSpec) -> None:
    if rule.direction not in DIRECTIONS:
        raise bad_request(_("A rule's direction is ingress or egress."))
    if rule.ethertype not in ETHERTYPES:
        raise bad_request(_("A rule's ethertype is IPv4 or IPv6."))
    if rule.protocol not in PROTOCOLS:
        raise bad_request(_("Unknown protocol %(protocol)s."), protocol=rule.protocol)
    if rule.protocol == "ipv6-icmp" and rule.ethertype != "IPv6":
        raise bad_request(_("Protocol icmpv6 applies only to IPv6 rules."))
    _check_ports(rule)
    if rule.remote_ip_prefix:
        _check_prefix(rule)


def _check_ports(rule: SecurityGroupRuleSpec) -> None:
    low, high = rule.port_range_min, rule.port_range_max
    if low is None and high is None:
        return
    if rule.protocol not in PROTOCOLS_WITH_PORTS:
        raise bad_request(_("Port ranges apply only to TCP and UDP rules."))
    if high is None:
        high = low
    if low is None or not 1 <= low <= high <= 65535:
        raise bad_request(_("The port range must be within 1-65535, lowest first."))


def _check_prefix(rule: SecurityGroupRuleSpec) -> None:
    try:
        network = ipaddress.ip_network(rule.remote_ip_prefix, strict=False)
    except ValueError:
        raise bad_request(
            _("%(prefix)s is not an IP prefix."), prefix=rule.remote_ip_prefix
        ) from None
    if f"IPv{network.version}" != rule.ethertype:
        raise bad_request(_("The remote IP prefix does not match the rule's ethertype."))
