"""Jobs the broker delivered again after their worker died: each carries on from what
the first attempt did in the cloud, instead of failing on the state it left."""

from types import SimpleNamespace

import pytest

from portal.clouds.simulator.driver import SimulatorDriver
from portal.core.models import Task
from portal.servers import tasks
from portal.servers.models import Server
from portal.servers.tests.test_instance_actions import operate, resize
from portal.servers.tests.test_step_faults import assert_true_and_settled, cloud_calls, server

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

__all__ = ["cloud_calls", "server"]  # fixtures of the step-fault tests, used here too


@pytest.fixture
def queued_only(monkeypatch):
    """`queued_only(job)`: requests queue `job` without running it (the first attempt is
    played by the test)."""

    def hold(job):
        monkeypatch.setattr(job, "apply_async", lambda *a, **k: SimpleNamespace(id=""))

    return hold


def redeliver(server):
    """The Task as the dead worker left it: running, its lease run out."""
    Task.objects.filter(pk=server.current_task_id).update(state=Task.State.RUNNING)
    return str(server.current_task_id)


def test_a_redelivered_resize_carries_on_where_the_dead_worker_stopped(
    server, tenant, identity, client_of_tenant, catalog, cloud, cloud_calls, queued_only
):
    queued_only(tasks.resize_server)
    resize(client_of_tenant, server, catalog["flavors"]["m1.medium"])
    server.refresh_from_db()
    # The first worker stopped and resized the server, then died before confirming.
    compute = SimulatorDriver(cloud).compute
    compute.stop_server(server.backend_id)
    compute.resize_server(server.backend_id, catalog["flavors"]["m1.medium"])
    assert compute.get_server(server.backend_id).status == "VERIFY_RESIZE"
    Server.objects.filter(pk=server.pk).update(resize_restores="ACTIVE")
    task_id = redeliver(server)
    cloud_calls.clear()

    tasks.resize_server(task_id, catalog["flavor_rows"]["m1.medium"].pk)

    assert Task.objects.get(pk=server.current_task_id).state == Task.State.SUCCEEDED
    assert "compute.resize_server" not in cloud_calls
    assert_true_and_settled(server, tenant, identity, cloud)
    assert (server.runtime_state, server.flavor_name) == ("ACTIVE", "m1.medium")


def test_a_redelivered_stop_finds_the_server_stopped(
    server, tenant, identity, client_of_tenant, cloud, queued_only
):
    queued_only(tasks.operate_server)
    operate(client_of_tenant, server, "stop")
    server.refresh_from_db()
    SimulatorDriver(cloud).compute.stop_server(server.backend_id)  # the first attempt

    tasks.operate_server(redeliver(server), "stop")

    assert Task.objects.get(pk=server.current_task_id).state == Task.State.SUCCEEDED
    assert_true_and_settled(server, tenant, identity, cloud)
    assert (server.status, server.runtime_state) == (Server.Status.READY, "SHUTOFF")


def test_a_resize_after_an_abandoned_one_keeps_the_power_state_the_server_has_now(
    server, tenant, identity, client_of_tenant, catalog, cloud
):
    operate(client_of_tenant, server, "stop")
    # An abandoned resize's job had recorded the server running.
    Server.objects.filter(pk=server.pk).update(resize_restores="ACTIVE")

    answer = resize(client_of_tenant, server, catalog["flavors"]["m1.medium"])

    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert_true_and_settled(server, tenant, identity, cloud)
    assert (server.runtime_state, server.flavor_name) == ("SHUTOFF", "m1.medium")
