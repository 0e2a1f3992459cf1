"""Resizes left for confirmation: a cloud with `resize_confirm: manual`
leaves a resize in VERIFY_RESIZE, holding the extra quota, until the user confirms it
(`POST /instances/{id}/resize/confirm`) or reverts it (`.../resize/revert`)."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.core.models import Task
from portal.core.services import fail_stuck_tasks
from portal.servers.models import Server
from portal.servers.tests.test_instance_actions import operate, post, resize
from portal.tenants import quotas

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


@pytest.fixture
def manual(cloud):
    cloud.options = {**cloud.options, "resize_confirm": "manual"}
    cloud.save(update_fields=["options"])
    return cloud


@pytest.fixture
def server(manual, identity, client_of_tenant, create_body):
    answer = post(client_of_tenant, reverse("api:instance-list"), create_body())
    return Server.objects.get(instance_id=answer["instance_id"])


def finish(client, server, decision, expect=202):
    url = reverse(f"api:instance-resize-{decision}", kwargs={"instance_id": server.instance_id})
    return post(client, url, {}, expect)


def cloud_server(cloud, server):
    return SimulatorDriver(cloud).compute.get_server(server.backend_id)


def cores_and_ram(tenant):
    usage = quotas.usage_of(tenant)
    return usage["cores"], usage["ram"]


@pytest.fixture
def resized(server, client_of_tenant, catalog):
    """Resized up to m1.medium, left for confirmation."""
    answer = resize(client_of_tenant, server, catalog["flavors"]["m1.medium"])
    assert answer["task"]["state"] == "succeeded", answer["task"]
    server.refresh_from_db()
    return server


def test_a_resize_waits_for_confirmation_holding_the_extra_quota(resized, tenant, catalog):
    assert (resized.status, resized.runtime_state) == ("resized", "VERIFY_RESIZE")
    assert not resized.locked
    assert resized.flavor_name == "m1.small"  # until confirmed
    assert resized.resize_flavor.backend_id == catalog["flavors"]["m1.medium"]
    assert cores_and_ram(tenant) == (2, 4096)  # the growth is reserved


def test_the_api_shows_the_pending_flavor(resized, client_of_tenant, catalog):
    answer = client_of_tenant.get(
        reverse("api:instance-detail", kwargs={"instance_id": resized.instance_id})
    ).json()
    assert answer["portal_state"] == "resized"
    assert answer["instance_status"] == "VERIFY_RESIZE"  # the cloud's word for it
    assert answer["resize_flavor_ref"] == catalog["flavors"]["m1.medium"]


@pytest.mark.parametrize(
    ("decision", "flavor", "held"),
    [
        # Confirm commits the reserved quota and restarts the server on the new flavor.
        ("confirm", "m1.medium", (2, 4096)),
        # Revert goes back to the old flavor and releases the reserved quota.
        ("revert", "m1.small", (1, 2048)),
    ],
)
def test_a_decision_restarts_the_server_on_its_flavor_and_settles_the_quota(
    resized, client_of_tenant, tenant, catalog, cloud, decision, flavor, held
):
    answer = finish(client_of_tenant, resized, decision)
    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert (answer["portal_state"], answer["instance_status"]) == ("ready", "ACTIVE")
    assert answer["flavor"]["flavor_name"] == flavor
    assert answer["resize_flavor_ref"] is None
    assert cloud_server(cloud, resized).flavor_id == catalog["flavors"][flavor]
    assert cores_and_ram(tenant) == held
    assert Task.objects.get(pk=answer["task"]["task_id"]).kind == f"server.resize_{decision}"


def test_confirming_a_smaller_flavor_gives_the_surplus_back(
    server, client_of_tenant, tenant, catalog
):
    resize(client_of_tenant, server, catalog["flavors"]["m1.medium"])
    finish(client_of_tenant, server, "confirm")
    operate(client_of_tenant, server, "stop")
    resize(client_of_tenant, server, catalog["flavors"]["m1.small"])
    assert cores_and_ram(tenant) == (2, 4096)  # nothing given back before the confirmation
    answer = finish(client_of_tenant, server, "confirm")
    assert answer["instance_status"] == "SHUTOFF"  # it was stopped before: it stays so
    assert cores_and_ram(tenant) == (1, 2048)


def test_a_server_awaiting_confirmation_refuses_other_operations(
    resized, client_of_tenant, catalog
):
    assert (
        operate(client_of_tenant, resized, "stop", expect=409)["error"]["code"] == "invalid_state"
    )
    resize(client_of_tenant, resized, catalog["flavors"]["m1.large"], expect=409)


def test_confirm_or_revert_without_a_pending_resize_is_409(server, client_of_tenant):
    assert (
        finish(client_of_tenant, server, "confirm", expect=409)["error"]["code"] == "invalid_state"
    )
    finish(client_of_tenant, server, "revert", expect=409)


def test_a_second_request_while_one_runs_is_409(resized, client_of_tenant):
    Server.objects.filter(pk=resized.pk).update(locked=True)
    assert finish(client_of_tenant, resized, "confirm", expect=409)["error"]["code"] == "locked"


def test_another_tenants_server_is_404(resized, client_of_other_tenant):
    finish(client_of_other_tenant, resized, "confirm", expect=404)
    finish(client_of_other_tenant, resized, "revert", expect=404)


def test_cloud_down_fails_the_task_and_leaves_the_resize_pending(
    resized, client_of_tenant, tenant, cloud
):
    inject_fault(cloud, "compute.confirm_resize", mode="unavailable")
    answer = finish(client_of_tenant, resized, "confirm")
    assert (answer["task"]["state"], answer["task"]["error_code"]) == ("failed", "unavailable")
    resized.refresh_from_db()
    assert (resized.status, resized.locked) == ("resized", False)
    assert cores_and_ram(tenant) == (2, 4096)  # still held, for the next try
    answer = finish(client_of_tenant, resized, "revert")
    assert answer["task"]["state"] == "succeeded"
    assert cores_and_ram(tenant) == (1, 2048)


def test_deleting_a_server_awaiting_confirmation_releases_everything(
    resized, client_of_tenant, tenant
):
    answer = client_of_tenant.delete(
        reverse("api:instance-detail", kwargs={"instance_id": resized.instance_id})
    )
    assert answer.status_code == 202
    assert answer.json()["task"]["state"] == "succeeded"
    assert cores_and_ram(tenant) == (0, 0)


def test_a_stuck_confirmation_is_failed_and_unlocked(resized, client_of_tenant, monkeypatch):
    from portal.servers import tasks

    monkeypatch.setattr(tasks.finish_resize, "apply_async", lambda *a, **k: SimpleNamespace(id=""))
    answer = finish(client_of_tenant, resized, "confirm")
    Task.objects.filter(pk=answer["task"]["task_id"]).update(deadline=timezone.now())
    assert fail_stuck_tasks() == 1
    resized.refresh_from_db()
    assert (resized.status, resized.locked) == ("resized", False)


def test_the_auto_setting_confirms_in_the_same_task(
    server, client_of_tenant, tenant, catalog, cloud
):
    cloud.options = {**cloud.options, "resize_confirm": "auto"}
    cloud.save(update_fields=["options"])
    answer = resize(client_of_tenant, server, catalog["flavors"]["m1.medium"])
    assert (answer["portal_state"], answer["flavor"]["flavor_name"]) == ("ready", "m1.medium")
