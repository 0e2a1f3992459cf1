"""/vpcs: a tenant's Neutron networks with their subnets, made and changed by Tasks on
the simulator; refusals before anything is written; tenant isolation."""

import pytest
from django.urls import reverse

from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.models import SimulatedObject
from portal.core.models import Task
from portal.network.models import Network, Subnet
from portal.network.workflows import sync_network

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

LIST = reverse("api:vpc-list")
Kind = SimulatedObject.Kind


def detail(vpc_id):
    return reverse("api:vpc-detail", kwargs={"vpc_id": vpc_id})


def subnets_url(vpc_id):
    return reverse("api:vpc-add-subnet", kwargs={"vpc_id": vpc_id})


def subnet_url(vpc_id, subnet_id):
    return reverse("api:vpc-subnet", kwargs={"vpc_id": vpc_id, "subnet_id": subnet_id})


def call(client, method, url, body=None, expect=202):
    answer = getattr(client, method)(url, body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def make_vpc(client, name="prod", cidr="10.10.0.0/24", **extra):
    body = {"vpc_name": name, "vpc_desc": "the prod VPC", "subnet": cidr, **extra}
    answer = call(client, "post", LIST, body)
    assert answer["task"]["state"] == "succeeded", answer["task"]
    return answer


def in_cloud(cloud, kind):
    return SimulatedObject.objects.filter(cloud=cloud, kind=kind)


def test_create_makes_a_network_and_its_subnet(identity, client_of_tenant, cloud):
    answer = make_vpc(client_of_tenant)
    network = in_cloud(cloud, Kind.NETWORK).get()
    subnet = in_cloud(cloud, Kind.SUBNET).get()
    assert (network.project_id, network.data["description"]) == (
        identity.project_id, "the prod VPC",
    )  # fmt: skip
    assert answer["cloud_vpc_id"] == network.backend_id
    assert answer["vpc_name"] == "prod"
    assert answer["vpc_desc"] == "the prod VPC"
    assert answer["region"] == "region-one"
    assert answer["subnet"] == ["10.10.0.0/24"]
    assert answer["subnets"][0]["cloud_subnet_id"] == subnet.backend_id
    assert answer["subnets"][0]["gateway_ip"] == "10.10.0.1"
    assert (answer["vpc_status"], answer["portal_state"]) == ("ACTIVE", "ready")
    assert answer["created_time"]
    shown = call(client_of_tenant, "get", detail(answer["vpc_id"]), expect=200)
    assert shown["subnet"] == ["10.10.0.0/24"]


@pytest.mark.parametrize(
    ("cidr", "why"),
    [
        ("10.0.0.0/30", "too small"),
        ("10.0.0.5/24", "not a network address"),
        ("10.0.0.0", "no prefix"),
        ("banana", "not a CIDR"),
        ("127.0.0.0/24", "loopback"),
        ("169.254.0.0/24", "link-local"),
        ("224.0.0.0/24", "multicast"),
        ("0.0.0.0/0", "everything"),
    ],
)
def test_a_bad_subnet_is_400_before_anything_is_written(
    identity, client_of_tenant, cloud, cidr, why
):
    body = {"vpc_name": "x", "subnet": cidr}
    answer = call(client_of_tenant, "post", LIST, body, expect=400)
    assert "subnet" in answer["error"]["fields"], why
    assert not Network.objects.exists()
    assert not Task.objects.exists()
    assert not in_cloud(cloud, Kind.NETWORK).exists()


def test_a_tenant_not_set_up_is_409(tenant, client_of_tenant, cloud):
    answer = call(client_of_tenant, "post", LIST, {"vpc_name": "x", "subnet": "10.0.0.0/24"}, 409)
    assert answer["error"]["code"] == "tenant_not_ready"


def test_a_cloud_refusal_mid_way_leaves_nothing_and_fails_the_task(
    identity, client_of_tenant, cloud
):
    inject_fault(cloud, "network.create_subnet")
    answer = call(client_of_tenant, "post", LIST, {"vpc_name": "x", "subnet": "10.0.0.0/24"})
    assert answer["task"]["state"] == "failed"
    assert answer["task"]["message"]
    assert answer["portal_state"] == "failed"
    assert answer["state_message"] == answer["task"]["message"]
    assert not in_cloud(cloud, Kind.NETWORK).exists()  # the network made first is gone
    assert not in_cloud(cloud, Kind.SUBNET).exists()
    # A failed VPC can be deleted: nothing is left in the cloud to remove.
    deleted = call(client_of_tenant, "delete", detail(answer["vpc_id"]))
    assert deleted["task"]["state"] == "succeeded"
    assert not Network.objects.exists()


def test_update_name_and_description_re_read_from_the_cloud(identity, client_of_tenant, cloud):
    vpc = make_vpc(client_of_tenant)
    answer = call(
        client_of_tenant, "patch", detail(vpc["vpc_id"]), {"vpc_name": "live", "vpc_desc": ""}
    )
    assert answer["task"]["state"] == "succeeded"
    assert (answer["vpc_name"], answer["vpc_desc"]) == ("live", "")
    network = in_cloud(cloud, Kind.NETWORK).get()
    assert (network.name, network.data["description"]) == ("live", "")


def test_an_empty_update_is_400(identity, client_of_tenant):
    vpc = make_vpc(client_of_tenant)
    call(client_of_tenant, "patch", detail(vpc["vpc_id"]), {}, expect=400)


def test_a_refused_update_keeps_the_vpc_as_it_was(identity, client_of_tenant, cloud):
    vpc = make_vpc(client_of_tenant)
    inject_fault(cloud, "network.update_network")
    answer = call(client_of_tenant, "patch", detail(vpc["vpc_id"]), {"vpc_name": "live"})
    assert answer["task"]["state"] == "failed"
    assert (answer["vpc_name"], answer["portal_state"]) == ("prod", "ready")


def test_add_and_remove_subnets(identity, client_of_tenant, cloud):
    vpc = make_vpc(client_of_tenant)
    answer = call(client_of_tenant, "post", subnets_url(vpc["vpc_id"]), {"cidr": "10.20.0.0/24"})
    assert answer["task"]["state"] == "succeeded"
    assert answer["subnet"] == ["10.10.0.0/24", "10.20.0.0/24"]
    assert in_cloud(cloud, Kind.SUBNET).count() == 2
    added = answer["subnets"][1]["subnet_id"]
    answer = call(client_of_tenant, "delete", subnet_url(vpc["vpc_id"], added))
    assert answer["task"]["state"] == "succeeded"
    assert answer["subnet"] == ["10.10.0.0/24"]
    assert in_cloud(cloud, Kind.SUBNET).count() == 1


def test_an_overlapping_subnet_is_409_and_a_small_one_400(identity, client_of_tenant, cloud):
    vpc = make_vpc(client_of_tenant)
    answer = call(
        client_of_tenant, "post", subnets_url(vpc["vpc_id"]), {"cidr": "10.10.0.128/25"}, 409
    )
    assert answer["error"]["code"] == "cidr_overlaps"
    call(client_of_tenant, "post", subnets_url(vpc["vpc_id"]), {"cidr": "10.30.0.0/30"}, 400)
    assert Subnet.objects.count() == 1
    assert Network.objects.get().state == "ready"  # the refusal released the VPC


def test_a_refused_subnet_leaves_nothing(identity, client_of_tenant, cloud):
    vpc = make_vpc(client_of_tenant)
    inject_fault(cloud, "network.create_subnet")
    answer = call(client_of_tenant, "post", subnets_url(vpc["vpc_id"]), {"cidr": "10.20.0.0/24"})
    assert answer["task"]["state"] == "failed"
    assert answer["subnet"] == ["10.10.0.0/24"]
    assert answer["portal_state"] == "ready"


def test_a_subnet_the_cloud_refuses_to_remove_stays(identity, client_of_tenant, cloud):
    vpc = make_vpc(client_of_tenant)
    subnet_id = vpc["subnets"][0]["subnet_id"]
    inject_fault(cloud, "network.delete_subnet", mode="conflict")
    answer = call(client_of_tenant, "delete", subnet_url(vpc["vpc_id"], subnet_id))
    assert answer["task"]["state"] == "failed"
    assert answer["subnet"] == ["10.10.0.0/24"]
    assert answer["subnets"][0]["portal_state"] == "ready"


def test_delete_removes_the_network_and_subnets(identity, client_of_tenant, cloud):
    vpc = make_vpc(client_of_tenant)
    answer = call(client_of_tenant, "delete", detail(vpc["vpc_id"]))
    assert answer["task"]["state"] == "succeeded"
    assert not in_cloud(cloud, Kind.NETWORK).exists()
    assert not in_cloud(cloud, Kind.SUBNET).exists()
    call(client_of_tenant, "get", detail(vpc["vpc_id"]), expect=404)


def test_delete_is_409_while_a_server_uses_it(identity, client_of_tenant, cloud, tenant):
    from portal.servers.tests.factories import ServerFactory

    vpc = make_vpc(client_of_tenant)
    ServerFactory(cloud=cloud, tenant=tenant, name="web-1", network_id=vpc["cloud_vpc_id"])
    answer = call(client_of_tenant, "delete", detail(vpc["vpc_id"]), expect=409)
    assert answer["error"]["code"] == "vpc_in_use"
    assert "web-1" in answer["error"]["message"]


def test_the_cloud_refusing_a_delete_keeps_the_vpc(identity, client_of_tenant, cloud):
    vpc = make_vpc(client_of_tenant)
    inject_fault(cloud, "network.delete_network", mode="conflict")
    answer = call(client_of_tenant, "delete", detail(vpc["vpc_id"]))
    assert answer["task"]["state"] == "failed"
    assert answer["portal_state"] == "ready"
    assert in_cloud(cloud, Kind.NETWORK).exists()


def test_one_operation_at_a_time(identity, client_of_tenant, cloud):
    vpc = make_vpc(client_of_tenant)
    Network.objects.filter(vpc_id=vpc["vpc_id"]).update(state="updating")
    for method, url, body in [
        ("patch", detail(vpc["vpc_id"]), {"vpc_name": "x"}),
        ("delete", detail(vpc["vpc_id"]), None),
        ("post", subnets_url(vpc["vpc_id"]), {"cidr": "10.20.0.0/24"}),
    ]:
        answer = call(client_of_tenant, method, url, body, expect=409)
        assert answer["error"]["code"] == "invalid_state"


def test_another_tenants_vpc_is_404_everywhere(
    identity, client_of_tenant, other_identity, other_tenant, cloud
):
    from conftest import tenant_client

    theirs = make_vpc(tenant_client(other_tenant))
    vpc_id, subnet_id = theirs["vpc_id"], theirs["subnets"][0]["subnet_id"]
    assert call(client_of_tenant, "get", LIST, expect=200)["vpcs"] == []
    for method, url, body in [
        ("get", detail(vpc_id), None),
        ("patch", detail(vpc_id), {"vpc_name": "mine"}),
        ("delete", detail(vpc_id), None),
        ("post", subnets_url(vpc_id), {"cidr": "10.20.0.0/24"}),
        ("delete", subnet_url(vpc_id, subnet_id), None),
    ]:
        call(client_of_tenant, method, url, body, expect=404)
    assert Network.objects.get(vpc_id=vpc_id).name == "prod"


def test_operators_create_for_a_tenant_and_see_all(identity, platform_client, tenant, cloud):
    answer = make_vpc(platform_client, tenant_id=tenant.tenant_id)
    assert answer["tenant_id"] == tenant.tenant_id
    call(platform_client, "post", LIST, {"vpc_name": "x", "subnet": "10.0.0.0/24"}, expect=400)
    listed = call(platform_client, "get", LIST, expect=200)
    assert [vpc["vpc_id"] for vpc in listed["vpcs"]] == [answer["vpc_id"]]


def test_the_pull_finds_vpcs_made_outside_the_portal(
    identity, own_driver, client_of_tenant, cloud, driver
):
    network = own_driver.network.create_network("by-hand", description="cli")
    own_driver.network.create_subnet(network.id, "192.168.5.0/24")
    sync_network(cloud, driver)
    listed = call(client_of_tenant, "get", LIST, expect=200)["vpcs"]
    assert [(vpc["vpc_name"], vpc["vpc_desc"], vpc["subnet"]) for vpc in listed] == [
        ("by-hand", "cli", ["192.168.5.0/24"])
    ]
    own_driver.network.delete_network(network.id)
    sync_network(cloud, driver)
    assert call(client_of_tenant, "get", LIST, expect=200)["vpcs"] == []
    assert Network.objects.get(backend_id=network.id).is_missing


def test_a_page_costs_a_constant_number_of_queries(
    identity, client_of_tenant, tenant, cloud, django_assert_max_num_queries
):
    from portal.network.tests.factories import NetworkFactory

    for number in range(30):
        vpc = NetworkFactory(
            cloud=cloud, tenant=tenant, project_id=identity.project_id, name=f"v{number}"
        )
        Subnet.objects.create(cloud=cloud, network=vpc, backend_id=f"s{number}", cidr="10.0.0.0/24")
    with django_assert_max_num_queries(9):
        answer = client_of_tenant.get(LIST, {"page_size": 50})
    assert answer.json()["count"] == 30
    assert all(vpc["subnet"] == ["10.0.0.0/24"] for vpc in answer.json()["vpcs"])


@pytest.mark.parametrize("url", ["/api/v1/vpcs/sync", "/api/v1/routers/sync"])
def test_sync_now_is_for_operators(identity, client_of_tenant, platform_client, url):
    assert client_of_tenant.post(url, {}, format="json").status_code == 403
    answer = call(platform_client, "post", url, {})
    assert Task.objects.get(pk=answer["task"]["task_id"]).kind == "network.sync"


def test_a_bad_wait_is_400_before_anything_is_written(identity, client_of_tenant):
    body = {"vpc_name": "x", "subnet": "10.0.0.0/24"}
    answer = call(client_of_tenant, "post", f"{LIST}?wait=999", body, expect=400)
    assert "wait" in answer["error"]["fields"]
    assert not Network.objects.exists()


def test_wait_answers_with_the_vpc_as_re_read(identity, client_of_tenant):
    answer = call(
        client_of_tenant, "post", f"{LIST}?wait=5", {"vpc_name": "x", "subnet": "10.0.0.0/24"}
    )
    assert (answer["task"]["state"], answer["vpc_status"]) == ("succeeded", "ACTIVE")


def test_operators_see_vpcs_the_cloud_lost(
    identity, client_of_tenant, platform_client, own_driver, cloud, driver
):
    vpc = make_vpc(client_of_tenant)
    own_driver.network.delete_network(vpc["cloud_vpc_id"])
    sync_network(cloud, driver)
    assert call(client_of_tenant, "get", LIST, expect=200)["vpcs"] == []
    [seen] = call(platform_client, "get", LIST, expect=200)["vpcs"]
    assert seen["missing_since"]
    assert seen["project_id"] == identity.project_id
