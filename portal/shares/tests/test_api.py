"""NAS shares through the API on the simulator: create, read, list, delete, resize; the
failure branches through fault injection; the quota; isolation between tenants."""

import pytest
from django.urls import reverse

from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.models import SimulatedObject
from portal.shares.models import Share, ShareNetwork
from portal.shares.tests.factories import ShareFactory
from portal.tenants import quotas
from portal.tenants.quotas import update_quota

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

LIST = reverse("api:nas-disk-list")
Kind = SimulatedObject.Kind


def detail(share_id, action=None):
    if action:
        return reverse(f"api:nas-disk-{action}", kwargs={"share_id": share_id})
    return reverse("api:nas-disk-detail", kwargs={"share_id": share_id})


def create(client, body, expect=202):
    answer = client.post(LIST, body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def in_cloud(cloud, kind):
    return SimulatedObject.objects.filter(cloud=cloud, kind=kind)


def usage(tenant):
    used = quotas.usage_of(tenant)
    return used["shares"], used["share_gigabytes"]


@pytest.fixture
def created(identity, client_of_tenant, create_body):
    answer = create(client_of_tenant, create_body())
    return Share.objects.get(share_id=answer["share_id"])


# ---- create ------------------------------------------------------------------------------


def test_create_answers_202_with_what_manila_reports(
    identity, client_of_tenant, create_body, cloud
):
    answer = create(client_of_tenant, create_body())
    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert answer["share_name"] == "data"
    assert answer["share_desc"] == "team files"
    assert answer["share_proto"] == "NFS"
    assert answer["share_size_in_g"] == 10
    assert answer["region"] == "region-one"
    assert answer["portal_state"] == "ready"
    assert answer["share_status"] == "available"
    assert answer["share_progress"] == "100%"
    share = SimulatorDriver(cloud).shares.get_share(answer["cloud_share_id"])
    assert answer["share_network_id"] == share.share_network_id
    assert answer["share_server_id"] == share.share_server_id
    assert answer["share_server_host"] == "simulator@dummy"
    assert answer["export_locations"] == share.export_locations
    assert len(share.export_locations) == 2
    network = SimulatorDriver(cloud).shares.get_share_network(share.share_network_id)
    assert network.neutron_net_id == answer["network_id"]
    assert usage(identity.tenant) == (1, 10)


def test_a_second_share_on_the_network_uses_the_same_share_network(
    created, client_of_tenant, create_body, cloud
):
    answer = create(client_of_tenant, create_body(share_name="more"))
    assert answer["share_network_id"] == created.share_network.backend_id
    assert in_cloud(cloud, Kind.SHARE_NETWORK).count() == 1
    assert in_cloud(cloud, Kind.SHARE_SERVER).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"share_proto": "NFS4"}, "share_proto"),
        ({"share_size_in_g": 0}, "share_size_in_g"),
        ({"network_id": "no-such-net"}, "network_id"),
        ({"share_name": ""}, "share_name"),
        ({"region": "nowhere"}, "region"),
    ],
)
def test_bad_input_is_400_and_makes_nothing(
    identity, client_of_tenant, create_body, changes, field
):
    answer = create(client_of_tenant, create_body(**changes), expect=400)
    assert field in answer["error"]["fields"]
    assert not Share.objects.exists()


def test_a_tenant_not_set_up_in_the_region_is_409(client_of_tenant, create_body):
    answer = create(client_of_tenant, create_body(), expect=409)
    assert answer["error"]["code"] == "tenant_not_ready"
    assert not Share.objects.exists()


def test_the_quota_is_checked_up_front(identity, client_of_tenant, create_body):
    update_quota(identity.tenant, {"share_gigabytes": 5}, actor="test")
    answer = create(client_of_tenant, create_body(), expect=409)
    assert answer["error"]["code"] == "quota_exceeded"
    assert "share_gigabytes" in answer["error"]["fields"]
    assert not Share.objects.exists()


def test_a_refused_create_fails_the_task_removes_the_share_network_and_gives_the_quota_back(
    identity, client_of_tenant, create_body, cloud
):
    inject_fault(cloud, "shares.create_share", "bad_request")
    answer = create(client_of_tenant, create_body())
    assert answer["task"]["state"] == "failed"
    assert answer["portal_state"] == "failed"
    assert answer["status_message"]
    assert usage(identity.tenant) == (0, 0)
    assert not in_cloud(cloud, Kind.SHARE).exists()
    assert not in_cloud(cloud, Kind.SHARE_NETWORK).exists()
    assert not ShareNetwork.objects.exists()


def test_a_share_stuck_in_creating_past_its_deadline_fails_and_the_quota_comes_back(
    identity, client_of_tenant, create_body, cloud
):
    cloud.options = {"delays": {"share_create": 3600}, "wait_seconds": 0}
    cloud.save()
    answer = create(client_of_tenant, create_body())
    assert answer["task"]["state"] == "failed"
    assert answer["task"]["error_code"] == "operation_failed"
    assert answer["portal_state"] == "failed"
    assert usage(identity.tenant) == (0, 0)
    # Manila refuses to delete a share that is creating: the row says it remains and
    # keeps its id (and share network) for the deletion the tenant asks for later.
    share = Share.objects.get(share_id=answer["share_id"])
    assert in_cloud(cloud, Kind.SHARE).get(backend_id=share.backend_id).status == "creating"
    assert "remains in the cloud" in share.status_message
    assert in_cloud(cloud, Kind.SHARE_NETWORK).exists()


# ---- read --------------------------------------------------------------------------------


def test_get_and_list(created, client_of_tenant):
    got = client_of_tenant.get(detail(created.share_id)).json()
    assert got["share_id"] == created.share_id
    assert got["share_status"] == "available"
    listed = client_of_tenant.get(LIST).json()
    assert listed["count"] == 1
    assert listed["nas_disks"][0]["share_id"] == created.share_id
    assert client_of_tenant.get(LIST, {"share_status": "error"}).json()["count"] == 0


def test_the_list_costs_the_same_queries_for_any_page(
    tenant, cloud, client_of_tenant, django_assert_max_num_queries
):
    ShareFactory.create_batch(3, tenant=tenant, cloud=cloud)
    with django_assert_max_num_queries(12) as few:
        assert client_of_tenant.get(LIST).json()["count"] == 3
    ShareFactory.create_batch(20, tenant=tenant, cloud=cloud)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client_of_tenant.get(LIST, {"page_size": 50}).json()["count"] == 23


@pytest.mark.parametrize(
    ("method", "action", "body"),
    [
        ("get", None, None),
        ("delete", None, None),
        ("post", "resize", {"share_size_in_g": 20}),
        ("post", "allow-access", {"access_to": "10.0.0.0/24"}),
        ("post", "grant-server", {"instance_id": "x"}),
        ("get", "mount-clients", None),
        ("get", "tasks", None),
    ],
)
def test_another_tenants_share_is_404_everywhere(
    created, client_of_other_tenant, method, action, body
):
    answer = getattr(client_of_other_tenant, method)(
        detail(created.share_id, action), body, format="json"
    )
    assert answer.status_code == 404, answer.content
    assert client_of_other_tenant.get(LIST).json()["count"] == 0
    created.refresh_from_db()
    assert created.status == Share.Status.READY
    assert not created.locked


def test_another_tenants_rule_cannot_be_denied(created, client_of_other_tenant):
    url = reverse("api:nas-disk-deny-access", kwargs={"share_id": created.share_id, "rule_id": "r"})
    assert client_of_other_tenant.delete(url).status_code == 404


# ---- delete ------------------------------------------------------------------------------


def test_delete_removes_the_share_then_its_share_network(created, client_of_tenant, cloud):
    answer = client_of_tenant.delete(detail(created.share_id))
    assert answer.status_code == 202
    assert answer.json()["task"]["state"] == "succeeded"
    assert answer.json()["deleted_time"]
    assert not in_cloud(cloud, Kind.SHARE).exists()
    assert not in_cloud(cloud, Kind.SHARE_NETWORK).exists()
    assert not in_cloud(cloud, Kind.SHARE_SERVER).exists()
    assert not in_cloud(cloud, Kind.PORT).filter(data__device_owner="manila:share").exists()
    assert usage(created.tenant) == (0, 0)
    assert client_of_tenant.get(detail(created.share_id)).status_code == 404


def test_the_share_network_stays_while_another_share_uses_it(
    created, client_of_tenant, create_body, cloud
):
    create(client_of_tenant, create_body(share_name="more"))
    client_of_tenant.delete(detail(created.share_id))
    assert in_cloud(cloud, Kind.SHARE).count() == 1
    assert in_cloud(cloud, Kind.SHARE_NETWORK).count() == 1


def test_a_refused_delete_leaves_the_share_ready(created, client_of_tenant, cloud):
    inject_fault(cloud, "shares.delete_share", "conflict")
    answer = client_of_tenant.delete(detail(created.share_id)).json()
    assert answer["task"]["state"] == "failed"
    assert answer["deleted_time"] is None
    created.refresh_from_db()
    assert created.status == Share.Status.READY
    assert not created.locked
    assert in_cloud(cloud, Kind.SHARE).exists()
    assert usage(created.tenant) == (1, 10)


# ---- resize ------------------------------------------------------------------------------


def resize(client, share, size, expect=202):
    answer = client.post(detail(share.share_id, "resize"), {"share_size_in_g": size}, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def test_extend_then_shrink(created, client_of_tenant, cloud):
    answer = resize(client_of_tenant, created, 25)
    assert answer["task"]["state"] == "succeeded"
    assert answer["share_size_in_g"] == 25
    assert SimulatorDriver(cloud).shares.get_share(created.backend_id).size == 25
    assert usage(created.tenant) == (1, 25)
    answer = resize(client_of_tenant, created, 4)
    assert answer["share_size_in_g"] == 4
    assert answer["portal_state"] == "ready"
    assert usage(created.tenant) == (1, 4)


def test_the_same_size_is_422(created, client_of_tenant):
    assert resize(client_of_tenant, created, 10, expect=422)["error"]["code"] == "same_size"


def test_an_extend_past_the_quota_is_409(created, client_of_tenant):
    update_quota(created.tenant, {"share_gigabytes": 15}, actor="test")
    assert resize(client_of_tenant, created, 20, expect=409)["error"]["code"] == "quota_exceeded"


def test_a_refused_extend_keeps_the_size_and_the_quota(created, client_of_tenant, cloud):
    inject_fault(cloud, "shares.extend_share", "bad_request")
    answer = resize(client_of_tenant, created, 30)
    assert answer["task"]["state"] == "failed"
    assert answer["share_size_in_g"] == 10
    assert answer["portal_state"] == "ready"
    assert usage(created.tenant) == (1, 10)


def test_a_busy_share_refuses_another_operation(created, client_of_tenant):
    Share.objects.filter(pk=created.pk).update(locked=True)
    assert resize(client_of_tenant, created, 20, expect=409)["error"]["code"] == "locked"
    assert client_of_tenant.delete(detail(created.share_id)).status_code == 409
