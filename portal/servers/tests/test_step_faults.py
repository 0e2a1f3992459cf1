"""A fault at each step of create, resize, delete and the ISO mount: the server ends
unlocked, in a true state (what the cloud holds), and the tenant's quota usage equals
what the cloud holds. Each flow's list of steps is checked against the cloud calls a
successful run makes, so a step added later cannot go untested."""

import pytest

from portal.clouds.simulator import service
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.core.models import Task
from portal.servers.cdrom.models import IsoMount
from portal.servers.models import Server
from portal.servers.tests.cdrom.conftest import cloud_volumes, ftp_server, ftpd, iso
from portal.servers.tests.cdrom.test_mounts import mount
from portal.servers.tests.factories import server_usages
from portal.servers.tests.test_instance_actions import resize
from portal.servers.tests.test_instances import create, detail

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

__all__ = ["ftp_server", "ftpd", "iso"]  # the CD drive tests' fixtures, used here too

# The cloud calls of each flow, in the order a successful run makes them.
CREATE_STEPS = [
    "compute.create_server",
    "volumes.create_volume",
    "compute.get_server",
    "volumes.get_volume",
    "volumes.attach_volume",
]
RESIZE_STEPS = [
    "compute.get_server",
    "compute.stop_server",
    "compute.resize_server",
    "compute.confirm_resize",
    "compute.start_server",
]
DELETE_STEPS = [
    "volumes.detach_volume",
    "volumes.get_volume",
    "compute.delete_server",
    "compute.get_server",
]
MOUNT_STEPS = [
    "images.create_image",
    "images.upload_image_data",
    "volumes.create_volume",
    "volumes.get_volume",
    "volumes.attach_volume",
]


@pytest.fixture
def server(identity, client_of_tenant, create_body):
    answer = create(client_of_tenant, create_body(data_disks=[{"size_in_g": 10}]))
    assert answer["task"]["state"] == "succeeded", answer["task"]
    return Server.objects.get(instance_id=answer["instance_id"])


@pytest.fixture
def cloud_calls(monkeypatch):
    """The driver operations called from now on, in order (the simulator's fault check
    sees every one)."""
    calls = []
    check = service.raise_injected_fault

    def record(cloud, operation):
        calls.append(operation)
        check(cloud, operation)

    monkeypatch.setattr(service, "raise_injected_fault", record)
    return calls


def assert_true_and_settled(server, tenant, identity, cloud):
    """Unlocked, no operation pending, the row showing what the cloud holds, the quota
    usage equal to the cloud's."""
    server.refresh_from_db()
    assert not server.locked
    assert server.status in (Server.Status.READY, Server.Status.FAILED, Server.Status.DELETED)
    held = {info.id: info for info in SimulatorDriver(cloud).compute.iter_servers()}
    if server.status == Server.Status.READY:
        info = held[server.backend_id]
        assert (server.runtime_state, server.flavor_ref) == (info.status, info.flavor_id)
        assert not info.task_state
    else:
        assert server.backend_id not in held
    portal_usage, cloud_usage = server_usages(tenant, cloud, identity.project_id)
    assert portal_usage == cloud_usage
    assert not Task.objects.filter(state__in=[Task.State.QUEUED, Task.State.RUNNING]).exists()


def unique(calls):
    return list(dict.fromkeys(calls))


# ---- create ------------------------------------------------------------------------------


def test_the_create_steps_are_every_call_of_a_create(
    identity, client_of_tenant, create_body, cloud_calls
):
    create(client_of_tenant, create_body(data_disks=[{"size_in_g": 10}]))
    assert unique(cloud_calls) == CREATE_STEPS


@pytest.mark.parametrize("step", CREATE_STEPS)
def test_a_fault_at_each_create_step(tenant, identity, client_of_tenant, create_body, cloud, step):
    inject_fault(cloud, step, mode="unavailable")
    answer = create(client_of_tenant, create_body(data_disks=[{"size_in_g": 10}]))
    assert answer["task"]["state"] == "failed"
    server = Server.objects.get(instance_id=answer["instance_id"])
    assert server.status == Server.Status.FAILED
    assert_true_and_settled(server, tenant, identity, cloud)


# ---- resize ------------------------------------------------------------------------------


def test_the_resize_steps_are_every_call_of_a_resize(
    server, client_of_tenant, catalog, cloud_calls
):
    resize(client_of_tenant, server, catalog["flavors"]["m1.medium"])
    assert unique(cloud_calls) == RESIZE_STEPS


@pytest.mark.parametrize("step", RESIZE_STEPS)
def test_a_fault_at_each_resize_step(
    server, tenant, identity, client_of_tenant, catalog, cloud, step
):
    inject_fault(cloud, step, mode="unavailable")
    answer = resize(client_of_tenant, server, catalog["flavors"]["m1.medium"])
    assert answer["task"]["state"] == "failed"
    assert_true_and_settled(server, tenant, identity, cloud)
    assert server.status == Server.Status.READY
    assert server.runtime_state == "ACTIVE"  # the power state is restored
    # After the confirmation the server has the new flavor, before it the old one.
    confirmed = RESIZE_STEPS.index(step) > RESIZE_STEPS.index("compute.confirm_resize")
    assert server.flavor_name == ("m1.medium" if confirmed else "m1.small")


# ---- delete ------------------------------------------------------------------------------


def delete(client, server):
    answer = client.delete(detail(server.instance_id))
    assert answer.status_code == 202, answer.content
    return answer.json()


def test_the_delete_steps_are_every_call_of_a_delete(server, client_of_tenant, cloud_calls):
    delete(client_of_tenant, server)
    assert unique(cloud_calls) == DELETE_STEPS


@pytest.mark.parametrize("step", DELETE_STEPS)
def test_a_fault_at_each_delete_step(server, tenant, identity, client_of_tenant, cloud, step):
    inject_fault(cloud, step, mode="unavailable")
    answer = delete(client_of_tenant, server)
    assert_true_and_settled(server, tenant, identity, cloud)
    # Once the cloud took the deletion, a failure while it is waited for changes nothing.
    taken = DELETE_STEPS.index(step) > DELETE_STEPS.index("compute.delete_server")
    assert answer["task"]["state"] == ("succeeded" if taken else "failed")
    assert server.status == (Server.Status.DELETED if taken else Server.Status.READY)


# ---- the ISO mount -----------------------------------------------------------------------


def test_the_mount_steps_are_every_call_of_a_mount(server, client_of_tenant, iso, cloud_calls):
    mount(client_of_tenant, server, iso)
    assert unique(cloud_calls) == MOUNT_STEPS


@pytest.mark.parametrize("step", MOUNT_STEPS)
def test_a_fault_at_each_mount_step(server, tenant, identity, client_of_tenant, iso, cloud, step):
    inject_fault(cloud, step, mode="unavailable")
    answer = mount(client_of_tenant, server, iso)
    assert answer["task"]["state"] == "failed"
    assert IsoMount.objects.get(server=server).status == IsoMount.Status.FAILED
    assert not cloud_volumes(cloud).exists()
    assert_true_and_settled(server, tenant, identity, cloud)
    assert server.status == Server.Status.READY
