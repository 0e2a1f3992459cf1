"""Neutron through the driver: network, subnet, router with gateway and interface,
security groups and rules."""

import pytest

from portal.clouds.base_network import SecurityGroupRuleSpec
from portal.clouds.errors import CloudNotFound
from portal.clouds.tests.openstack.fixtures import RUN

# django_db: pytest-django creates the test database only for runs that hold such a test.
pytestmark = [pytest.mark.openstack, pytest.mark.django_db]


def test_network_subnet_and_router(openstack_admin, openstack_cleanup):
    network = openstack_admin.network
    external = network.create_network(f"{RUN}-ext", external=True)
    openstack_cleanup.add(network.delete_network, external.id)
    network.create_subnet(external.id, "198.51.100.0/24", name=f"{RUN}-ext-subnet")
    private = network.create_network(f"{RUN}-private", description="integration test")
    openstack_cleanup.add(network.delete_network, private.id)
    subnet = network.create_subnet(private.id, "10.98.0.0/24", name=f"{RUN}-private-subnet")
    assert (subnet.cidr, subnet.gateway_ip, subnet.ip_version) == ("10.98.0.0/24", "10.98.0.1", 4)
    assert network.get_network(private.id).subnet_ids == [subnet.id]
    assert external.is_external
    assert not private.is_external
    renamed = network.update_network(private.id, name=f"{RUN}-renamed")
    assert renamed.name == f"{RUN}-renamed"

    router = network.create_router(f"{RUN}-router", external_network_id=external.id)
    openstack_cleanup.add(network.delete_router, router.id)
    assert router.external_network_id == external.id
    network.add_router_interface(router.id, subnet.id)
    openstack_cleanup.add(network.remove_router_interface, router.id, subnet.id)
    assert network.get_router(router.id).subnet_ids == [subnet.id]

    assert {private.id, external.id} <= {n.id for n in network.list_networks()}
    network.remove_router_interface(router.id, subnet.id)
    assert network.get_router(router.id).subnet_ids == []


def test_security_group_with_rules(openstack_admin, openstack_cleanup):
    network = openstack_admin.network
    group = network.create_security_group(f"{RUN}-web", "web servers")
    openstack_cleanup.add(network.delete_security_group, group.id)
    ssh = network.create_security_group_rule(
        group.id,
        SecurityGroupRuleSpec(
            "ingress", "tcp", 22, 22, remote_ip_prefix="192.0.2.0/24", description="ssh"
        ),
    )
    ping = network.create_security_group_rule(group.id, SecurityGroupRuleSpec("ingress", "icmp"))
    assert (ssh.protocol, ssh.port_range_min, ssh.port_range_max) == ("tcp", 22, 22)
    assert (ssh.remote_ip_prefix, ssh.description) == ("192.0.2.0/24", "ssh")

    rules = {rule.id: rule for rule in network.get_security_group(group.id).rules}
    assert rules[ssh.id] == ssh
    assert rules[ping.id] == ping
    network.delete_security_group_rule(ping.id)
    assert ping.id not in {rule.id for rule in network.get_security_group(group.id).rules}

    renamed = network.update_security_group(group.id, name=f"{RUN}-www", description="")
    assert (renamed.name, renamed.description) == (f"{RUN}-www", "")
    assert group.id in {g.id for g in network.list_security_groups()}
    network.delete_security_group(group.id)
    with pytest.raises(CloudNotFound):
        network.get_security_group(group.id)
