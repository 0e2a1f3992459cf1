"""Floating IPs through the API, on the simulator: allocate, list and get, associate with
a server and dissociate (shown in the server's addresses), release; Neutron's refusals,
quota, isolation between tenants, and the network pull's part."""

import pytest

from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.models import SimulatedObject
from portal.network.models import FloatingIP
from portal.network.workflows import sync_network
from portal.tenants import quotas
from portal.tenants.quotas import update_quota

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

LIST = "/api/v1/floating-ips"


def detail(floating_ip_id, action=""):
    return f"{LIST}/{floating_ip_id}" + (f"/{action}" if action else "")


def cloud_fips(cloud):
    return SimulatedObject.objects.filter(cloud=cloud, kind=SimulatedObject.Kind.FLOATING_IP)


def allocate(client, expect=202, **body):
    answer = client.post(LIST, body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def operate(client, floating_ip_id, instance_id, ops_type, expect=202, **extra):
    body = {"instance_id": instance_id, "ops_type": ops_type, **extra}
    answer = client.post(detail(floating_ip_id, "operate"), body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


# ---- allocate ------------------------------------------------------------------------------


def test_allocate_answers_202_with_what_neutron_gave(allocated, cloud, external, tenant):
    assert allocated["task"]["state"] == "succeeded", allocated["task"]
    assert allocated["state"] == "ready"
    assert allocated["external_network_id"] == external.id
    assert allocated["region"] == "region-one"
    assert allocated["floating_ip_status"] == "DOWN"
    assert allocated["instance_id"] is None
    held = cloud_fips(cloud).get()
    assert held.backend_id == allocated["floating_ip_uuid"]
    assert held.data["floating_ip_address"] == allocated["floating_ip_address"]
    assert allocated["floating_ip_address"].startswith("203.0.113.")
    assert quotas.usage_of(tenant)["floating_ips"] == 1


def test_allocate_names_the_external_network_when_there_are_several(
    identity, client_of_tenant, cloud, external
):
    admin = SimulatorDriver(cloud)
    second = admin.network.create_network("public-2", external=True)
    admin.network.create_subnet(second.id, "198.51.100.0/28")
    sync_network(cloud, admin)
    answer = allocate(client_of_tenant, expect=400)
    assert "external_network_id" in answer["error"]["fields"]
    chosen = allocate(client_of_tenant, external_network_id=second.id)
    assert chosen["floating_ip_address"].startswith("198.51.100.")


def test_allocate_refuses_a_network_that_is_not_external(identity, client_of_tenant, catalog):
    answer = allocate(client_of_tenant, expect=400, external_network_id=catalog["network_id"])
    assert "external_network_id" in answer["error"]["fields"]
    assert not FloatingIP.objects.exists()


def test_allocate_without_any_external_network_is_400(identity, client_of_tenant, catalog):
    assert "external_network_id" in allocate(client_of_tenant, expect=400)["error"]["fields"]


def test_allocate_over_quota_is_409_and_holds_nothing(
    identity, client_of_tenant, external, tenant, cloud
):
    update_quota(tenant, {"floating_ips": 1}, actor="test")
    allocate(client_of_tenant)
    answer = allocate(client_of_tenant, expect=409)
    assert answer["error"]["code"] == "quota_exceeded"
    assert FloatingIP.objects.count() == cloud_fips(cloud).count() == 1
    assert quotas.usage_of(tenant)["floating_ips"] == 1


def test_an_exhausted_pool_fails_the_task_and_gives_the_quota_back(
    identity, client_of_tenant, external, tenant, cloud
):
    for _ in range(5):
        allocate(client_of_tenant)
    answer = allocate(client_of_tenant)
    assert answer["task"]["state"] == "failed"
    assert answer["state"] == "failed"
    assert "No more IP addresses" in answer["status_message"]
    assert cloud_fips(cloud).count() == 5
    assert quotas.usage_of(tenant)["floating_ips"] == 5
    # A failed allocation is forgotten at once when released.
    client_of_tenant.delete(detail(answer["floating_ip_id"]))
    assert not FloatingIP.objects.filter(floating_ip_id=answer["floating_ip_id"]).exists()


def test_a_cloud_error_fails_the_allocation(identity, client_of_tenant, external, cloud, tenant):
    inject_fault(cloud, "floating_ips.create_floating_ip")
    answer = allocate(client_of_tenant)
    assert answer["task"]["state"] == "failed"
    assert answer["state"] == "failed"
    assert not cloud_fips(cloud).exists()
    assert quotas.usage_of(tenant)["floating_ips"] == 0


# ---- list and get --------------------------------------------------------------------------


def test_list_and_get(allocated, client_of_tenant):
    listed = client_of_tenant.get(LIST).json()
    assert [fip["floating_ip_id"] for fip in listed["floating_ips"]] == [
        allocated["floating_ip_id"]
    ]
    got = client_of_tenant.get(detail(allocated["floating_ip_id"])).json()
    assert got["floating_ip_address"] == allocated["floating_ip_address"]


def test_filters(allocated, client_of_tenant):
    address = allocated["floating_ip_address"]
    assert client_of_tenant.get(LIST, {"floating_ip_address": address}).json()["count"] == 1
    assert client_of_tenant.get(LIST, {"associated": "true"}).json()["count"] == 0
    assert client_of_tenant.get(LIST, {"state": "ready"}).json()["count"] == 1


def test_another_tenant_sees_none_of_them(
    allocated, client_of_other_tenant, other_tenant, cloud, server
):
    fip = allocated["floating_ip_id"]
    assert client_of_other_tenant.get(LIST).json()["count"] == 0
    assert client_of_other_tenant.get(detail(fip)).status_code == 404
    assert client_of_other_tenant.delete(detail(fip)).status_code == 404
    operate(client_of_other_tenant, fip, server.instance_id, "associate", expect=404)
    assert FloatingIP.objects.get(floating_ip_id=fip).state == "ready"


def test_a_tenant_cannot_associate_with_another_tenants_server(
    allocated, client_of_tenant, other_tenant, cloud
):
    from portal.servers.tests.factories import ServerFactory

    theirs = ServerFactory(cloud=cloud, tenant=other_tenant, backend_id="their-server")
    answer = operate(
        client_of_tenant, allocated["floating_ip_id"], theirs.instance_id, "associate", 400
    )
    assert "instance_id" in answer["error"]["fields"]


def test_a_page_costs_a_constant_number_of_queries(
    router, server, client_of_tenant, django_assert_max_num_queries
):
    for _ in range(4):
        fip = allocate(client_of_tenant)
    operate(client_of_tenant, fip["floating_ip_id"], server.instance_id, "associate")
    with django_assert_max_num_queries(10):
        answer = client_of_tenant.get(LIST, {"page_size": 50})
    assert answer.json()["count"] == 4
    assert [f["instance_id"] for f in answer.json()["floating_ips"]].count(server.instance_id) == 1


# ---- associate and dissociate --------------------------------------------------------------


def test_associate_forwards_to_the_server_and_shows_in_its_addresses(
    allocated, router, server, client_of_tenant, cloud
):
    fip = allocated["floating_ip_id"]
    answer = operate(client_of_tenant, fip, server.instance_id, "associate")
    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert answer["instance_id"] == server.instance_id
    assert answer["floating_ip_status"] == "ACTIVE"
    fixed = answer["fixed_ip_address"]
    server.refresh_from_db()
    assert sorted(server.addresses["default-net"]) == sorted(
        [fixed, allocated["floating_ip_address"]]
    )
    held = cloud_fips(cloud).get()
    assert held.data["fixed_ip_address"] == fixed
    assert held.data["router_id"] == router.id
    shown = client_of_tenant.get(f"/api/v1/instances/{server.instance_id}").json()
    assert allocated["floating_ip_address"] in str(shown)

    gone = operate(client_of_tenant, fip, server.instance_id, "dissociate")
    assert gone["task"]["state"] == "succeeded"
    assert gone["instance_id"] is None
    assert gone["fixed_ip_address"] == ""
    server.refresh_from_db()
    assert server.addresses["default-net"] == [fixed]
    assert cloud_fips(cloud).get().data["port_id"] == ""


def test_associate_without_a_router_fails_clearly_and_changes_nothing(
    allocated, server, client_of_tenant, cloud, tenant
):
    answer = operate(client_of_tenant, allocated["floating_ip_id"], server.instance_id, "associate")
    task = answer["task"]
    assert task["state"] == "failed"
    assert task["error_code"] == "no_route_to_external_network"
    assert "no router joins" in task["message"]
    assert answer["state"] == "ready"
    assert answer["instance_id"] is None
    assert "not reachable" in answer["status_message"]
    assert cloud_fips(cloud).get().data["port_id"] == ""
    assert quotas.usage_of(tenant)["floating_ips"] == 1


def test_a_fixed_ip_with_a_floating_ip_already_is_refused(
    router, server, client_of_tenant, identity, external
):
    first, second = allocate(client_of_tenant), allocate(client_of_tenant)
    operate(client_of_tenant, first["floating_ip_id"], server.instance_id, "associate")
    answer = operate(client_of_tenant, second["floating_ip_id"], server.instance_id, "associate")
    assert answer["task"]["state"] == "failed"
    assert answer["task"]["error_code"] == "conflict"
    assert "already has a floating IP" in answer["task"]["message"]


def test_a_fixed_ip_the_server_does_not_have_is_refused(
    allocated, router, server, client_of_tenant
):
    answer = operate(
        client_of_tenant, allocated["floating_ip_id"], server.instance_id, "associate",
        fixed_ip_address="10.99.99.99",
    )  # fmt: skip
    assert answer["task"]["state"] == "failed"
    assert answer["task"]["error_code"] == "no_port"


def test_operate_refuses_bad_bodies_and_busy_or_unassociated_ips(
    allocated, server, client_of_tenant
):
    fip = allocated["floating_ip_id"]
    operate(client_of_tenant, fip, server.instance_id, "attach", expect=400)
    operate(client_of_tenant, fip, "no-such-server", "associate", expect=400)
    answer = operate(client_of_tenant, fip, server.instance_id, "dissociate", expect=409)
    assert answer["error"]["code"] == "not_associated"
    FloatingIP.objects.filter(floating_ip_id=fip).update(state="releasing")
    answer = operate(client_of_tenant, fip, server.instance_id, "associate", expect=409)
    assert answer["error"]["code"] == "invalid_state"


def test_a_deleted_server_leaves_its_floating_ip_dissociated_in_the_cloud(
    allocated, router, server, client_of_tenant, cloud, tenant_driver
):
    operate(client_of_tenant, allocated["floating_ip_id"], server.instance_id, "associate")
    tenant_driver.compute.delete_server(server.backend_id)
    info = tenant_driver.floating_ips.get_floating_ip(allocated["floating_ip_uuid"])
    assert info.port_id == ""
    assert info.status == "DOWN"


def test_deleting_the_server_through_the_portal_dissociates_its_floating_ip(
    allocated, router, server, client_of_tenant
):
    operate(client_of_tenant, allocated["floating_ip_id"], server.instance_id, "associate")
    answer = client_of_tenant.delete(f"/api/v1/instances/{server.instance_id}")
    assert answer.status_code == 202, answer.content
    shown = client_of_tenant.get(detail(allocated["floating_ip_id"])).json()
    assert shown["instance_id"] is None
    assert shown["fixed_ip_address"] == ""
    assert shown["floating_ip_status"] == "DOWN"


# ---- release -------------------------------------------------------------------------------


def test_release_dissociates_first_and_gives_the_address_and_quota_back(
    allocated, router, server, client_of_tenant, cloud, tenant
):
    fip = allocated["floating_ip_id"]
    operate(client_of_tenant, fip, server.instance_id, "associate")
    answer = client_of_tenant.delete(detail(fip))
    assert answer.status_code == 202
    assert answer.json()["region"] == "region-one"
    assert answer.json()["state"] == "released"
    assert not cloud_fips(cloud).exists()
    assert not FloatingIP.objects.exists()
    assert quotas.usage_of(tenant)["floating_ips"] == 0
    server.refresh_from_db()
    assert allocated["floating_ip_address"] not in str(server.addresses)
    assert client_of_tenant.get(detail(fip)).status_code == 404


def test_a_refused_release_keeps_the_floating_ip(allocated, client_of_tenant, cloud, tenant):
    inject_fault(cloud, "floating_ips.delete_floating_ip")
    answer = client_of_tenant.delete(detail(allocated["floating_ip_id"])).json()
    assert answer["task"]["state"] == "failed"
    assert answer["state"] == "ready"
    assert cloud_fips(cloud).count() == 1
    assert quotas.usage_of(tenant)["floating_ips"] == 1


# ---- the network pull ----------------------------------------------------------------------


def test_the_pull_mirrors_every_projects_floating_ips_changes_only(
    identity, tenant, tenant_driver, external, cloud
):
    made = tenant_driver.floating_ips.create_floating_ip(external.id)
    admin = SimulatorDriver(cloud)
    counts = sync_network(cloud, admin)
    row = FloatingIP.objects.get(backend_id=made.id)
    assert row.tenant == tenant
    assert row.state == "ready"
    assert row.floating_ip_address == made.floating_ip_address
    assert counts.created >= 1
    again = sync_network(cloud, admin)
    assert again.created == again.updated == again.missing == 0
    tenant_driver.floating_ips.delete_floating_ip(made.id)
    sync_network(cloud, admin)
    row.refresh_from_db()
    assert row.missing_since is not None


def test_one_released_behind_the_portals_back_gives_its_quota_back(
    allocated, tenant, tenant_driver, cloud
):
    assert quotas.usage_of(tenant)["floating_ips"] == 1
    tenant_driver.floating_ips.delete_floating_ip(allocated["floating_ip_uuid"])
    sync_network(cloud, SimulatorDriver(cloud))
    assert quotas.usage_of(tenant)["floating_ips"] == 0
    assert FloatingIP.objects.get().missing_since is not None


def test_a_retried_allocation_with_one_idempotency_key_allocates_once(
    identity, client_of_tenant, external, cloud
):
    headers = {"Idempotency-Key": "fip-once"}
    first = client_of_tenant.post(LIST, {}, format="json", headers=headers)
    again = client_of_tenant.post(LIST, {}, format="json", headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["floating_ip_id"] == again.json()["floating_ip_id"]
    assert cloud_fips(cloud).count() == FloatingIP.objects.count() == 1


def test_operators_name_the_tenant_they_allocate_for(identity, platform_client, tenant, external):
    assert "tenant_id" in allocate(platform_client, expect=400)["error"]["fields"]
    answer = allocate(platform_client, tenant_id=tenant.pk)
    assert answer["tenant_id"] == str(tenant.pk)
    assert platform_client.get(LIST).json()["count"] == 1


def test_sync_now_is_for_operators(identity, platform_client, client_of_tenant, external):
    assert client_of_tenant.post(f"{LIST}/sync", {}, format="json").status_code == 403
    answer = platform_client.post(f"{LIST}/sync", {"region": "region-one"}, format="json")
    assert answer.status_code == 202
    assert answer.json()["region"] == "region-one"


def test_a_tenant_cannot_allocate_for_another_tenant(
    identity, client_of_tenant, tenant, other_tenant, external
):
    answer = allocate(client_of_tenant, tenant_id=other_tenant.pk)
    assert answer["tenant_id"] == str(tenant.pk)
    assert not FloatingIP.objects.filter(tenant=other_tenant).exists()
