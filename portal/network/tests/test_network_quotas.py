"""VPCs and routers count against the tenant's `vpcs` and `routers` quotas: reserved when
accepted, in use once made, given back when a create fails or the object is deleted."""

import pytest
from django.urls import reverse

from portal.clouds.simulator.faults import inject_fault
from portal.network.models import Network, Router
from portal.network.tests.test_routers_api import make_router
from portal.network.tests.test_vpcs_api import call, make_vpc
from portal.tenants.quotas import quota_of, usage_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("identity", "run_commit_hooks")]


@pytest.mark.parametrize(
    ("resource", "url", "body", "model"),
    [
        ("vpcs", "api:vpc-list", {"vpc_name": "x", "subnet": "10.0.0.0/24"}, Network),
        ("routers", "api:router-list", {"router_name": "x"}, Router),
    ],
)
def test_a_full_quota_is_409_before_anything_is_written(
    tenant, client_of_tenant, resource, url, body, model
):
    quota = quota_of(tenant)
    setattr(quota, resource, 0)
    quota.save()
    answer = call(client_of_tenant, "post", reverse(url), body, expect=409)
    assert answer["error"]["code"] == "quota_exceeded"
    assert resource in answer["error"]["fields"]
    assert not model.objects.exists()


def test_a_vpc_holds_its_quota_until_deleted(tenant, client_of_tenant):
    vpc = make_vpc(client_of_tenant)
    assert usage_of(tenant)["vpcs"] == 1
    call(client_of_tenant, "delete", reverse("api:vpc-detail", kwargs={"vpc_id": vpc["vpc_id"]}))
    assert usage_of(tenant)["vpcs"] == 0


def test_a_failed_vpc_create_gives_its_quota_back(tenant, client_of_tenant, cloud):
    inject_fault(cloud, "network.create_network")
    answer = call(
        client_of_tenant,
        "post",
        reverse("api:vpc-list"),
        {"vpc_name": "x", "subnet": "10.0.0.0/24"},
    )
    assert answer["task"]["state"] == "failed"
    assert usage_of(tenant)["vpcs"] == 0


def test_a_router_holds_its_quota_until_deleted(tenant, client_of_tenant, cloud):
    router = make_router(client_of_tenant)
    assert usage_of(tenant)["routers"] == 1
    call(
        client_of_tenant,
        "delete",
        reverse("api:router-detail", kwargs={"router_id": router["router_id"]}),
    )
    assert usage_of(tenant)["routers"] == 0
    inject_fault(cloud, "network.create_router")
    call(client_of_tenant, "post", reverse("api:router-list"), {"router_name": "y"})
    assert usage_of(tenant)["routers"] == 0


def test_a_vpc_and_router_the_cloud_lost_give_their_quota_back(
    tenant, client_of_tenant, cloud, own_driver, driver
):
    from portal.network.workflows import sync_network

    vpc = make_vpc(client_of_tenant)
    router = make_router(client_of_tenant)
    own_driver.network.delete_network(vpc["cloud_vpc_id"])
    own_driver.network.delete_router(router["cloud_router_id"])
    sync_network(cloud, driver)
    assert (usage_of(tenant)["vpcs"], usage_of(tenant)["routers"]) == (0, 0)
