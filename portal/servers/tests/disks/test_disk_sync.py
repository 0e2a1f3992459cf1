"""Servers' data disks are cloud disks, and the state sync mirrors the cloud's volumes
(changes only, in bulk), on the simulator."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.clouds.drivers import get_driver
from portal.clouds.simulator.testing import make_tenant
from portal.isos.tests.factories import IsoFactory
from portal.servers.cdrom.models import IsoMount
from portal.servers.disks.models import Volume
from portal.servers.disks.workflows.mirror import sync_volumes
from portal.servers.models import Server
from portal.servers.tests.disks.conftest import LIST, create_disk, disk_url, operate, usage
from portal.servers.workflows import state_sync

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


def sync(cloud, **options):
    return state_sync.sync_servers(cloud, get_driver(cloud), **options)


# ---- a server's data disks ---------------------------------------------------------------


@pytest.fixture
def created(client_of_tenant, create_body, identity):
    """A server made through the API with two data disks (10 and 20 GB)."""
    answer = client_of_tenant.post("/api/v1/instances?wait=30", create_body(), format="json")
    assert answer.status_code == 202, answer.content
    assert answer.json()["task"]["state"] == "succeeded", answer.json()["task"]
    return answer.json()


def listed(client):
    return client.get(LIST).json()["cloud_disks"]


def test_a_servers_data_disks_are_its_tenants_cloud_disks(client_of_tenant, created):
    disks = {disk["volume_id"]: disk for disk in listed(client_of_tenant)}

    assert {d["volume_id"] for d in created["data_disks"]} == set(disks)
    for disk in disks.values():
        assert (disk["volume_status"], disk["attach_instance_id"]) == (
            "in-use", created["instance_id"],
        )  # fmt: skip
        assert disk["attach_instance_device"].startswith("/dev/vd")
        assert disk["attached_time"]


def test_detaching_a_data_disk_keeps_it_in_the_list(client_of_tenant, created, tenant):
    server = Server.objects.get(instance_id=created["instance_id"])
    disk = created["data_disks"][0]

    answer = operate(client_of_tenant, disk, server, "detach")

    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert answer["volume_status"] == "available"
    assert disk["volume_id"] in {d["volume_id"] for d in listed(client_of_tenant)}
    assert len(client_of_tenant.get(f"/api/v1/instances/{server.instance_id}").json()[
        "data_disks"
    ]) == 1  # fmt: skip


def test_deleting_the_server_leaves_its_disks_and_their_quota(client_of_tenant, created, tenant):
    answer = client_of_tenant.delete(f"/api/v1/instances/{created['instance_id']}?wait=30")
    assert answer.json()["task"]["state"] == "succeeded", answer.json()["task"]

    disks = listed(client_of_tenant)

    assert sorted(d["cloud_disk_conf"]["size_in_g"] for d in disks) == [10, 20]
    assert {(d["volume_status"], d["attach_instance_id"]) for d in disks} == {("available", "")}
    assert usage(tenant) == (2, 30)  # the system disk went with the server
    gone = client_of_tenant.delete(f"{disk_url(disks[0])}?wait=30").json()
    assert gone["task"]["state"] == "succeeded", gone["task"]
    assert usage(tenant) == (1, disks[1]["cloud_disk_conf"]["size_in_g"])


# ---- the state sync ----------------------------------------------------------------------


@pytest.fixture
def disk(client_of_tenant, tenant_driver):
    return create_disk(client_of_tenant)


def test_a_volume_made_outside_the_portal_appears(client_of_tenant, tenant, cloud, tenant_driver):
    made = tenant_driver.volumes.create_volume("by-hand", 3, description="cli")

    counts = sync(cloud)

    assert counts.disks.created == 1
    [disk] = listed(client_of_tenant)
    assert (disk["cloud_volume_id"], disk["volume_name"], disk["volume_desc"]) == (
        made.id, "by-hand", "cli",
    )  # fmt: skip
    assert (disk["origin"], disk["volume_status"]) == ("discovered", "available")
    assert usage(tenant) == (1, 3)


def test_changes_outside_the_portal_are_mirrored_and_only_changes_are_written(
    client_of_tenant, tenant, cloud, tenant_driver, disk, server
):
    backend_id = disk["cloud_volume_id"]
    tenant_driver.volumes.extend_volume(backend_id, 14)
    tenant_driver.volumes.attach_volume(server.backend_id, backend_id)
    tenant_driver.volumes.update_volume(backend_id, name="renamed")

    assert sync(cloud).disks.updated == 1

    got = client_of_tenant.get(disk_url(disk)).json()
    assert (got["volume_name"], got["cloud_disk_conf"]["size_in_g"]) == ("renamed", 14)
    assert (got["volume_status"], got["attach_instance_id"]) == ("in-use", server.instance_id)
    assert usage(tenant) == (1, 14)
    assert sync(cloud).disks.updated == 0


def test_a_volume_deleted_outside_the_portal_is_marked_and_its_quota_released(
    client_of_tenant, tenant, cloud, tenant_driver, disk
):
    tenant_driver.volumes.delete_volume(disk["cloud_volume_id"])

    assert sync(cloud).disks.missing == 1

    assert listed(client_of_tenant) == []
    assert Volume.objects.get(volume_id=disk["volume_id"]).status == "deleted"
    assert usage(tenant) == (0, 0)


def test_what_is_not_a_tenants_disk_is_not_taken(client_of_tenant, tenant, cloud, tenant_driver,
                                                 server):  # fmt: skip
    other_project = get_driver(cloud, make_tenant(cloud, "nobody"))
    other_project.volumes.create_volume("not-a-tenant", 1)
    cd = tenant_driver.volumes.create_volume("cdrom-x", 1)
    IsoMount.objects.create(server=server, iso=IsoFactory(cloud=cloud), volume_id=cd.id)

    counts = sync(cloud)

    # Neither the CD volume, nor the server's system disk, nor another project's volume.
    assert counts.disks.created == 0
    assert listed(client_of_tenant) == []


def test_a_disk_being_operated_on_is_left_alone(client_of_tenant, cloud, tenant_driver, disk):
    tenant_driver.volumes.update_volume(disk["cloud_volume_id"], name="renamed")
    Volume.objects.filter(volume_id=disk["volume_id"]).update(locked=True)

    sync(cloud)

    assert Volume.objects.get(volume_id=disk["volume_id"]).name == "data-1"


def test_sync_queries_are_constant_per_page(tenant, cloud, tenant_driver):
    for number in range(45):
        tenant_driver.volumes.create_volume(f"v{number}", 1)
    sync_volumes(cloud, get_driver(cloud), page_size=20)
    for number in range(0, 45, 2):
        tenant_driver.volumes.update_volume(Volume.objects.all()[number].backend_id, name="new")

    with CaptureQueriesContext(connection) as queries:
        counts = sync_volumes(cloud, get_driver(cloud), page_size=20)

    # Per page: the simulator's own reads, the page's tenants, CD volumes, servers and rows,
    # then the bulk writes; then the deleted-row scan. Not per volume.
    portal = [q for q in queries.captured_queries if "clouds_simulated" not in q["sql"]]
    assert len(portal) <= 1 + 3 * 7, [q["sql"][:80] for q in portal]
    assert (counts.read, counts.updated) == (45, 23)
