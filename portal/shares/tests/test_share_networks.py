"""The share network a share is made on: found, made, or taken over from a create that
raced this one on the same subnet."""

import pytest

from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.models import SimulatedObject
from portal.shares import workflows
from portal.shares.models import Share, ShareNetwork
from portal.shares.tests.factories import ShareFactory
from portal.tenants.credentials import tenant_credentials

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant_driver(identity, cloud):
    return SimulatorDriver(cloud, tenant_credentials(identity))


@pytest.fixture
def creating(tenant, cloud, demo):
    return ShareFactory(
        tenant=tenant, cloud=cloud, network_id=demo["network_id"], status=Share.Status.CREATING
    )


def share_networks_in_cloud(cloud):
    return SimulatedObject.objects.filter(cloud=cloud, kind=SimulatedObject.Kind.SHARE_NETWORK)


def test_a_new_share_network_is_made_and_recorded(creating, tenant_driver, cloud, demo):
    network = workflows._cloud_share_network(creating, tenant_driver, demo["subnet_id"])
    assert network.made_by_portal
    assert list(share_networks_in_cloud(cloud).values_list("backend_id", flat=True)) == [
        network.backend_id
    ]


def test_the_tenants_own_share_network_is_used_and_never_deleted(creating, tenant_driver, demo):
    own = tenant_driver.shares.create_share_network("mine", demo["network_id"], demo["subnet_id"])
    network = workflows._cloud_share_network(creating, tenant_driver, demo["subnet_id"])
    assert network.backend_id == own.id
    assert not network.made_by_portal


def test_a_create_that_lost_the_race_takes_the_first_share_network(
    creating, tenant_driver, cloud, demo
):
    first = ShareNetwork.objects.create(
        cloud=cloud, tenant=creating.tenant, network_id=demo["network_id"],
        subnet_id=demo["subnet_id"], backend_id="made-by-the-first",
    )  # fmt: skip
    network = workflows._cloud_share_network(creating, tenant_driver, demo["subnet_id"])
    assert network == first
    assert not share_networks_in_cloud(cloud).exists()  # the one it made was removed
