"""The servers' state sync, against the simulator cloud: changes only,
rows at rest only, servers deleted or made behind the portal's back, the quota they hold."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from portal.clouds.base import ServerInfo
from portal.clouds.drivers import get_driver
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.testing import boot_spec
from portal.clouds.tasks import sync_on_schedule
from portal.core.models import Task
from portal.core.tests.queries import writes_to
from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory, make_identity
from portal.servers.tests.test_instances import create
from portal.servers.workflows import state_sync
from portal.tenants import quotas
from portal.tenants.credentials import tenant_credentials
from portal.tenants.models import TenantQuota

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]
# The tables a servers' state sync may write to.
SERVER_TABLES = ("servers_server", "servers_quotareservation", "servers_volume")


@pytest.fixture
def admin(cloud):
    return SimulatorDriver(cloud)


@pytest.fixture
def created(identity, client_of_tenant, create_body):
    answer = create(client_of_tenant, create_body())
    return Server.objects.get(instance_id=answer["instance_id"])


def sync(cloud, **options):
    return state_sync.sync_servers(cloud, get_driver(cloud), **options)


def test_runtime_state_changed_in_the_cloud_is_written(cloud, admin, created):
    admin.compute.stop_server(created.backend_id)
    admin.compute.lock_server(created.backend_id)

    counts = sync(cloud)

    created.refresh_from_db()
    assert (counts.read, counts.created, counts.updated, counts.missing) == (1, 0, 1, 0)
    assert (created.runtime_state, created.power_state) == ("SHUTOFF", "shutdown")
    assert created.cloud_locked is True
    assert created.status == Server.Status.READY


def test_an_unchanged_sync_writes_no_row(cloud, created):
    sync(cloud)
    with CaptureQueriesContext(connection) as queries:
        counts = sync(cloud)
    assert (counts.read, counts.created, counts.updated, counts.missing) == (1, 0, 0, 0)
    assert writes_to(queries, *SERVER_TABLES) == []


def test_rows_in_the_middle_of_an_operation_are_left_alone(cloud, admin, created):
    Server.objects.filter(pk=created.pk).update(locked=True)
    admin.compute.stop_server(created.backend_id)
    admin.compute.delete_server(created.backend_id)  # not even its deletion is marked

    counts = sync(cloud)

    created.refresh_from_db()
    assert (created.runtime_state, created.status) == ("ACTIVE", Server.Status.READY)
    assert (counts.updated, counts.missing) == (0, 0)


def test_a_server_deleted_behind_the_portals_back_is_marked_and_its_quota_released(
    cloud, admin, created, tenant
):
    volumes = list(created.data_volumes.all())
    admin.compute.delete_server(created.backend_id)

    counts = sync(cloud)

    created.refresh_from_db()
    assert counts.missing == 1
    assert created.status == Server.Status.DELETED
    assert "outside the portal" in created.status_message
    assert created.addresses == {}
    # The instance, its cores, RAM and boot volume are given back; the data disks, which
    # the cloud keeps, still count, detached.
    assert quotas.usage_of(tenant) == {
        **dict.fromkeys(TenantQuota.RESOURCES, 0),
        "instances": 0, "cores": 0, "ram": 0, "volumes": 2, "gigabytes": 30,
    }  # fmt: skip
    assert {(v.server_id, v.device) for v in created.data_volumes.model.objects.filter(
        pk__in=[v.pk for v in volumes])} == {(None, "")}  # fmt: skip
    assert sync(cloud).missing == 0  # once


def test_a_row_changed_during_the_sync_is_not_marked_deleted(cloud, created):
    """A server the listing did not have, but whose row moved since the sync began (an
    operation ended, a create finished) is left for the next sync."""
    mirror = state_sync.ServerMirror(cloud)  # began now; its listing will be empty
    Server.objects.filter(pk=created.pk).update(locked=False, updated=timezone.now())
    assert mirror.mark_deleted() == 0
    created.refresh_from_db()
    assert created.status == Server.Status.READY


def test_servers_made_outside_the_portal_in_a_tenants_project_are_discovered(
    cloud, catalog, identity, tenant, other_tenant
):
    own = get_driver(cloud, tenant_credentials(identity))
    made = own.compute.create_server(boot_spec(cloud, name="by-hand", flavor="m1.medium"))
    SimulatorDriver(cloud).compute.create_server(boot_spec(cloud, name="the-clouds-own"))

    counts = sync(cloud)

    assert (counts.read, counts.created) == (2, 1)
    server = Server.objects.get(backend_id=made.id)
    flavor = catalog["flavor_rows"]["m1.medium"]
    assert (server.tenant, server.origin, server.status, server.name) == (
        tenant, Server.Origin.DISCOVERED, Server.Status.READY, "by-hand",
    )  # fmt: skip
    assert (server.flavor, server.vcpus, server.ram) == (flavor, flavor.vcpus, flavor.ram)
    assert server.runtime_state == "ACTIVE"
    # When and on which network the cloud made it, not when the sync found it.
    assert server.created == made.created_at
    assert server.network_id == catalog["network_id"]
    usage = quotas.usage_of(tenant)
    assert (usage["instances"], usage["cores"], usage["ram"]) == (1, flavor.vcpus, flavor.ram)
    assert quotas.usage_of(other_tenant)["instances"] == 0
    assert sync(cloud).created == 0  # once


def test_a_discovered_server_deleted_later_gives_its_quota_back(cloud, catalog, identity, tenant):
    own = get_driver(cloud, tenant_credentials(identity))
    made = own.compute.create_server(boot_spec(cloud, name="by-hand"))
    sync(cloud)
    own.compute.delete_server(made.id)
    sync(cloud)
    assert quotas.usage_of(tenant)["instances"] == 0


def test_a_portal_server_its_create_job_has_not_recorded_is_not_discovered(
    cloud, catalog, identity, tenant
):
    """The create job died between asking the cloud and recording the id: the metadata
    names the portal's row, which its redelivered job completes."""
    row = ServerFactory(cloud=cloud, tenant=tenant, backend_id=None, locked=True,
                        status=Server.Status.CREATING)  # fmt: skip
    own = get_driver(cloud, tenant_credentials(identity))
    own.compute.create_server(
        boot_spec(cloud, name="half-made", metadata={"portal_instance_id": row.instance_id})
    )
    assert sync(cloud).created == 0
    assert Server.objects.count() == 1


def test_a_resize_behind_the_portals_back_moves_the_quota(cloud, catalog, admin, created, tenant):
    large = catalog["flavor_rows"]["m1.large"]
    admin.compute.stop_server(created.backend_id)
    admin.compute.get_server(created.backend_id)
    admin.compute.resize_server(created.backend_id, large.backend_id)
    admin.compute.get_server(created.backend_id)
    admin.compute.confirm_resize(created.backend_id)
    assert admin.compute.get_server(created.backend_id).flavor_id == large.backend_id

    sync(cloud)

    created.refresh_from_db()
    assert (created.flavor, created.vcpus, created.ram) == (large, large.vcpus, large.ram)
    usage = quotas.usage_of(tenant)
    assert (usage["cores"], usage["ram"]) == (large.vcpus, large.ram)


# ---- queries: constant per page ------------------------------------------------------


class FakeCompute:
    def __init__(self, infos):
        self.infos = infos

    def iter_servers(self, project_id=None, page_size=200):
        yield from self.infos


class FakeVolumes:
    def __init__(self, infos):
        self.infos = infos

    def iter_volumes(self, page_size=200):
        yield from self.infos


class FakeDriver:
    def __init__(self, infos, volumes=()):
        self.compute = FakeCompute(infos)
        self.volumes = FakeVolumes(list(volumes))


def cloud_infos(servers, status):
    return [
        ServerInfo(id=s.backend_id, name=s.name, status=status, flavor_id="", project_id="p-1",
                   power_state="shutdown", addresses={"net": ["10.0.0.9"]})
        for s in servers
    ]  # fmt: skip


@pytest.mark.parametrize("count", [20, 60])
def test_queries_per_page_are_constant(cloud, tenant, count):
    identity = make_identity(tenant, cloud)
    identity.project_id = "p-1"
    identity.save()
    servers = ServerFactory.create_batch(count, cloud=cloud, tenant=tenant)
    new = cloud_infos(ServerFactory.build_batch(5), "ACTIVE")
    for info in new:
        Server.objects.filter(backend_id=info.id).delete()
    driver = FakeDriver(cloud_infos(servers, "SHUTOFF") + new)

    with CaptureQueriesContext(connection) as queries:
        counts = state_sync.sync_servers(cloud, driver, page_size=20)

    pages = -(-(count + 5) // 20)
    # Per page: tenants of its projects, unrecorded portal servers, its rows, then the
    # writes (bulk, in a transaction); then the deleted-row scans (servers, volumes).
    # Not per server.
    assert len(queries) <= 4 + pages * 6, [q["sql"][:80] for q in queries.captured_queries]
    assert (counts.updated, counts.created) == (count, 5)
    assert set(Server.objects.filter(cloud=cloud).values_list("runtime_state", flat=True)) == {
        "SHUTOFF",
        "ACTIVE",
    }


# ---- the job, the API, the admin, beat ----------------------------------------------


def test_cloud_down_fails_the_task_and_changes_nothing(cloud, admin, created, platform_client):
    admin.compute.stop_server(created.backend_id)
    inject_fault(cloud, "compute.iter_servers", mode="unavailable")

    answer = platform_client.post("/api/v1/instances/sync", {}, format="json")

    assert answer.status_code == 202
    task = Task.objects.get(kind="servers.sync")
    assert (task.state, task.error_code) == (Task.State.FAILED, "unavailable")
    created.refresh_from_db()
    assert created.runtime_state == "ACTIVE"


def test_sync_now_through_the_api(cloud, admin, created, platform_client):
    admin.compute.stop_server(created.backend_id)
    answer = platform_client.post("/api/v1/instances/sync", {"region": "region-one"})
    assert answer.status_code == 202, answer.content
    assert answer.json()["region"] == "region-one"
    assert Task.objects.get(kind="servers.sync").state == Task.State.SUCCEEDED
    created.refresh_from_db()
    assert created.runtime_state == "SHUTOFF"


def test_tenants_may_not_sync(cloud, client_of_tenant):
    answer = client_of_tenant.post("/api/v1/instances/sync", {})
    assert answer.status_code == 403
    assert not Task.objects.filter(kind="servers.sync").exists()


def test_sync_now_admin_action(cloud, admin, created, client, staff_user):
    client.force_login(staff_user)
    admin.compute.stop_server(created.backend_id)
    response = client.post(
        "/admin/servers/server/",
        {"action": "sync_now", "_selected_action": [created.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Task.objects.get(kind="servers.sync").state == Task.State.SUCCEEDED
    created.refresh_from_db()
    assert created.runtime_state == "SHUTOFF"


def test_every_cloud_has_a_beat_entry_that_runs_the_sync(cloud, created):
    entry = PeriodicTask.objects.get(name=f"Sync servers of {cloud.name}")
    assert entry.enabled
    sync_on_schedule(*json.loads(entry.args))
    assert Task.objects.get(kind="servers.sync").state == Task.State.SUCCEEDED
    assert quotas.held_by(created).exists()
