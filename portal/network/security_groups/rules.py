"""A requested rule set (seed 004's SecurityGroupRuleSet), checked and made canonical
before anything is written: what Neutron would refuse is a 400 naming the rule and field.

Canonical as Neutron stores it, so that the portal's comparison of rules (a duplicate, a
rule the group has already) is Neutron's: protocol "any" is None, "icmpv6" is Neutron's
"ipv6-icmp", a TCP/UDP range of 1-65535 is no range, a single port is min = max, a prefix
is its network address, and the IP version follows the prefix.
"""

import ipaddress

from django.utils.translation import gettext as _

from portal.clouds.base_network import SecurityGroupRuleSpec
from portal.core.errors import ValidationFailed

FIELD = "security_group_rule_sets"
DIRECTIONS = ("ingress", "egress")
ETHERTYPES = ("IPv4", "IPv6")
PROTOCOLS_WITH_PORTS = ("tcp", "udp")
PROTOCOLS = ("tcp", "udp", "icmp", "ipv6-icmp")
# Other names Neutron takes for a protocol, and the one it stores.
PROTOCOL_ALIASES = {"icmpv6": "ipv6-icmp"}
ANY_PROTOCOL = ("", "any", None)
ALL_PORTS = (1, 65535)
EVERY_ADDRESS = ("0.0.0.0/0", "::/0")


class RuleProblem(Exception):
    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


def check_rule_sets(items) -> list[SecurityGroupRuleSpec]:
    """The rule specs of `items` (dicts of SecurityGroupRuleSet fields, plus an optional
    `ethertype`), canonical; ValidationFailed naming each bad rule's field otherwise
    (`security_group_rule_sets[2].port_range_min`), duplicates included."""
    specs, problems, seen = [], {}, {}
    for index, item in enumerate(items):
        try:
            spec = rule_spec(item)
        except RuleProblem as problem:
            problems[f"{FIELD}[{index}].{problem.field}"] = [problem.message]
            continue
        earlier = seen.setdefault(rule_key(spec), index)
        if earlier != index:
            problems[f"{FIELD}[{index}]"] = [
                _("The same rule as rule %(number)d.") % {"number": earlier + 1}
            ]
        specs.append(spec)
    if problems:
        raise ValidationFailed(_("The rule set has bad rules."), fields=problems)
    return specs


def rule_key(rule) -> tuple:
    """What makes two rules the same rule for Neutron (a rule's description aside; a
    prefix of every address is no prefix, though Neutron keeps it as given)."""
    prefix = rule.remote_ip_prefix or None
    return (
        rule.direction,
        rule.protocol or None,
        rule.port_range_min,
        rule.port_range_max,
        None if prefix in EVERY_ADDRESS else prefix,
        rule.ethertype,
    )


def rule_spec(item: dict) -> SecurityGroupRuleSpec:
    direction = (item.get("direction") or "").lower()
    if direction not in DIRECTIONS:
        raise RuleProblem("direction", _("ingress or egress."))
    protocol = item.get("protocol")
    protocol = None if protocol in ANY_PROTOCOL else str(protocol).lower()
    protocol = PROTOCOL_ALIASES.get(protocol, protocol)
    if protocol is not None and protocol not in PROTOCOLS:
        raise RuleProblem("protocol", _("tcp, udp, icmp, icmpv6 or any."))
    low, high = _ports(protocol, item.get("port_range_min"), item.get("port_range_max"))
    prefix, ethertype = _prefix(item.get("remote_ip_prefix"), item.get("ethertype"))
    if protocol == "ipv6-icmp" and ethertype != "IPv6":
        raise RuleProblem("protocol", _("icmpv6 applies only to IPv6 rules."))
    return SecurityGroupRuleSpec(
        direction=direction,
        protocol=protocol,
        port_range_min=low,
        port_range_max=high,
        remote_ip_prefix=prefix,
        ethertype=ethertype,
        description=(item.get("rule_desc") or "").strip(),
    )


def _ports(protocol, low, high):
    if low is None and high is None:
        return None, None
    if protocol not in PROTOCOLS_WITH_PORTS:
        field = "port_range_min" if low is not None else "port_range_max"
        raise RuleProblem(field, _("Only TCP and UDP rules have a port range."))
    if low is None:
        raise RuleProblem("port_range_min", _("Give the lowest port of the range."))
    high = low if high is None else high
    for field, port in (("port_range_min", low), ("port_range_max", high)):
        if not 1 <= port <= 65535:
            raise RuleProblem(field, _("A port is 1 to 65535."))
    if low > high:
        raise RuleProblem("port_range_max", _("The highest port is lower than the lowest."))
    if (low, high) == ALL_PORTS:
        return None, None
    return low, high


def _prefix(text, ethertype):
    if ethertype not in (None, "", *ETHERTYPES):
        raise RuleProblem("ethertype", _("IPv4 or IPv6."))
    if not text:
        return None, ethertype or "IPv4"
    try:
        network = ipaddress.ip_network(str(text).strip(), strict=False)
    except ValueError:
        raise RuleProblem("remote_ip_prefix", _("Not a CIDR such as 10.0.0.0/24.")) from None
    version = f"IPv{network.version}"
    if ethertype and ethertype != version:
        raise RuleProblem(
            "remote_ip_prefix", _("An %(version)s prefix in an %(ethertype)s rule.")
            % {"version": version, "ethertype": ethertype},
        )  # fmt: skip
    return str(network), version
