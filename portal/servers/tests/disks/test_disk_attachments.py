"""Attaching cloud disks to servers and detaching them through the API, on the simulator
(Nova's volume attachments): the device reported back, and the refusals."""

import pytest

from portal.clouds.simulator.faults import inject_fault
from portal.servers.models import Server
from portal.servers.tests.disks.conftest import (
    disk_url,
    in_cloud,
    make_server,
    operate,
    post,
    row,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


# ---- attach and detach -------------------------------------------------------------------


def test_attach_then_detach(client_of_tenant, cloud, disk, server):
    attached = operate(client_of_tenant, disk, server, "attach")

    assert attached["task"]["state"] == "succeeded", attached["task"]
    assert (attached["volume_status"], attached["attach_instance_id"]) == (
        "in-use", server.instance_id,
    )  # fmt: skip
    assert attached["attach_instance_device"] == "/dev/vdb"
    assert in_cloud(cloud, disk).parent_id == server.backend_id
    server.refresh_from_db()
    assert not server.locked

    detached = operate(client_of_tenant, disk, server, "detach")

    assert detached["task"]["state"] == "succeeded", detached["task"]
    assert (detached["volume_status"], detached["attach_instance_id"]) == ("available", "")
    assert (detached["attach_instance_device"], detached["attached_time"]) == ("", None)
    assert in_cloud(cloud, disk).parent_id == ""


def test_a_disk_attached_elsewhere_is_a_conflict(client_of_tenant, tenant, cloud, disk, server,
                                                 tenant_driver):  # fmt: skip
    other = make_server(tenant, cloud, tenant_driver, name="other")
    operate(client_of_tenant, disk, server, "attach")

    answer = operate(client_of_tenant, disk, other, "attach", expect=409)
    assert answer["error"]["code"] == "attached_elsewhere"
    answer = operate(client_of_tenant, disk, other, "detach", expect=409)
    assert answer["error"]["code"] == "not_attached"


@pytest.mark.parametrize(("status", "runtime_state"), [("ready", "ERROR"), ("creating", "BUILD")])
def test_a_server_that_cannot_take_a_disk_is_a_conflict(client_of_tenant, disk, server, status,
                                                        runtime_state):  # fmt: skip
    Server.objects.filter(pk=server.pk).update(status=status, runtime_state=runtime_state)

    answer = operate(client_of_tenant, disk, server, "attach", expect=409)

    assert answer["error"]["code"] == "invalid_state"
    assert not row(disk).locked


def test_a_busy_server_is_a_conflict(client_of_tenant, disk, server):
    Server.objects.filter(pk=server.pk).update(locked=True)

    answer = operate(client_of_tenant, disk, server, "attach", expect=409)

    assert answer["error"]["code"] == "locked"
    assert not row(disk).locked


def test_an_unknown_server_is_a_bad_request(client_of_tenant, disk):
    body = {"instance_id": "no-such-server", "ops_type": "attach"}

    answer = post(client_of_tenant, disk_url(disk, "operate"), body, expect=400)

    assert "instance_id" in answer["error"]["fields"]


def test_cloud_refusing_the_attach_fails_the_task_and_unlocks_both(client_of_tenant, cloud, disk,
                                                                    server):  # fmt: skip
    inject_fault(cloud, "volumes.attach_volume", mode="conflict")

    answer = operate(client_of_tenant, disk, server, "attach")

    assert answer["task"]["state"] == "failed"
    assert (answer["volume_status"], answer["attach_instance_id"], answer["locked"]) == (
        "available", "", False,
    )  # fmt: skip
    server.refresh_from_db()
    assert not server.locked
