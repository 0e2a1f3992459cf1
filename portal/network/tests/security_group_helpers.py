"""What the security group tests share: request bodies, the API's paths, and the group
as the simulated Neutron holds it."""

from django.urls import reverse

from portal.clouds.simulator.driver import SimulatorDriver
from portal.tenants.credentials import tenant_credentials

LIST = reverse("api:security-group-list")
SSH = {
    "direction": "ingress", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22,
    "remote_ip_prefix": "10.0.0.0/8", "rule_desc": "SSH",
}  # fmt: skip
WEB = {"direction": "ingress", "protocol": "tcp", "port_range_min": 80, "port_range_max": 443}
PING = {"direction": "ingress", "protocol": "icmp", "remote_ip_prefix": "192.168.0.0/16"}
DNS = {"direction": "egress", "protocol": "udp", "port_range_min": 53}
V6 = {
    "direction": "ingress", "protocol": "tcp", "port_range_min": 8080,
    "remote_ip_prefix": "2001:db8::/32",
}  # fmt: skip


def detail(group_id):
    return reverse("api:security-group-detail", kwargs={"security_group_id": group_id})


def operate_url(group_id):
    return reverse("api:security-group-operate", kwargs={"security_group_id": group_id})


def call(client, method, url, body=None, expect=202):
    answer = getattr(client, method)(url, body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def rule_shape(rule: dict) -> tuple:
    """A rule in the API's or the cloud's words, for comparing sets of rules (a single
    port asked as a lowest port only)."""
    get = rule.get if isinstance(rule, dict) else lambda name: getattr(rule, name)
    description = get("rule_desc") if isinstance(rule, dict) else rule.description
    return (
        get("direction"),
        get("protocol") or None,
        get("port_range_min"),
        get("port_range_max") or get("port_range_min"),
        get("remote_ip_prefix") or None,
        description or "",
    )


def cloud_rules(cloud, identity, backend_id) -> set[tuple]:
    """The rules the simulated Neutron holds for the group, seen by its tenant."""
    driver = SimulatorDriver(cloud, tenant_credentials(identity))
    return {rule_shape(rule) for rule in driver.network.get_security_group(backend_id).rules}
