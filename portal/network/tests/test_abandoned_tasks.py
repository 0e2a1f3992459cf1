"""A VPC or router Task the janitor fails (its worker lost, past its deadline) gives back
what it held: the object's state and its quota; a job delivered again after its worker
died cleans up the interrupted attempt first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.core.services import fail_stuck_tasks
from portal.network import routers, vpcs
from portal.network.models import Network, Router
from portal.network.tests.factories import RouterFactory
from portal.tenants.quotas import usage_of

pytestmark = pytest.mark.django_db  # no commit hooks: the jobs never run


def abandon():
    return fail_stuck_tasks(timezone.now() + timedelta(days=1))


def test_an_abandoned_vpc_create_fails_the_vpc_and_frees_its_quota(identity, tenant, cloud):
    vpc, _task = vpcs.create_vpc(tenant, cloud, name="x", cidr="10.0.0.0/24", actor="test")
    assert usage_of(tenant)["vpcs"] == 1
    assert abandon() == 1
    vpc.refresh_from_db()
    assert (vpc.state, bool(vpc.state_message)) == ("failed", True)
    assert usage_of(tenant)["vpcs"] == 0


def test_an_abandoned_subnet_addition_leaves_the_vpc_ready(identity, tenant, cloud):
    vpc = Network.objects.create(cloud=cloud, tenant=tenant, name="v", backend_id="n1")
    vpcs.add_subnet(vpc, cidr="10.1.0.0/24", actor="test")
    assert abandon() == 1
    vpc.refresh_from_db()
    assert vpc.state == "ready"
    assert not vpc.subnets.exists()  # the subnet never made is forgotten


def test_an_abandoned_router_change_leaves_the_router_ready(identity, tenant, cloud):
    router = RouterFactory(cloud=cloud, tenant=tenant, external_network_id="public")
    routers.clear_gateway(router, actor="test")
    assert Router.objects.get(pk=router.pk).state == "updating"
    assert abandon() == 1
    router.refresh_from_db()
    assert router.state == "ready"


def test_an_abandoned_router_create_frees_its_quota(identity, tenant, cloud):
    router, _task = routers.create_router(tenant, cloud, name="r", actor="test")
    assert abandon() == 1
    router.refresh_from_db()
    assert router.state == "failed"
    assert usage_of(tenant)["routers"] == 0


def test_a_redelivered_vpc_create_removes_the_network_of_the_interrupted_attempt(
    identity, tenant, cloud, own_driver
):
    from portal.clouds.simulator.models import SimulatedObject
    from portal.network import tasks

    vpc, task = vpcs.create_vpc(tenant, cloud, name="x", cidr="10.0.0.0/24", actor="test")
    leftover = own_driver.network.create_network("x")  # the first attempt's, then it died
    Network.objects.filter(pk=vpc.pk).update(backend_id=leftover.id)

    tasks.create_vpc(str(task.pk))

    vpc.refresh_from_db()
    networks = SimulatedObject.objects.filter(cloud=cloud, kind="network")
    assert list(networks.values_list("backend_id", flat=True)) == [vpc.backend_id]
    assert vpc.backend_id != leftover.id
    assert vpc.state == "ready"
