"""Who may mount a NAS share: access rules by IP or CIDR, granting a server, the mount
clients; and the state sync of shares."""

import pytest
from django.urls import reverse

from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.sync import request_scheduled_sync
from portal.servers.tests.factories import ServerFactory
from portal.shares.models import Share

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


def url(share, action):
    return reverse(f"api:nas-disk-{action}", kwargs={"share_id": share.share_id})


def deny_url(share, rule_id):
    return reverse(
        "api:nas-disk-deny-access", kwargs={"share_id": share.share_id, "rule_id": rule_id}
    )


@pytest.fixture
def share(identity, client_of_tenant, create_body):
    answer = client_of_tenant.post(reverse("api:nas-disk-list"), create_body(), format="json")
    return Share.objects.get(share_id=answer.json()["share_id"])


def allow(client, share, expect=202, **body):
    answer = client.post(url(share, "allow-access"), body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def cloud_rules(cloud, share):
    rules = SimulatorDriver(cloud).shares.list_access_rules(share.backend_id)
    return {(rule.access_to, rule.access_level) for rule in rules}


def test_allow_then_deny(share, client_of_tenant, cloud):
    answer = allow(client_of_tenant, share, access_to="10.0.0.0/24", access_level="ro")
    assert answer["task"]["state"] == "succeeded"
    (rule,) = answer["access_rules"]
    assert (rule["access_to"], rule["access_level"], rule["state"]) == (
        "10.0.0.0/24",
        "ro",
        "active",
    )
    assert cloud_rules(cloud, share) == {("10.0.0.0/24", "ro")}
    answer = client_of_tenant.delete(deny_url(share, rule["id"])).json()
    assert answer["task"]["state"] == "succeeded"
    assert answer["access_rules"] == []
    assert cloud_rules(cloud, share) == set()


@pytest.mark.parametrize("access_to", ["10.0.0.300", "10.0.0.1/24", "example.com", ""])
def test_a_bad_address_is_400(share, client_of_tenant, access_to):
    answer = allow(client_of_tenant, share, expect=400, access_to=access_to)
    assert "access_to" in answer["error"]["fields"]


def test_a_bad_level_is_400(share, client_of_tenant):
    answer = allow(client_of_tenant, share, expect=400, access_to="10.0.0.5", access_level="x")
    assert "access_level" in answer["error"]["fields"]


def test_a_second_rule_for_the_same_address_is_409(share, client_of_tenant):
    allow(client_of_tenant, share, access_to="10.0.0.5")
    share.refresh_from_db()
    assert allow(client_of_tenant, share, expect=409, access_to="10.0.0.5")["error"]["code"] == (
        "rule_exists"
    )


def test_denying_an_unknown_rule_is_404(share, client_of_tenant):
    assert client_of_tenant.delete(deny_url(share, "no-such-rule")).status_code == 404


def test_a_refused_rule_fails_the_task_and_unlocks_the_share(share, client_of_tenant, cloud):
    inject_fault(cloud, "shares.allow_access", "bad_request")
    answer = allow(client_of_tenant, share, access_to="10.0.0.5")
    assert answer["task"]["state"] == "failed"
    assert answer["access_rules"] == []
    assert answer["locked"] is False


def test_mount_clients_are_the_tenants_servers_a_rule_covers(share, client_of_tenant, cloud, demo):
    inside = ServerFactory(
        tenant=share.tenant, cloud=cloud, addresses={"default-net": ["10.0.0.7"]}
    )
    ServerFactory(tenant=share.tenant, cloud=cloud, addresses={"default-net": ["10.9.0.7"]})
    ServerFactory(cloud=cloud, addresses={"default-net": ["10.0.0.8"]})  # another tenant's
    assert client_of_tenant.get(url(share, "mount-clients")).json() == {"instance_id": []}
    allow(client_of_tenant, share, access_to="10.0.0.0/24")
    answer = client_of_tenant.get(url(share, "mount-clients"))
    assert answer.status_code == 200
    assert answer.json() == {"instance_id": [inside.instance_id]}


def test_grant_a_server_adds_a_rule_for_its_address(share, client_of_tenant, cloud, demo):
    server = ServerFactory(
        tenant=share.tenant, cloud=cloud, addresses={"default-net": ["10.0.0.9"]}
    )
    answer = client_of_tenant.post(
        url(share, "grant-server"), {"instance_id": server.instance_id}, format="json"
    )
    assert answer.status_code == 202, answer.content
    assert [rule["access_to"] for rule in answer.json()["access_rules"]] == ["10.0.0.9"]
    assert cloud_rules(cloud, share) == {("10.0.0.9", "rw")}
    clients = client_of_tenant.get(url(share, "mount-clients")).json()
    assert clients == {"instance_id": [server.instance_id]}


def test_grant_needs_a_server_of_the_tenant_with_an_address_on_the_network(
    share, client_of_tenant, cloud, demo
):
    foreign = ServerFactory(cloud=cloud)
    answer = client_of_tenant.post(
        url(share, "grant-server"), {"instance_id": foreign.instance_id}, format="json"
    )
    assert answer.status_code == 400
    elsewhere = ServerFactory(
        tenant=share.tenant, cloud=cloud, addresses={"other-net": ["1.2.3.4"]}
    )
    answer = client_of_tenant.post(
        url(share, "grant-server"), {"instance_id": elsewhere.instance_id}, format="json"
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "no_address"


# ---- the state sync ------------------------------------------------------------------


def test_the_sync_writes_only_what_changed(share, cloud, sync_now):
    task = sync_now("shares.sync", cloud)
    assert task.state == "succeeded"
    assert "0 changed" in task.message
    SimulatedObject.objects.filter(cloud=cloud, backend_id=share.backend_id).update(status="error")
    task = sync_now("shares.sync", cloud)
    assert "1 changed" in task.message
    share.refresh_from_db()
    assert share.share_status == "error"


def test_a_share_gone_from_the_cloud_is_marked_missing(share, cloud, sync_now):
    SimulatedObject.objects.filter(cloud=cloud, backend_id=share.backend_id).delete()
    sync_now("shares.sync", cloud)
    share.refresh_from_db()
    assert share.is_missing


def test_a_refused_deny_keeps_the_rule_and_unlocks_the_share(share, client_of_tenant, cloud):
    rule = allow(client_of_tenant, share, access_to="10.0.0.5")["access_rules"][0]
    inject_fault(cloud, "shares.deny_access", "conflict")
    answer = client_of_tenant.delete(deny_url(share, rule["id"])).json()
    assert answer["task"]["state"] == "failed"
    assert [r["id"] for r in answer["access_rules"]] == [rule["id"]]
    assert answer["locked"] is False


def test_the_tasks_of_a_share(share, client_of_tenant):
    allow(client_of_tenant, share, access_to="10.0.0.5")
    answer = client_of_tenant.get(url(share, "tasks")).json()
    assert [task["kind"] for task in answer["tasks"]] == ["shares.access", "shares.create"]


def test_only_operators_sync(share, client_of_tenant, staff_client):
    sync = reverse("api:nas-disk-sync")
    assert client_of_tenant.post(sync).status_code == 403
    answer = staff_client.post(sync, {"region": "region-one"}, format="json")
    assert answer.status_code == 202, answer.content


def test_beat_pulls_only_clouds_with_shares(cloud, identity, create_body, client_of_tenant):
    assert request_scheduled_sync("shares.sync", cloud.pk) is None
    client_of_tenant.post(reverse("api:nas-disk-list"), create_body(), format="json")
    assert request_scheduled_sync("shares.sync", cloud.pk) is not None
