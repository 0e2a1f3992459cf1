"""The Azure driver's network section against recorded ARM exchanges: networks are the
mapped subnets, security groups the mapped NSGs (their Allow rules); the sections Azure
clouds do not offer list nothing and refuse changes."""

import pytest

from portal.clouds.azure.driver import AzureDriver
from portal.clouds.base_network import SecurityGroupRuleSpec
from portal.clouds.errors import CloudBadRequest, CloudNotFound

pytestmark = pytest.mark.django_db


def test_networks_and_subnets_are_the_mapped_subnets_read_once(azure_mappings, arm):
    arm.sign_in().play("subnet_get")
    network = AzureDriver(azure_mappings).network

    (info,) = network.list_networks()
    (subnet,) = network.list_subnets()

    assert (info.id, info.name, info.status, info.subnet_ids) == (
        "private",
        "private",
        "ACTIVE",
        ["private"],
    )
    assert info.description == "portal-vnet/private"
    assert (subnet.id, subnet.network_id, subnet.cidr, subnet.gateway_ip) == (
        "private",
        "private",
        "10.0.1.0/24",
        "10.0.1.1",
    )
    assert network.get_network("private").id == "private"
    with pytest.raises(CloudNotFound):
        network.get_network("elsewhere")


def test_a_security_group_is_the_mapped_nsg_with_its_allow_rules(azure_mappings, arm):
    arm.sign_in().play("nsg_get")

    (group,) = AzureDriver(azure_mappings).network.list_security_groups()

    rules = {
        (r.direction, r.protocol, r.port_range_min, r.port_range_max, r.remote_ip_prefix)
        for r in group.rules
    }
    assert (group.id, group.name) == ("web", "web")
    assert rules == {
        ("ingress", "tcp", 443, 443, "0.0.0.0/0"),
        ("ingress", "tcp", 22, 22, "203.0.113.0/24"),
        ("ingress", "tcp", 2200, 2299, "203.0.113.0/24"),
        ("egress", "udp", 53, 53, "10.0.0.0/8"),
    }  # the Deny rule is left out: the portal's rules only allow
    assert len({rule.id for rule in group.rules}) == 4


def test_one_security_group_is_read_by_its_mapping(azure_mappings, arm):
    arm.sign_in().play("nsg_get")
    network = AzureDriver(azure_mappings).network

    assert len(network.get_security_group("web").rules) == 4
    with pytest.raises(CloudNotFound):
        network.get_security_group("db")


@pytest.mark.parametrize(
    "act",
    [
        lambda network: network.create_network("vpc"),
        lambda network: network.create_subnet("private", "10.9.0.0/24"),
        lambda network: network.delete_network("private"),
        lambda network: network.create_router("edge"),
        lambda network: network.create_security_group("db"),
        lambda network: network.create_security_group_rule("web", SecurityGroupRuleSpec("ingress")),
        lambda network: network.delete_security_group("web"),
    ],
)
def test_changes_to_networks_are_refused(azure_mappings, arm, act):
    with pytest.raises(CloudBadRequest, match="maps existing Azure subnets"):
        act(AzureDriver(azure_mappings).network)

    assert len(arm.calls) == 0


def test_no_routers_floating_ips_or_shares_are_listed_and_none_made(azure_mappings, arm):
    driver = AzureDriver(azure_mappings)

    assert driver.network.list_routers() == []
    assert driver.floating_ips.list_floating_ips() == []
    assert driver.shares.list_shares() == []
    with pytest.raises(CloudBadRequest, match="no floating IPs"):
        driver.floating_ips.create_floating_ip("public")
    with pytest.raises(CloudBadRequest, match="no shared file systems"):
        driver.shares.create_share("data", "NFS", 10, share_network_id="n")
    assert len(arm.calls) == 0
