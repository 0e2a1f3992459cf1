"""The simulator's floating IPs, with Neutron's refusals: allocation from external
networks only, a shared address pool, association only over a router, one floating IP
per fixed address, and each project seeing its own."""

import pytest

from portal.clouds.base import ServerSpec
from portal.clouds.errors import CloudBadRequest, CloudConflict, CloudNotFound
from portal.clouds.simulator.demo import seed_demo_cloud
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.testing import make_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(cloud):
    return seed_demo_cloud(cloud)


@pytest.fixture
def admin(cloud):
    return SimulatorDriver(cloud)


@pytest.fixture
def external(admin, demo):
    network = admin.network.create_network("public", external=True)
    admin.network.create_subnet(network.id, "203.0.113.0/30")  # 1 address after the gateway
    return network


def project_driver(cloud, name):
    return SimulatorDriver(cloud, make_tenant(cloud, name))


@pytest.fixture
def tenant(cloud):
    return project_driver(cloud, "t-1")


@pytest.fixture
def server(tenant, demo):
    spec = ServerSpec(
        name="vm", flavor_id=demo["flavors"]["m1.small"], image_id=demo["images"]["cirros-0.6.2"],
        boot_volume_size=5, network_ids=[demo["network_id"]],
    )  # fmt: skip
    return tenant.compute.create_server(spec)


def test_allocation_takes_an_address_of_the_external_pool(tenant, external):
    fip = tenant.floating_ips.create_floating_ip(external.id)
    assert fip.floating_ip_address == "203.0.113.2"
    assert fip.status == "DOWN"
    with pytest.raises(CloudConflict, match="No more IP addresses"):
        tenant.floating_ips.create_floating_ip(external.id)
    tenant.floating_ips.delete_floating_ip(fip.id)
    assert (
        tenant.floating_ips.create_floating_ip(external.id).floating_ip_address
        == fip.floating_ip_address
    )


def test_allocation_refuses_other_networks(tenant, admin, demo):
    with pytest.raises(CloudBadRequest, match="not a valid external network"):
        tenant.floating_ips.create_floating_ip(demo["network_id"])
    bare = admin.network.create_network("bare", external=True)
    with pytest.raises(CloudBadRequest, match="IPv4 subnet"):
        tenant.floating_ips.create_floating_ip(bare.id)
    with pytest.raises(CloudNotFound):
        tenant.floating_ips.create_floating_ip("no-such-network")


def test_association_needs_a_router_to_the_external_network(tenant, admin, external, server, demo):
    fip = tenant.floating_ips.create_floating_ip(external.id)
    port = tenant.floating_ips.list_device_ports(server.id)[0]
    with pytest.raises(CloudNotFound, match="not reachable"):
        tenant.floating_ips.associate_floating_ip(fip.id, port.id)
    # The router's gateway takes an external address too, and the /30 has none left.
    admin.network.create_subnet(external.id, "198.51.100.0/29")
    router = tenant.network.create_router("gw", external_network_id=external.id)
    tenant.network.add_router_interface(router.id, demo["subnet_id"])
    info = tenant.floating_ips.associate_floating_ip(fip.id, port.id)
    assert (info.port_id, info.device_id, info.router_id) == (port.id, server.id, router.id)
    assert info.fixed_ip_address == port.fixed_ips[0]
    addresses = tenant.compute.get_server(server.id).addresses
    assert fip.floating_ip_address in addresses["default-net"]
    info = tenant.floating_ips.dissociate_floating_ip(fip.id)
    assert info.port_id == ""
    assert (
        fip.floating_ip_address not in tenant.compute.get_server(server.id).addresses["default-net"]
    )


def test_one_floating_ip_per_fixed_address(tenant, admin, external, server, demo):
    admin.network.create_subnet(external.id, "198.51.100.0/29")
    router = tenant.network.create_router("gw", external_network_id=external.id)
    tenant.network.add_router_interface(router.id, demo["subnet_id"])
    port = tenant.floating_ips.list_device_ports(server.id)[0]
    first = tenant.floating_ips.create_floating_ip(external.id)
    second = tenant.floating_ips.create_floating_ip(external.id)
    tenant.floating_ips.associate_floating_ip(first.id, port.id)
    with pytest.raises(CloudConflict, match="already has a floating IP"):
        tenant.floating_ips.associate_floating_ip(second.id, port.id)
    with pytest.raises(CloudBadRequest, match="does not have fixed IP"):
        tenant.floating_ips.associate_floating_ip(second.id, port.id, "10.1.1.1")


def test_each_project_sees_its_own(cloud, tenant, external, server, admin):
    other = project_driver(cloud, "t-2")
    fip = tenant.floating_ips.create_floating_ip(external.id)
    assert other.floating_ips.list_floating_ips() == []
    with pytest.raises(CloudNotFound):
        other.floating_ips.get_floating_ip(fip.id)
    port = tenant.floating_ips.list_device_ports(server.id)[0]
    assert other.floating_ips.list_device_ports(server.id) == []
    with pytest.raises(CloudNotFound):
        other.floating_ips.associate_floating_ip(fip.id, port.id)
    other.floating_ips.delete_floating_ip(fip.id)  # not theirs: nothing happens
    assert [f.id for f in admin.floating_ips.list_floating_ips()] == [fip.id]
