"""What a failed create left in the cloud (its cleanup failed, or its worker died) is found
by the state sync and removed by a "server.cleanup" Task, against the simulator cloud."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.clouds.drivers import get_driver
from portal.clouds.errors import CloudNotFound
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.core.models import Task
from portal.core.services import fail_stuck_tasks
from portal.core.tests.queries import writes_to
from portal.servers import tasks
from portal.servers.disks.models import Volume
from portal.servers.locking import CLEANUP_KIND
from portal.servers.models import Server
from portal.servers.tests.test_instances import create, detail
from portal.servers.tests.test_state_sync import SERVER_TABLES
from portal.servers.workflows import state_sync
from portal.servers.workflows.create import _spec
from portal.tenants import quotas
from portal.tenants.credentials import tenant_credentials
from portal.tenants.models import QuotaReservation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


def sync(cloud):
    return state_sync.sync_servers(cloud, get_driver(cloud))


def cleanups():
    return Task.objects.filter(kind=CLEANUP_KIND)


def cloud_servers(cloud):
    return list(SimulatorDriver(cloud).compute.iter_servers())


def cloud_volume_ids(cloud):
    return {volume.id for volume in SimulatorDriver(cloud).volumes.list_volumes()}


@pytest.fixture
def left_over(identity, client_of_tenant, create_body, cloud):
    """A create that failed at attaching a data disk and whose cleanup failed too (the
    cloud was down): the server, its boot volume and both data disks stay in the cloud."""
    inject_fault(cloud, "volumes.attach_volume", mode="conflict")
    inject_fault(cloud, "volumes.delete_volume", mode="unavailable", times=2)
    inject_fault(cloud, "compute.delete_server", mode="unavailable")
    answer = create(client_of_tenant, create_body())
    assert answer["task"]["state"] == "failed"
    server = Server.objects.get(instance_id=answer["instance_id"])
    assert server.status == Server.Status.FAILED
    assert len(cloud_servers(cloud)) == 1
    assert len(cloud_volume_ids(cloud)) == 3
    return server


def test_the_sync_removes_what_a_failed_cleanup_left(cloud, left_over, tenant):
    counts = sync(cloud)

    assert counts.cleanups == 1
    assert "1 failed create(s)" in str(counts)
    task = cleanups().get()
    assert (task.state, task.target_id, task.tenant) == (
        Task.State.SUCCEEDED, left_over.instance_id, tenant,
    )  # fmt: skip
    assert task.requested_by == "system:state-sync"
    assert cloud_servers(cloud) == []
    assert cloud_volume_ids(cloud) == set()  # the data disks and the boot volume
    left_over.refresh_from_db()
    assert (left_over.status, left_over.locked) == (Server.Status.FAILED, False)
    assert "found by the state sync and removed" in left_over.status_message
    assert (left_over.runtime_state, left_over.addresses) == ("DELETED", {})
    assert left_over.current_task == task
    assert set(left_over.data_volumes.values_list("status", flat=True)) == {Volume.DELETED}
    # The portal held nothing for the leftover, and holds nothing after it.
    assert quotas.usage_of(tenant)["instances"] == 0
    assert quotas.usage_of(tenant)["gigabytes"] == 0


def test_an_unchanged_second_sync_queues_nothing_and_writes_nothing(cloud, left_over):
    sync(cloud)
    with CaptureQueriesContext(connection) as queries:
        counts = sync(cloud)
    assert (counts.read, counts.updated, counts.cleanups) == (0, 0, 0)
    assert writes_to(queries, *SERVER_TABLES) == []
    assert cleanups().count() == 1


def test_a_leftover_is_mirrored_onto_its_failed_row(cloud, left_over):
    """An administrator sees what is left; its flavor and quota are not touched."""
    mirror = state_sync.ServerMirror(cloud)
    mirror.upsert_servers(cloud_servers(cloud))
    left_over.refresh_from_db()
    assert (left_over.runtime_state, left_over.power_state) == ("ACTIVE", "running")
    assert left_over.addresses
    assert left_over.status == Server.Status.FAILED
    assert mirror.leftovers == {left_over.pk}
    assert not quotas.held_by(left_over).filter(state__in=QuotaReservation.HOLDING).exists()


def test_a_failed_cleanup_fails_its_task_keeps_the_row_and_the_next_sync_retries(cloud, left_over):
    inject_fault(cloud, "compute.delete_server", mode="unavailable")

    assert sync(cloud).cleanups == 1

    task = cleanups().get()
    assert (task.state, task.error_code) == (Task.State.FAILED, "unavailable")
    assert "the next state sync tries again" in task.message
    left_over.refresh_from_db()
    assert (left_over.status, left_over.locked) == (Server.Status.FAILED, False)
    assert len(cloud_servers(cloud)) == 1
    # The data disks went before the server failed to: recorded, not tried again.
    assert set(left_over.data_volumes.values_list("status", flat=True)) == {Volume.DELETED}

    assert sync(cloud).cleanups == 1
    assert list(cleanups().values_list("state", flat=True).order_by("created")) == [
        Task.State.FAILED, Task.State.SUCCEEDED,
    ]  # fmt: skip
    assert cloud_servers(cloud) == []


@pytest.fixture
def left_by_a_dead_worker(identity, client_of_tenant, create_body, cloud, monkeypatch):
    """The create job asked for the server and a data disk, attached it, and died before
    recording the server; the stuck-task janitor failed the row."""
    monkeypatch.setattr(tasks.create_server, "apply_async", lambda *a, **k: SimpleNamespace(id=""))
    answer = create(client_of_tenant, create_body(data_disks=[{"size_in_g": 10}]))
    server = Server.objects.get(instance_id=answer["instance_id"])
    own = get_driver(cloud, tenant_credentials(identity))
    made = own.compute.create_server(_spec(server))
    disk = own.volumes.create_volume("web-1-data-1", 10)
    Volume.objects.filter(server=server).update(backend_id=disk.id)
    own.compute.get_server(made.id)  # built
    own.volumes.attach_volume(made.id, disk.id)
    Server.objects.filter(pk=server.pk).update(create_requested=timezone.now())
    Task.objects.filter(pk=server.current_task_id).update(deadline=timezone.now())
    assert fail_stuck_tasks() == 1
    server.refresh_from_db()
    assert (server.status, server.backend_id, server.locked) == (Server.Status.FAILED, None, False)
    return SimpleNamespace(row=server, server_id=made.id, disk_id=disk.id, driver=own)


def test_a_server_left_by_a_dead_worker_is_found_by_its_metadata_and_removed(
    cloud, left_by_a_dead_worker
):
    left = left_by_a_dead_worker

    counts = sync(cloud)

    assert (counts.created, counts.cleanups) == (0, 1)  # not discovered: a leftover
    left.row.refresh_from_db()
    assert left.row.backend_id == left.server_id
    assert cleanups().get().state == Task.State.SUCCEEDED
    assert cloud_servers(cloud) == []
    with pytest.raises(CloudNotFound):
        left.driver.volumes.get_volume(left.disk_id)  # detached first, then deleted
    assert Server.objects.count() == 1


def test_a_clean_failure_leaves_nothing_for_the_sync(
    identity, client_of_tenant, create_body, cloud
):
    """The create's own cleanup records the disks it deleted: the sync has nothing to do."""
    inject_fault(cloud, "volumes.attach_volume", mode="conflict")
    answer = create(client_of_tenant, create_body())
    server = Server.objects.get(instance_id=answer["instance_id"])
    assert set(server.data_volumes.values_list("status", flat=True)) == {Volume.DELETED}

    with CaptureQueriesContext(connection) as queries:
        counts = sync(cloud)

    assert counts.cleanups == 0
    assert not cleanups().exists()
    assert writes_to(queries, *SERVER_TABLES) == []


def test_rows_locked_or_changed_since_the_sync_began_are_left_for_the_next_sync(cloud, left_over):
    mirror = state_sync.ServerMirror(cloud)
    Server.objects.filter(pk=left_over.pk).update(updated=timezone.now())  # after it began
    mirror.upsert_servers(cloud_servers(cloud))
    assert mirror.queue_cleanups() == 0

    Server.objects.filter(pk=left_over.pk).update(locked=True)
    assert sync(cloud).cleanups == 0
    assert not cleanups().exists()
    left_over.refresh_from_db()
    assert left_over.runtime_state == ""  # not mirrored either


def test_a_creating_row_is_not_cleaned_up(cloud, left_over):
    """A create in flight holds its disks: only failed rows have leftovers."""
    Server.objects.filter(pk=left_over.pk).update(status=Server.Status.CREATING)
    assert sync(cloud).cleanups == 0
    assert len(cloud_servers(cloud)) == 1


def test_a_stuck_cleanup_is_failed_and_unlocks_the_row(cloud, left_over, monkeypatch):
    monkeypatch.setattr(
        tasks.remove_leftovers, "apply_async", lambda *a, **k: SimpleNamespace(id="")
    )
    sync(cloud)
    left_over.refresh_from_db()
    assert left_over.locked
    assert sync(cloud).cleanups == 0  # one at a time
    Task.objects.filter(kind=CLEANUP_KIND).update(deadline=timezone.now())
    assert fail_stuck_tasks() == 1
    left_over.refresh_from_db()
    assert (left_over.status, left_over.locked) == (Server.Status.FAILED, False)


# ---- a failed row deleted by its tenant ---------------------------------------------


def delete(client, server):
    answer = client.delete(detail(server.instance_id))
    assert answer.status_code == 202, answer.content
    server.refresh_from_db()
    return answer.json()["task"]


def test_deleting_a_failed_row_removes_what_its_create_left(cloud, left_over, client_of_tenant):
    """Its data disks too: the tenant was never given them (a ready server's are kept)."""
    assert delete(client_of_tenant, left_over)["state"] == "succeeded"
    assert left_over.status == Server.Status.DELETED
    assert cloud_servers(cloud) == []
    assert cloud_volume_ids(cloud) == set()
    assert set(Volume.objects.values_list("status", flat=True)) == {Volume.DELETED}
    assert sync(cloud).cleanups == 0


def test_deleting_a_row_left_by_a_dead_worker_finds_its_server_by_metadata(
    cloud, left_by_a_dead_worker, client_of_tenant
):
    left = left_by_a_dead_worker
    assert delete(client_of_tenant, left.row)["state"] == "succeeded"
    assert left.row.status == Server.Status.DELETED
    assert cloud_servers(cloud) == []
    assert cloud_volume_ids(cloud) == set()


@pytest.mark.parametrize("synced_first", [True, False])
def test_deleting_a_failed_row_with_nothing_left(cloud, left_over, client_of_tenant, synced_first):
    """After its cleanup, or after a create that cleaned up after itself: the disks it
    deleted are not looked for (detaching one would fail the deletion)."""
    if synced_first:
        sync(cloud)
    else:  # as if the create's own cleanup had worked
        for info in cloud_servers(cloud):
            SimulatorDriver(cloud).compute.delete_server(info.id)
        left_over.data_volumes.update(status=Volume.DELETED)
    assert delete(client_of_tenant, left_over)["state"] == "succeeded"
    assert left_over.status == Server.Status.DELETED


def test_a_failed_deletion_of_a_failed_row_leaves_it_failed(cloud, left_over, client_of_tenant):
    inject_fault(cloud, "compute.delete_server", mode="unavailable")
    task = delete(client_of_tenant, left_over)
    assert (task["state"], task["error_code"]) == ("failed", "unavailable")
    assert (left_over.status, left_over.locked) == (Server.Status.FAILED, False)
    assert sync(cloud).cleanups == 1  # what remains is the sync's again
    assert cloud_servers(cloud) == []


def test_the_cleanup_is_in_the_servers_task_history_of_its_tenant_only(
    cloud, left_over, client_of_tenant, client_of_other_tenant
):
    sync(cloud)
    url = detail(left_over.instance_id, "tasks")
    answer = client_of_tenant.get(url)
    assert answer.status_code == 200
    assert CLEANUP_KIND in [task["kind"] for task in answer.json()["tasks"]]
    assert client_of_other_tenant.get(url).status_code == 404
