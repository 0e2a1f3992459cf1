"""Reading, listing, deleting, operating and resizing servers through the API."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from conftest import PLATFORM_AUTHZ_PATH, platform_questions
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.core.models import Task
from portal.core.services import fail_stuck_tasks
from portal.servers.models import Server, ServerTag
from portal.servers.tests.factories import ServerFactory
from portal.servers.tests.test_instances import LIST, create, detail
from portal.tenants import quotas

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


@pytest.fixture
def server(identity, client_of_tenant, create_body):
    answer = create(client_of_tenant, create_body())
    return Server.objects.get(instance_id=answer["instance_id"])


def post(client, url, body, expect=202):
    answer = client.post(url, body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def operate(client, server, operate_type, expect=202):
    return post(
        client, detail(server.instance_id, "operate"), {"operate_type": operate_type}, expect
    )


def resize(client, server, flavor_ref, expect=202):
    return post(
        client, detail(server.instance_id, "change-flavor"), {"flavor_ref": flavor_ref}, expect
    )


# ---- get and list --------------------------------------------------------------------------


def test_get_shows_the_instance(server, client_of_tenant):
    answer = client_of_tenant.get(detail(server.instance_id))
    assert answer.status_code == 200
    assert answer.json()["instance_id"] == server.instance_id
    assert answer.json()["task"]["state"] == "succeeded"


def test_list_takes_a_constant_number_of_queries(
    tenant, cloud, client_of_tenant, django_assert_max_num_queries
):
    servers = ServerFactory.create_batch(30, tenant=tenant, cloud=cloud)
    for item in servers[:10]:
        item.data_volumes.create(cloud=cloud, tenant=tenant, size=10)
        ServerTag.objects.create(server=item, name="web")
    with django_assert_max_num_queries(8):
        answer = client_of_tenant.get(LIST, {"page_size": 25})
    assert answer.status_code == 200
    assert answer.json()["count"] == 30
    assert len(answer.json()["instances"]) == 25


def test_list_filters_and_orders(tenant, cloud, client_of_tenant):
    first = ServerFactory(tenant=tenant, cloud=cloud, name="alpha", runtime_state="SHUTOFF")
    ServerFactory(tenant=tenant, cloud=cloud, name="beta", flavor_ref="big")
    ServerFactory(tenant=tenant, cloud=cloud, name="gone", status=Server.Status.DELETED)
    ServerFactory(
        tenant=tenant, cloud=cloud, name="moving", status=Server.Status.RESIZING,
        runtime_state="RESIZE",
    )  # fmt: skip
    ServerTag.objects.create(server=first, name="db")

    def names(**params):
        answer = client_of_tenant.get(LIST, params)
        assert answer.status_code == 200, answer.content
        return [item["instance_name"] for item in answer.json()["instances"]]

    assert names(ordering="name") == ["alpha", "beta", "moving"]
    assert names(status="SHUTOFF") == ["alpha"]
    assert names(instance_status="shutoff") == ["alpha"]  # the cloud's status
    assert names(portal_state="resizing") == ["moving"]  # the portal's lifecycle
    assert names(status="resizing") == ["moving"]  # `status`: either
    assert names(name="bet") == ["beta"]
    refused = client_of_tenant.get(LIST, {"portal_state": "sleeping"})
    assert refused.status_code == 400
    assert "portal_state" in refused.json()["error"]["fields"]
    assert names(flavor="big") == ["beta"]
    assert names(tag="db") == ["alpha"]
    assert names(image=first.image_ref) == ["alpha"]
    assert names(created_after=timezone.now().isoformat()) == []


def test_a_tenant_lists_only_its_own(tenant, other_tenant, cloud, client_of_tenant, staff_client):
    ServerFactory(tenant=tenant, cloud=cloud)
    ServerFactory(tenant=other_tenant, cloud=cloud)
    assert client_of_tenant.get(LIST).json()["count"] == 1
    assert staff_client.get(LIST).json()["count"] == 2


@pytest.mark.parametrize(
    ("method", "action", "body"),
    [
        ("get", None, None),
        ("delete", None, None),
        ("post", "operate", {"operate_type": "stop"}),
        ("post", "change-flavor", {"flavor_ref": "x"}),
        ("get", "tasks", None),
    ],
)
def test_another_tenants_instance_is_not_found(
    other_tenant, cloud, client_of_tenant, method, action, body
):
    theirs = ServerFactory(tenant=other_tenant, cloud=cloud)
    answer = getattr(client_of_tenant, method)(
        detail(theirs.instance_id, action), body, format="json"
    )
    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Server.Status.READY
    assert not theirs.locked


def test_the_platform_is_asked_about_the_instance(server, client_of_tenant, platform):
    platform.expect_request(PLATFORM_AUTHZ_PATH, method="POST").respond_with_json(
        {"allowed": False}
    )
    answer = client_of_tenant.get(detail(server.instance_id))
    assert answer.status_code == 403
    assert platform_questions(platform)[0]["resource_ids"] == [server.instance_id]


def test_tasks_of_an_instance(server, client_of_tenant):
    operate(client_of_tenant, server, "stop")
    answer = client_of_tenant.get(detail(server.instance_id, "tasks"))
    assert answer.status_code == 200
    kinds = [task["kind"] for task in answer.json()["tasks"]]
    assert kinds == ["server.operate", "server.create"]


# ---- operate -------------------------------------------------------------------------------


def test_stop_and_start(server, client_of_tenant, cloud):
    answer = operate(client_of_tenant, server, "stop")
    assert answer["operate_type"] == "stop"
    assert answer["task"]["state"] == "succeeded"
    server.refresh_from_db()
    assert (server.runtime_state, server.power_state, server.locked) == (
        "SHUTOFF",
        "shutdown",
        False,
    )
    operate(client_of_tenant, server, "start")
    server.refresh_from_db()
    assert server.runtime_state == "ACTIVE"


@pytest.mark.parametrize("operate_type", ["softreboot", "hardreboot", "suspend"])
def test_other_power_operations(server, client_of_tenant, operate_type):
    assert operate(client_of_tenant, server, operate_type)["task"]["state"] == "succeeded"


def test_wrong_state_is_409(server, client_of_tenant):
    answer = operate(client_of_tenant, server, "start", expect=409)
    assert answer["error"]["code"] == "invalid_state"
    operate(client_of_tenant, server, "resume", expect=409)


def test_admin_operations_are_refused_to_tenants(server, client_of_tenant, staff_client):
    operate(client_of_tenant, server, "pause", expect=400)
    operate(client_of_tenant, server, "lock", expect=400)
    assert operate(staff_client, server, "pause")["task"]["state"] == "succeeded"
    assert operate(staff_client, server, "unpause")["task"]["state"] == "succeeded"
    operate(staff_client, server, "lock")
    server.refresh_from_db()
    assert server.cloud_locked is True
    operate(staff_client, server, "unlock")


def test_a_locked_server_refuses_a_second_operation(server, client_of_tenant):
    Server.objects.filter(pk=server.pk).update(locked=True)
    answer = operate(client_of_tenant, server, "stop", expect=409)
    assert answer["error"]["code"] == "locked"


def test_a_failed_operation_fails_the_task_and_unlocks(server, client_of_tenant, cloud):
    inject_fault(cloud, "compute.stop_server", mode="unavailable")
    answer = operate(client_of_tenant, server, "stop")
    assert answer["task"]["state"] == "failed"
    assert answer["task"]["error_code"] == "unavailable"
    server.refresh_from_db()
    assert not server.locked
    assert server.runtime_state == "ACTIVE"


# ---- delete --------------------------------------------------------------------------------


def test_delete_keeps_the_data_disks_and_releases_the_server_quota(
    server, client_of_tenant, tenant, cloud
):
    answer = client_of_tenant.delete(detail(server.instance_id))
    assert answer.status_code == 202
    assert answer.json()["task"]["state"] == "succeeded"
    assert answer.json()["deleted_time"]
    server.refresh_from_db()
    assert server.status == Server.Status.DELETED
    driver = SimulatorDriver(cloud)
    assert list(driver.compute.iter_servers()) == []
    volumes = driver.volumes.list_volumes()
    assert sorted(v.size for v in volumes) == [10, 20]
    assert all(v.status == "available" for v in volumes)
    usage = quotas.usage_of(tenant)
    assert (usage["instances"], usage["cores"], usage["volumes"], usage["gigabytes"]) == (
        0,
        0,
        2,
        30,
    )
    assert client_of_tenant.get(detail(server.instance_id)).status_code == 404


def test_a_failed_delete_keeps_the_server_and_its_quota(server, client_of_tenant, tenant, cloud):
    inject_fault(cloud, "compute.delete_server", mode="unavailable")
    answer = client_of_tenant.delete(detail(server.instance_id))
    assert answer.json()["task"]["state"] == "failed"
    server.refresh_from_db()
    assert server.status == Server.Status.READY
    assert not server.locked
    assert quotas.usage_of(tenant)["instances"] == 1


def test_a_failed_creation_is_deleted_without_the_cloud(
    identity, client_of_tenant, create_body, cloud
):
    inject_fault(cloud, "compute.create_server", mode="unavailable")
    failed = create(client_of_tenant, create_body())
    answer = client_of_tenant.delete(detail(failed["instance_id"]))
    assert answer.json()["task"]["state"] == "succeeded"


# ---- resize --------------------------------------------------------------------------------


def test_resize_up_running_server_stops_resizes_confirms_and_starts_it(
    server, client_of_tenant, tenant, catalog, cloud
):
    answer = resize(client_of_tenant, server, catalog["flavors"]["m1.medium"])
    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert answer["flavor"]["flavor_name"] == "m1.medium"
    server.refresh_from_db()
    assert (server.status, server.runtime_state, server.locked) == ("ready", "ACTIVE", False)
    assert (
        SimulatorDriver(cloud).compute.get_server(server.backend_id).flavor_id
        == (catalog["flavors"]["m1.medium"])
    )
    assert quotas.usage_of(tenant)["cores"] == 2
    assert quotas.usage_of(tenant)["ram"] == 4096


def test_resize_down_gives_the_surplus_back_and_keeps_a_stopped_server_stopped(
    server, client_of_tenant, tenant, catalog
):
    resize(client_of_tenant, server, catalog["flavors"]["m1.large"])
    operate(client_of_tenant, server, "stop")
    answer = resize(client_of_tenant, server, catalog["flavors"]["m1.small"])
    assert answer["task"]["state"] == "succeeded"
    assert answer["instance_status"] == "SHUTOFF"
    assert quotas.usage_of(tenant)["cores"] == 1
    assert quotas.usage_of(tenant)["ram"] == 2048


def test_resize_beyond_quota_is_409(server, client_of_tenant, tenant, catalog):
    from portal.tenants.quotas import update_quota

    update_quota(tenant, {"cores": 2}, actor="test")
    answer = resize(client_of_tenant, server, catalog["flavors"]["m1.large"], expect=409)
    assert answer["error"]["code"] == "quota_exceeded"
    server.refresh_from_db()
    assert server.status == "ready"
    assert not server.locked


def test_resize_to_the_same_flavor_is_refused(server, client_of_tenant, catalog):
    resize(client_of_tenant, server, catalog["flavors"]["m1.small"], expect=400)


def test_a_failed_resize_reverts_releases_and_restores_power(
    server, client_of_tenant, tenant, catalog, cloud
):
    inject_fault(cloud, "compute.confirm_resize", mode="unavailable")
    answer = resize(client_of_tenant, server, catalog["flavors"]["m1.medium"])
    assert answer["task"]["state"] == "failed"
    server.refresh_from_db()
    assert (server.status, server.locked, server.flavor_name) == ("ready", False, "m1.small")
    assert server.runtime_state == "ACTIVE"
    info = SimulatorDriver(cloud).compute.get_server(server.backend_id)
    assert info.flavor_id == catalog["flavors"]["m1.small"]
    assert quotas.usage_of(tenant)["cores"] == 1


def test_resize_while_another_operation_runs_is_409(server, client_of_tenant, catalog):
    Server.objects.filter(pk=server.pk).update(locked=True)
    answer = resize(client_of_tenant, server, catalog["flavors"]["m1.medium"], expect=409)
    assert answer["error"]["code"] == "locked"


def test_a_stuck_resize_is_failed_unlocked_and_released(
    server, client_of_tenant, tenant, catalog, monkeypatch
):
    from portal.servers import tasks

    monkeypatch.setattr(tasks.resize_server, "apply_async", lambda *a, **k: SimpleNamespace(id=""))
    resize(client_of_tenant, server, catalog["flavors"]["m1.large"])
    assert quotas.usage_of(tenant)["cores"] == 4  # 1 held + 3 reserved
    server.refresh_from_db()
    assert server.status == "resizing"
    assert server.locked
    Task.objects.filter(pk=server.current_task_id).update(deadline=timezone.now())
    assert fail_stuck_tasks() == 1
    server.refresh_from_db()
    assert (server.status, server.locked) == ("ready", False)
    assert quotas.usage_of(tenant)["cores"] == 1
