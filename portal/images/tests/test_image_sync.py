"""The image pull, against the simulator cloud."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.clouds import mirror
from portal.clouds.simulator.demo import seed_demo_cloud
from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.images import mark_uploaded
from portal.clouds.tasks import sync_on_schedule
from portal.clouds.tests.factories import CloudFactory
from portal.core.models import Task
from portal.core.tests.queries import writes_to
from portal.images import workflows
from portal.images.models import Image
from portal.images.tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(cloud):
    return seed_demo_cloud(cloud)["images"]


def add_image(driver, name, *, active=True, **options):
    info = driver.images.create_image(name, "qcow2", "bare", **options)
    if active:
        mark_uploaded(info.id, driver.cloud, size=1024, checksum="c0ffee")
    return info.id


def test_first_sync_mirrors_active_images(cloud, driver, demo):
    add_image(driver, "not uploaded yet", active=False)

    counts = workflows.sync_images(cloud, driver)

    assert (counts.read, counts.created, counts.updated, counts.missing) == (2, 2, 0, 0)
    ubuntu = Image.objects.get(backend_id=demo["ubuntu-24.04"])
    assert ubuntu.image_id == ubuntu.backend_id  # the cloud's id is the public id
    assert (ubuntu.name, ubuntu.status, ubuntu.disk_format, ubuntu.container_format) == (
        "ubuntu-24.04", "active", "qcow2", "bare",
    )  # fmt: skip
    assert (ubuntu.size, ubuntu.min_disk, ubuntu.min_ram) == (599_785_472, 3, 512)
    assert (ubuntu.os_type, ubuntu.os_distro, ubuntu.os_version) == ("linux", "ubuntu", "24.04")
    assert (ubuntu.origin, ubuntu.enabled, ubuntu.missing_since) == ("synced", True, None)
    assert ubuntu.owner
    assert not Image.objects.filter(name="not uploaded yet").exists()


def test_changed_images_are_updated_and_others_left_alone(cloud, driver, demo):
    workflows.sync_images(cloud, driver)
    cirros = Image.objects.get(backend_id=demo["cirros-0.6.2"])
    Image.objects.filter(pk=cirros.pk).update(enabled=False)  # the portal's own flag
    driver.images.update_image(demo["ubuntu-24.04"], name="Ubuntu 24.04 LTS", os_type="Linux")

    with CaptureQueriesContext(connection) as queries:
        counts = workflows.sync_images(cloud, driver)

    assert (counts.created, counts.updated, counts.missing) == (0, 1, 0)
    ubuntu = Image.objects.get(backend_id=demo["ubuntu-24.04"])
    assert (ubuntu.name, ubuntu.os_type) == ("Ubuntu 24.04 LTS", "Linux")
    assert not Image.objects.get(pk=cirros.pk).enabled  # a pull never touches the flag
    assert len(writes_to(queries, "images_image")) == 1  # one bulk UPDATE


def test_vanished_images_are_marked_missing_and_unmarked_when_they_return(cloud, driver, demo):
    workflows.sync_images(cloud, driver)
    cirros, ubuntu = demo["cirros-0.6.2"], demo["ubuntu-24.04"]
    driver.images.deactivate_image(cirros)  # no longer ACTIVE
    driver.images.delete_image(ubuntu)

    counts = workflows.sync_images(cloud, driver)

    assert counts.missing == 2
    assert Image.objects.filter(missing_since__isnull=False).count() == 2  # kept, marked

    driver.images.reactivate_image(cirros)
    counts = workflows.sync_images(cloud, driver)

    assert (counts.updated, counts.missing) == (1, 0)
    assert Image.objects.get(backend_id=cirros).missing_since is None
    assert Image.objects.get(backend_id=ubuntu).missing_since is not None


def test_a_second_unchanged_sync_writes_nothing(cloud, driver, demo):
    workflows.sync_images(cloud, driver)
    with CaptureQueriesContext(connection) as queries:
        counts = workflows.sync_images(cloud, driver)
    assert (counts.read, counts.created, counts.updated, counts.missing) == (2, 0, 0, 0)
    assert writes_to(queries, "images_image") == []


def test_queries_grow_with_pages_not_rows(cloud, driver, monkeypatch):
    monkeypatch.setattr(mirror, "PAGE_SIZE", 5)
    for n in range(10):
        add_image(driver, f"image {n}")

    with CaptureQueriesContext(connection) as queries:
        workflows.sync_images(cloud, driver)

    ours = [q for q in queries.captured_queries if '"images_image"' in q["sql"]]
    # Per page: look-up, id check, INSERT; then one look-up for what went missing.
    assert len(ours) == 2 * 3 + 1
    assert Image.objects.count() == 10


def test_an_uploaded_image_not_yet_active_is_not_marked_missing(cloud, driver, demo):
    upload = ImageFactory(cloud=cloud, origin="uploaded", status="saving", backend_id="glance-1")
    workflows.sync_images(cloud, driver)
    assert Image.objects.get(pk=upload.pk).missing_since is None


def test_an_id_held_by_another_clouds_image_gets_a_fresh_public_id(cloud, driver):
    backend_id = add_image(driver, "shared id")
    ImageFactory(cloud=CloudFactory(name="sim-2", region="region-two"), backend_id=backend_id)

    workflows.sync_images(cloud, driver)

    mirrored = Image.objects.get(cloud=cloud, backend_id=backend_id)
    assert mirrored.image_id != backend_id


# ---- as a Task ------------------------------------------------------------------------


def test_sync_job_records_its_task(cloud, demo, sync_now):
    task = sync_now("images.sync", cloud)
    assert (task.kind, task.state, task.progress) == ("images.sync", "succeeded", 100)
    assert task.message.startswith("2 read from the cloud: 2 new")
    assert Image.objects.count() == 2


def test_cloud_failure_fails_the_task_and_changes_nothing(cloud, driver, demo, sync_now):
    workflows.sync_images(cloud, driver)
    before = list(Image.objects.order_by("pk").values())
    driver.images.delete_image(demo["cirros-0.6.2"])
    inject_fault(cloud, "images.iter_images", mode="unavailable")

    task = sync_now("images.sync", cloud)

    assert (task.state, task.error_code) == (Task.State.FAILED, "unavailable")
    assert list(Image.objects.order_by("pk").values()) == before


def test_sync_now_through_the_api_runs_the_pull(
    cloud, demo, staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/api/v1/images/sync")
    assert response.status_code == 202
    task = Task.objects.get(pk=response.json()["task"]["task_id"])
    assert task.state == Task.State.SUCCEEDED
    assert staff_client.get("/api/v1/images").json()["count"] == 2


def test_beat_entry_point_queues_and_runs_a_sync(cloud, demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sync_on_schedule("images.sync", cloud.pk)
    task = Task.objects.get(kind="images.sync")
    assert (task.state, task.requested_by) == (Task.State.SUCCEEDED, "system:beat")
    assert Image.objects.count() == 2


def test_beat_entry_point_skips_a_disabled_cloud(cloud):
    cloud.enabled = False
    cloud.save()
    sync_on_schedule("images.sync", cloud.pk)
    assert not Task.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_sync_now_with_wait_answers_with_the_finished_task(cloud, demo, staff_client):
    # Committed for real here, so the (eager) job runs before the view waits on its Task.
    response = staff_client.post("/api/v1/images/sync?wait=5")
    assert response.status_code == 202
    task = response.json()["task"]
    assert (task["state"], task["progress"], task["error_code"]) == ("succeeded", 100, "")
    assert Image.objects.count() == 2
