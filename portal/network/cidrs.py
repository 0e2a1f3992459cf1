"""Checks of the address ranges a tenant asks for (subnets and route-table entries), run
before anything is written: a range Neutron would refuse, or that cannot work as a
private network, is refused with 400 naming the field; one that overlaps another subnet
of the same VPC with 409."""

import ipaddress

from django.utils.translation import gettext as _

from portal.core.errors import Conflict, ValidationFailed

# The longest IPv4 prefix a subnet may have: a /29 leaves 5 addresses after Neutron's
# network, gateway and broadcast; a smaller range cannot hold a router and servers.
LONGEST_IPV4_PREFIX = 29
LONGEST_IPV6_PREFIX = 64


def _reserved_ranges():
    """(range, why it cannot be a subnet) for the ranges no tenant network may overlap."""
    return [
        (ipaddress.ip_network(cidr), reason)
        for cidr, reason in (
            ("0.0.0.0/8", _("the 'this network' range")),
            ("127.0.0.0/8", _("a loopback range")),
            ("169.254.0.0/16", _("a link-local range")),
            ("224.0.0.0/4", _("a multicast range")),
            ("240.0.0.0/4", _("a reserved range")),
            ("::/8", _("a reserved range")),
            ("fe80::/10", _("a link-local range")),
            ("ff00::/8", _("a multicast range")),
        )
    ]


def _reserved(block) -> str:
    """Why `block` cannot be a tenant's subnet ("" if it can)."""
    for reserved, reason in _reserved_ranges():
        if reserved.version == block.version and block.overlaps(reserved):
            return reason
    return ""


def parse_network(cidr: str, field: str):
    """`cidr` as a network address with its prefix (e.g. 10.0.0.0/24); 400 otherwise."""
    try:
        block = ipaddress.ip_network(str(cidr).strip(), strict=False)
    except ValueError:
        message = _("%(cidr)s is not a CIDR such as 10.0.0.0/24.") % {"cidr": cidr}
        raise _invalid(field, message) from None
    if "/" not in str(cidr) or str(block) != str(cidr).strip():
        message = _("%(cidr)s is not a network address with its prefix; did you mean %(net)s?")
        raise _invalid(field, message % {"cidr": cidr, "net": block})
    return block


def check_subnet(cidr: str, existing=(), field: str = "subnet"):
    """The subnet's range, checked: a network address, not too small, not reserved, and
    overlapping none of `existing` (the other CIDRs of the VPC: 409)."""
    block = parse_network(cidr, field)
    longest = LONGEST_IPV4_PREFIX if block.version == 4 else LONGEST_IPV6_PREFIX
    if block.prefixlen > longest:
        message = _("A subnet needs a prefix of /%(longest)d or shorter; %(cidr)s is too small.")
        raise _invalid(field, message % {"longest": longest, "cidr": block})
    reason = _reserved(block)
    if reason:
        message = _("%(cidr)s overlaps %(reason)s, which cannot be a subnet.")
        raise _invalid(field, message % {"cidr": block, "reason": reason})
    for other in existing:
        if block.overlaps(ipaddress.ip_network(other)):
            message = _("%(cidr)s overlaps the subnet %(other)s of this VPC.")
            raise Conflict(
                message % {"cidr": block, "other": other},
                code="cidr_overlaps",
                fields={field: [message % {"cidr": block, "other": other}]},
            )
    return block


def check_route(destination: str, nexthop: str, connected: list[str]):
    """A route-table entry, checked: the destination a CIDR, the next hop an address in
    one of the router's interface subnets (`connected` CIDRs), as Neutron requires."""
    block = parse_network(destination, "destination")
    try:
        hop = ipaddress.ip_address(str(nexthop).strip())
    except ValueError:
        message = _("%(ip)s is not an IP address.") % {"ip": nexthop}
        raise _invalid("nexthop", message) from None
    if not any(hop in ipaddress.ip_network(cidr) for cidr in connected):
        message = _(
            "The next hop %(ip)s is in none of the router's interface subnets; add an "
            "interface on its subnet first."
        )
        raise _invalid("nexthop", message % {"ip": hop})
    return str(block), str(hop)


def _invalid(field, message):
    return ValidationFailed(message, fields={field: [message]})
