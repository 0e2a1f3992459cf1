"""The simulator's Neutron: networks, subnets, routers, security groups and rules."""

import pytest

from portal.clouds import errors
from portal.clouds.base_network import SecurityGroupRuleSpec
from portal.clouds.simulator.testing import boot_spec


@pytest.fixture
def network(alpha):
    return alpha.network.create_network("private", description="app tier")


@pytest.fixture
def subnet(alpha, network):
    return alpha.network.create_subnet(network.id, "192.168.1.0/24", name="app")


# ---- networks and subnets -----------------------------------------------------------


def test_network_crud(alpha, network):
    assert (network.name, network.status, network.is_shared) == ("private", "ACTIVE", False)
    assert network.project_id == alpha.project_id
    assert alpha.network.update_network(network.id, name="renamed").name == "renamed"
    assert [n.name for n in alpha.network.list_networks()] == ["renamed"]

    alpha.network.delete_network(network.id)

    with pytest.raises(errors.CloudNotFound):
        alpha.network.get_network(network.id)


def test_subnet_gets_the_first_address_as_gateway(alpha, network, subnet):
    assert (subnet.cidr, subnet.gateway_ip, subnet.ip_version) == (
        "192.168.1.0/24",
        "192.168.1.1",
        4,
    )
    assert alpha.network.get_network(network.id).subnet_ids == [subnet.id]
    explicit = alpha.network.create_subnet(network.id, "192.168.2.0/24", gateway_ip="192.168.2.254")
    assert explicit.gateway_ip == "192.168.2.254"


@pytest.mark.parametrize(
    ("cidr", "gateway_ip"),
    [
        ("192.168.1.128/25", None),  # overlaps the existing subnet
        ("not-a-cidr", None),
        ("10.1.0.1/24", None),  # host bits set
        ("10.2.0.0/24", "10.3.0.1"),  # gateway outside the block
    ],
)
def test_bad_subnets_are_refused(alpha, network, subnet, cidr, gateway_ip):
    with pytest.raises(errors.CloudBadRequest):
        alpha.network.create_subnet(network.id, cidr, gateway_ip=gateway_ip)


def test_network_with_a_server_port_cannot_be_deleted(cloud, alpha, network, subnet):
    alpha.compute.create_server(boot_spec(cloud, network_ids=[network.id]))

    with pytest.raises(errors.CloudConflict):
        alpha.network.delete_subnet(subnet.id)
    with pytest.raises(errors.CloudConflict):
        alpha.network.delete_network(network.id)


def test_network_deletion_takes_unused_subnets_with_it(alpha, network, subnet):
    alpha.network.delete_network(network.id)

    with pytest.raises(errors.CloudNotFound):
        alpha.network.delete_subnet(subnet.id)


def test_shared_and_external_networks_are_admin_only_and_visible_to_all(admin, alpha, beta):
    for flags in ({"shared": True}, {"external": True}):
        with pytest.raises(errors.CloudError) as refused:
            alpha.network.create_network("mine", **flags)
        assert refused.value.code == "cloud_forbidden"
    shared = admin.network.create_network("shared", shared=True)
    public = admin.network.create_network("public", external=True)
    private = alpha.network.create_network("private")

    assert {n.id for n in beta.network.list_networks()} == {shared.id, public.id}
    assert public.is_external is True
    with pytest.raises(errors.CloudNotFound):
        beta.network.get_network(private.id)
    with pytest.raises(errors.CloudNotFound):
        beta.network.delete_network(shared.id)


# ---- routers ------------------------------------------------------------------------


def test_router_interfaces(admin, alpha, subnet):
    public = admin.network.create_network("public", external=True)
    router = alpha.network.create_router("edge", external_network_id=public.id)

    alpha.network.add_router_interface(router.id, subnet.id)

    fetched = alpha.network.get_router(router.id)
    assert (fetched.external_network_id, fetched.subnet_ids) == (public.id, [subnet.id])
    with pytest.raises(errors.CloudBadRequest):
        alpha.network.add_router_interface(router.id, subnet.id)
    with pytest.raises(errors.CloudConflict):
        alpha.network.delete_router(router.id)
    with pytest.raises(errors.CloudConflict):
        alpha.network.delete_subnet(subnet.id)

    alpha.network.remove_router_interface(router.id, subnet.id)
    with pytest.raises(errors.CloudNotFound):
        alpha.network.remove_router_interface(router.id, subnet.id)
    alpha.network.delete_router(router.id)
    with pytest.raises(errors.CloudNotFound):
        alpha.network.get_router(router.id)


def test_router_gateway_must_be_an_external_network(alpha, network):
    with pytest.raises(errors.CloudBadRequest):
        alpha.network.create_router("edge", external_network_id=network.id)


def test_router_of_another_project_is_not_found(alpha, beta):
    router = alpha.network.create_router("edge")

    with pytest.raises(errors.CloudNotFound):
        beta.network.get_router(router.id)


# ---- security groups ----------------------------------------------------------------


def test_every_project_has_a_default_group_allowing_egress(alpha, beta):
    groups = alpha.network.list_security_groups()

    assert [g.name for g in groups] == ["default"]
    assert {(r.direction, r.ethertype) for r in groups[0].rules} == {
        ("egress", "IPv4"),
        ("egress", "IPv6"),
    }
    assert beta.network.list_security_groups()[0].id != groups[0].id


def test_security_group_crud(alpha, beta):
    group = alpha.network.create_security_group("web", "front end")

    assert (group.name, group.description, group.project_id) == (
        "web",
        "front end",
        alpha.project_id,
    )
    assert alpha.network.get_security_group(group.id) == group
    updated = alpha.network.update_security_group(group.id, name="www", description="edge")
    assert (updated.name, updated.description) == ("www", "edge")
    with pytest.raises(errors.CloudNotFound):
        beta.network.get_security_group(group.id)

    alpha.network.delete_security_group(group.id)

    assert [g.name for g in alpha.network.list_security_groups()] == ["default"]


def test_default_group_cannot_be_duplicated_renamed_or_deleted(alpha):
    default = alpha.network.list_security_groups()[0]

    with pytest.raises(errors.CloudConflict):
        alpha.network.create_security_group("default")
    with pytest.raises(errors.CloudBadRequest):
        alpha.network.update_security_group(default.id, name="other")
    with pytest.raises(errors.CloudConflict):
        alpha.network.delete_security_group(default.id)


def test_group_used_by_a_server_cannot_be_deleted(cloud, alpha):
    group = alpha.network.create_security_group("web")
    server = alpha.compute.create_server(boot_spec(cloud, security_groups=["web"]))

    with pytest.raises(errors.CloudConflict):
        alpha.network.delete_security_group(group.id)
    alpha.compute.remove_security_group(server.id, "web")
    alpha.network.delete_security_group(group.id)


def test_rules(alpha):
    group = alpha.network.create_security_group("web")
    ssh = SecurityGroupRuleSpec("ingress", "tcp", 22, 22, "10.0.0.0/8", description="ssh")

    rule = alpha.network.create_security_group_rule(group.id, ssh)

    assert (rule.security_group_id, rule.port_range_min, rule.remote_ip_prefix) == (
        group.id,
        22,
        "10.0.0.0/8",
    )
    assert rule in alpha.network.get_security_group(group.id).rules
    with pytest.raises(errors.CloudConflict):
        alpha.network.create_security_group_rule(group.id, ssh)
    alpha.network.delete_security_group_rule(rule.id)
    assert rule not in alpha.network.get_security_group(group.id).rules
    with pytest.raises(errors.CloudNotFound):
        alpha.network.delete_security_group_rule(rule.id)


@pytest.mark.parametrize(
    "rule",
    [
        SecurityGroupRuleSpec("sideways"),
        SecurityGroupRuleSpec("ingress", "gre"),
        SecurityGroupRuleSpec("ingress", "tcp", 80, 22),
        SecurityGroupRuleSpec("ingress", "tcp", 0, 70000),
        SecurityGroupRuleSpec("ingress", "icmp", 22, 22),
        SecurityGroupRuleSpec("ingress", "tcp", 22, 22, "not-a-prefix"),
        SecurityGroupRuleSpec("ingress", "tcp", 22, 22, "::/0", ethertype="IPv4"),
        SecurityGroupRuleSpec("ingress", "icmpv6", ethertype="IPv4"),
    ],
)
def test_bad_rules_are_refused(alpha, rule):
    group = alpha.network.create_security_group("web")

    with pytest.raises(errors.CloudBadRequest):
        alpha.network.create_security_group_rule(group.id, rule)


def test_neutron_quotas_of_groups_and_rules(cloud, alpha):
    cloud.options = {"quotas": {"security_groups": 2, "security_group_rules": 5}}
    cloud.save()
    group = alpha.network.create_security_group("web")  # with "default": 2 groups, 4 rules
    with pytest.raises(errors.CloudQuotaExceeded):
        alpha.network.create_security_group("db")
    ssh = SecurityGroupRuleSpec("ingress", "tcp", 22, 22)
    alpha.network.create_security_group_rule(group.id, ssh)
    with pytest.raises(errors.CloudQuotaExceeded):
        alpha.network.create_security_group_rule(group.id, SecurityGroupRuleSpec("ingress", "icmp"))


def test_rules_are_stored_as_neutron_stores_them(alpha):
    group = alpha.network.create_security_group("web")
    icmpv6 = alpha.network.create_security_group_rule(
        group.id, SecurityGroupRuleSpec("ingress", "icmpv6", ethertype="IPv6")
    )
    every_port = alpha.network.create_security_group_rule(
        group.id, SecurityGroupRuleSpec("ingress", "tcp", 1, 65535)
    )
    assert icmpv6.protocol == "ipv6-icmp"
    assert (every_port.port_range_min, every_port.port_range_max) == (None, None)


def test_a_prefix_of_every_address_is_the_same_rule_as_none(alpha):
    group = alpha.network.create_security_group("web")
    alpha.network.create_security_group_rule(
        group.id, SecurityGroupRuleSpec("ingress", "tcp", 22, 22)
    )
    with pytest.raises(errors.CloudConflict):
        alpha.network.create_security_group_rule(
            group.id, SecurityGroupRuleSpec("ingress", "tcp", 22, 22, "0.0.0.0/0")
        )
