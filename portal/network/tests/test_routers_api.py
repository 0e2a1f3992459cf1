"""/routers: a tenant's Neutron routers (gateway, interfaces, route table), changed by
Tasks on the simulator; refusals before anything is written; tenant isolation."""

import pytest
from django.urls import reverse

from conftest import tenant_client
from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.models import SimulatedObject
from portal.core.models import Task
from portal.network.models import Router
from portal.network.tests.test_vpcs_api import call, make_vpc
from portal.network.workflows import sync_network

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

LIST = reverse("api:router-list")
Kind = SimulatedObject.Kind


def url(name, **kwargs):
    return reverse(f"api:router-{name}", kwargs=kwargs)


def make_router(client, name="edge", **extra):
    answer = call(client, "post", LIST, {"router_name": name, **extra})
    assert answer["task"]["state"] == "succeeded", answer["task"]
    return answer


def cloud_router(cloud):
    return SimulatedObject.objects.get(cloud=cloud, kind=Kind.ROUTER)


@pytest.fixture
def vpc(identity, client_of_tenant):
    return make_vpc(client_of_tenant)


@pytest.fixture
def wired(vpc, client_of_tenant):
    """A router with an interface on the VPC's subnet."""
    router = make_router(client_of_tenant)
    body = {"subnet_id": vpc["subnets"][0]["subnet_id"]}
    answer = call(client_of_tenant, "post", url("interfaces", router_id=router["router_id"]), body)
    assert answer["task"]["state"] == "succeeded", answer["task"]
    return answer


def test_create_with_a_gateway(identity, client_of_tenant, cloud, external_network):
    answer = make_router(client_of_tenant, external_network_id=external_network.id)
    router = cloud_router(cloud)
    assert answer["cloud_router_id"] == router.backend_id
    assert answer["external_network_id"] == external_network.id
    assert (answer["router_status"], answer["portal_state"]) == ("ACTIVE", "ready")
    assert (answer["interfaces"], answer["routes"]) == ([], [])
    assert router.project_id == identity.project_id


def test_a_gateway_on_a_network_that_is_not_external_is_400(vpc, client_of_tenant, cloud):
    body = {"router_name": "edge", "external_network_id": vpc["cloud_vpc_id"]}
    answer = call(client_of_tenant, "post", LIST, body, expect=400)
    assert "external_network_id" in answer["error"]["fields"]
    assert not Router.objects.exists()
    assert not Task.objects.filter(kind="router.create").exists()


def test_a_refused_create_fails_the_router(identity, client_of_tenant, cloud):
    inject_fault(cloud, "network.create_router")
    answer = call(client_of_tenant, "post", LIST, {"router_name": "edge"})
    assert answer["task"]["state"] == "failed"
    assert answer["portal_state"] == "failed"
    assert not SimulatedObject.objects.filter(kind=Kind.ROUTER).exists()


def test_set_and_clear_the_gateway(identity, client_of_tenant, cloud, external_network):
    router = make_router(client_of_tenant)
    gateway = url("gateway", router_id=router["router_id"])
    answer = call(client_of_tenant, "post", gateway, {"external_network_id": external_network.id})
    assert answer["external_network_id"] == external_network.id
    assert cloud_router(cloud).data["external_network_id"] == external_network.id
    answer = call(client_of_tenant, "delete", gateway)
    assert answer["external_network_id"] == ""
    assert cloud_router(cloud).data["external_network_id"] == ""
    answer = call(client_of_tenant, "delete", gateway, expect=409)
    assert answer["error"]["code"] == "no_gateway"
    call(client_of_tenant, "post", gateway, {"external_network_id": "nope"}, expect=400)


def test_a_refused_gateway_keeps_the_router(identity, client_of_tenant, cloud, external_network):
    router = make_router(client_of_tenant)
    inject_fault(cloud, "network.set_router_gateway")
    gateway = url("gateway", router_id=router["router_id"])
    answer = call(client_of_tenant, "post", gateway, {"external_network_id": external_network.id})
    assert answer["task"]["state"] == "failed"
    assert (answer["external_network_id"], answer["portal_state"]) == ("", "ready")
    assert answer["state_message"]


def test_interfaces_added_and_removed(vpc, wired, client_of_tenant, cloud):
    subnet = vpc["subnets"][0]
    assert wired["interfaces"] == [
        {
            "subnet_id": subnet["subnet_id"],
            "cloud_subnet_id": subnet["cloud_subnet_id"],
            "cidr": "10.10.0.0/24",
            "vpc_id": vpc["vpc_id"],
        }
    ]
    assert SimulatedObject.objects.filter(
        kind=Kind.PORT, parent_id=wired["cloud_router_id"]
    ).exists()
    removal = url("interface", router_id=wired["router_id"], subnet_id=subnet["subnet_id"])
    answer = call(client_of_tenant, "delete", removal)
    assert answer["interfaces"] == []
    assert not SimulatedObject.objects.filter(kind=Kind.PORT).exists()
    call(client_of_tenant, "delete", removal, expect=404)


def test_a_subnet_on_a_router_already_is_409(vpc, wired, client_of_tenant):
    other = make_router(client_of_tenant, "second")
    body = {"subnet_id": vpc["subnets"][0]["subnet_id"]}
    answer = call(
        client_of_tenant, "post", url("interfaces", router_id=other["router_id"]), body, 409
    )
    assert answer["error"]["code"] == "subnet_in_use"


def test_a_vpc_or_subnet_with_a_router_interface_is_not_deleted(vpc, wired, client_of_tenant):
    answer = call(
        client_of_tenant,
        "delete",
        reverse("api:vpc-detail", kwargs={"vpc_id": vpc["vpc_id"]}),
        expect=409,
    )
    assert answer["error"]["code"] == "vpc_in_use"
    subnet = reverse(
        "api:vpc-subnet",
        kwargs={"vpc_id": vpc["vpc_id"], "subnet_id": vpc["subnets"][0]["subnet_id"]},
    )
    answer = call(client_of_tenant, "delete", subnet, expect=409)
    assert answer["error"]["code"] == "subnet_in_use"


def test_a_router_with_interfaces_is_not_deleted(wired, client_of_tenant):
    answer = call(
        client_of_tenant, "delete", url("detail", router_id=wired["router_id"]), expect=409
    )
    assert answer["error"]["code"] == "router_in_use"


def test_routes_added_shown_and_removed(wired, client_of_tenant, cloud):
    routes = url("routes", router_id=wired["router_id"])
    entry = {"destination": "172.16.0.0/16", "nexthop": "10.10.0.5"}
    answer = call(client_of_tenant, "post", routes, entry)
    assert answer["routes"] == [entry]
    assert cloud_router(cloud).data["routes"] == [entry]
    shown = call(client_of_tenant, "get", url("detail", router_id=wired["router_id"]), expect=200)
    assert shown["routes"] == [entry]
    answer = call(client_of_tenant, "post", routes, entry, expect=409)
    assert answer["error"]["code"] == "route_exists"
    # The interface the route goes through cannot be removed while the route is there.
    removal = url(
        "interface", router_id=wired["router_id"], subnet_id=wired["interfaces"][0]["subnet_id"]
    )
    answer = call(client_of_tenant, "delete", removal, expect=409)
    assert answer["error"]["code"] == "interface_in_use"
    answer = client_of_tenant.delete(f"{routes}?destination=172.16.0.0/16&nexthop=10.10.0.5")
    assert answer.status_code == 202
    assert answer.json()["routes"] == []
    assert cloud_router(cloud).data["routes"] == []
    answer = client_of_tenant.delete(f"{routes}?destination=172.16.0.0/16&nexthop=10.10.0.5")
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"destination": "172.16.0.1/16", "nexthop": "10.10.0.5"}, "destination"),
        ({"destination": "nope", "nexthop": "10.10.0.5"}, "destination"),
        ({"destination": "172.16.0.0/16", "nexthop": "192.168.1.1"}, "nexthop"),
        ({"destination": "172.16.0.0/16", "nexthop": "x"}, "nexthop"),
    ],
)
def test_a_bad_route_is_400(wired, client_of_tenant, entry, field):
    answer = call(client_of_tenant, "post", url("routes", router_id=wired["router_id"]), entry, 400)
    assert field in answer["error"]["fields"]
    assert Router.objects.get().routes == []


def test_a_refused_route_keeps_the_table(wired, client_of_tenant, cloud):
    inject_fault(cloud, "network.set_router_routes")
    entry = {"destination": "172.16.0.0/16", "nexthop": "10.10.0.5"}
    answer = call(client_of_tenant, "post", url("routes", router_id=wired["router_id"]), entry)
    assert answer["task"]["state"] == "failed"
    assert (answer["routes"], answer["portal_state"]) == ([], "ready")


def test_delete(identity, client_of_tenant, cloud, external_network):
    router = make_router(client_of_tenant, external_network_id=external_network.id)
    answer = call(client_of_tenant, "delete", url("detail", router_id=router["router_id"]))
    assert answer["task"]["state"] == "succeeded"
    assert not SimulatedObject.objects.filter(kind__in=[Kind.ROUTER, Kind.PORT]).exists()
    call(client_of_tenant, "get", url("detail", router_id=router["router_id"]), expect=404)


def test_a_refused_delete_keeps_the_router(identity, client_of_tenant, cloud):
    router = make_router(client_of_tenant)
    inject_fault(cloud, "network.delete_router", mode="conflict")
    answer = call(client_of_tenant, "delete", url("detail", router_id=router["router_id"]))
    assert answer["task"]["state"] == "failed"
    assert answer["portal_state"] == "ready"


def test_another_tenants_router_is_404_everywhere(
    vpc, wired, client_of_tenant, other_identity, other_tenant, external_network
):
    other = tenant_client(other_tenant)
    router_id = wired["router_id"]
    subnet_id = wired["interfaces"][0]["subnet_id"]
    assert call(other, "get", LIST, expect=200)["routers"] == []
    for method, path, body in [
        ("get", url("detail", router_id=router_id), None),
        ("patch", url("detail", router_id=router_id), {"router_name": "mine"}),
        ("delete", url("detail", router_id=router_id), None),
        ("post", url("gateway", router_id=router_id), {"external_network_id": external_network.id}),
        ("delete", url("gateway", router_id=router_id), None),
        ("post", url("interfaces", router_id=router_id), {"subnet_id": subnet_id}),
        ("delete", url("interface", router_id=router_id, subnet_id=subnet_id), None),
        (
            "post",
            url("routes", router_id=router_id),
            {"destination": "1.0.0.0/8", "nexthop": "10.10.0.5"},
        ),
        (
            "delete",
            url("routes", router_id=router_id) + "?destination=1.0.0.0/8&nexthop=10.10.0.5",
            None,
        ),
    ]:
        call(other, method, path, body, expect=404)
    # Nor may a tenant plug its router into another tenant's subnet.
    theirs = make_router(other, "theirs")
    call(
        other,
        "post",
        url("interfaces", router_id=theirs["router_id"]),
        {"subnet_id": subnet_id},
        404,
    )


def test_the_pull_mirrors_routers_interfaces_and_routes(
    vpc, own_driver, client_of_tenant, cloud, driver, external_network
):
    from portal.clouds.base_network import RouteEntry

    made = own_driver.network.create_router("by-hand", external_network_id=external_network.id)
    own_driver.network.add_router_interface(made.id, vpc["subnets"][0]["cloud_subnet_id"])
    own_driver.network.set_router_routes(made.id, [RouteEntry("10.99.0.0/16", "10.10.0.9")])
    sync_network(cloud, driver)
    [router] = call(client_of_tenant, "get", LIST, expect=200)["routers"]
    assert router["router_name"] == "by-hand"
    assert router["external_network_id"] == external_network.id
    assert [i["cidr"] for i in router["interfaces"]] == ["10.10.0.0/24"]
    assert router["routes"] == [{"destination": "10.99.0.0/16", "nexthop": "10.10.0.9"}]
    own_driver.network.set_router_routes(made.id, [])
    own_driver.network.remove_router_interface(made.id, vpc["subnets"][0]["cloud_subnet_id"])
    sync_network(cloud, driver)
    [router] = call(client_of_tenant, "get", LIST, expect=200)["routers"]
    assert (router["interfaces"], router["routes"]) == ([], [])
    own_driver.network.delete_router(made.id)
    sync_network(cloud, driver)
    assert call(client_of_tenant, "get", LIST, expect=200)["routers"] == []


def test_a_page_costs_a_constant_number_of_queries(
    vpc, identity, client_of_tenant, tenant, cloud, django_assert_max_num_queries
):
    from portal.network.models import RouterInterface, Subnet

    subnet = Subnet.objects.get()
    for number in range(30):
        router = Router.objects.create(
            cloud=cloud,
            tenant=tenant,
            name=f"r{number}",
            backend_id=f"r{number}",
            routes=[{"destination": "1.0.0.0/8", "nexthop": "10.10.0.9"}],
        )
        RouterInterface.objects.create(router=router, subnet=subnet)
    with django_assert_max_num_queries(9):
        answer = client_of_tenant.get(LIST, {"page_size": 50})
    assert answer.json()["count"] == 30
    assert all(r["interfaces"][0]["vpc_id"] == vpc["vpc_id"] for r in answer.json()["routers"])


def test_rename(identity, client_of_tenant, cloud):
    router = make_router(client_of_tenant)
    answer = call(
        client_of_tenant,
        "patch",
        url("detail", router_id=router["router_id"]),
        {"router_name": "core"},
    )
    assert answer["router_name"] == "core"
    assert cloud_router(cloud).name == "core"
    call(client_of_tenant, "patch", url("detail", router_id=router["router_id"]), {}, expect=400)
    inject_fault(cloud, "network.update_router")
    answer = call(
        client_of_tenant,
        "patch",
        url("detail", router_id=router["router_id"]),
        {"router_name": "x"},
    )
    assert (answer["task"]["state"], answer["router_name"]) == ("failed", "core")
