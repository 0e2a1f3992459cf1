"""The network pull against the real OpenStack (scripts/openstack-lite), and a server's
placement checked against what it mirrored."""

import pytest

from portal.clouds.drivers import get_driver
from portal.clouds.tests.openstack.fixtures import RUN
from portal.core.errors import ValidationFailed
from portal.network.models import AvailabilityZone, ComputeHost, Network, SecurityGroup
from portal.network.services import Placement, check_placement
from portal.network.workflows import sync_network
from portal.tenants.models import TenantIdentity
from portal.tenants.tests.factories import TenantFactory

pytestmark = [pytest.mark.openstack, pytest.mark.django_db]


@pytest.fixture
def tenant_setup(openstack_cloud, make_openstack_tenant, openstack_cleanup):
    """A tenant with a network and a security group "web" of its own, made in Neutron."""
    credentials = make_openstack_tenant("netsync")
    network = get_driver(openstack_cloud, credentials).network
    own = network.create_network(f"{RUN}-own-net")
    openstack_cleanup.add(network.delete_network, own.id)
    web = network.create_security_group("web")
    openstack_cleanup.add(network.delete_security_group, web.id)
    tenant = TenantFactory()
    TenantIdentity.objects.create(
        tenant=tenant, cloud=openstack_cloud, domain_name="d", project_name="p",
        project_id=credentials.project_id, username=credentials.username,
        password=credentials.password, role_name="r",
    )  # fmt: skip
    return tenant, own


def test_the_sync_mirrors_neutron_and_nova_and_a_placement_is_checked_against_it(
    openstack_cloud, openstack_admin, openstack_network, tenant_setup
):
    tenant, own = tenant_setup
    zones = openstack_admin.compute.list_availability_zones()
    hosts = openstack_admin.compute.list_compute_hosts()
    assert hosts
    assert all(host.state in ("up", "down") for host in hosts)

    counts = sync_network(openstack_cloud, openstack_admin)

    assert counts.read >= len(zones) + len(hosts) + 2
    mirrored = Network.objects.get(cloud=openstack_cloud, backend_id=own.id)
    assert (mirrored.project_id, mirrored.shared, mirrored.status) == (
        tenant.identities.get().project_id, False, "ACTIVE",
    )  # fmt: skip
    assert SecurityGroup.objects.filter(
        cloud=openstack_cloud, name="web", project_id=mirrored.project_id
    ).exists()
    assert {zone.name for zone in zones} == set(
        AvailabilityZone.objects.filter(cloud=openstack_cloud).values_list("name", flat=True)
    )
    host = ComputeHost.objects.filter(cloud=openstack_cloud, state="up", status="enabled").first()
    assert host is not None, "no nova-compute service is up and enabled"

    check_placement(
        tenant,
        openstack_cloud,
        Placement(
            own.id, ("default", "web"), availability_zone=host.zone, hypervisor_hostname=host.name
        ),
    )
    with pytest.raises(ValidationFailed) as refused:
        # The admin's own network is neither shared nor the tenant's.
        check_placement(tenant, openstack_cloud, Placement(openstack_network.id, ("nope",)))
    assert set(refused.value.fields) == {"network_uuid", "security_group_name"}
    # A second pull rewrites nothing that did not change (other runs may change the rest).
    sync_network(openstack_cloud, openstack_admin)
    mirrored_again = Network.objects.get(pk=mirrored.pk)
    assert mirrored_again.synced_at == mirrored.synced_at
