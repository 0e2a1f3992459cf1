"""Flavor and image sync against the real Nova and Glance (scripts/openstack-lite), with a
real Celery worker. Run with `pytest -m openstack`.

The stack is shared: other tests may add or remove flavors and images meanwhile, so the
assertions look only at this run's own objects (named `<RUN>-...`).
"""

import pytest

from portal.clouds.sync import request_sync
from portal.clouds.tests.openstack.fixtures import IMAGE_SIZE, RUN
from portal.core.models import Task
from portal.core.services import wait_for_task
from portal.images.models import Image
from portal.servers.models import Flavor

pytestmark = [pytest.mark.openstack, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60


def synced(kind, cloud):
    """Run one sync of `kind` through the worker and wait for it; the Task must succeed."""
    _cloud, task = request_sync(kind, cloud=cloud)
    task = wait_for_task(task, WAIT_SECONDS)
    assert task.state == Task.State.SUCCEEDED, (task.state, task.message)
    return task


def writes_of(rows):
    return {row.backend_id: (row.synced_at, row.updated) for row in rows}


def test_flavor_sync_mirrors_marks_missing_and_skips_unchanged_rows(
    openstack_db_cloud, openstack_admin, openstack_flavors, celery_worker, openstack_cleanup
):
    compute = openstack_admin.compute
    doomed = compute.create_flavor(f"{RUN}-doomed", 1, 64, 1)
    openstack_cleanup.add(compute.delete_flavor, doomed.id)

    synced("flavors.sync", openstack_db_cloud)

    ours = Flavor.objects.filter(cloud=openstack_db_cloud, name__startswith=f"{RUN}-")
    rows = {row.backend_id: row for row in ours}
    for info in [*openstack_flavors.values(), doomed]:
        row = rows[info.id]
        fields = (row.name, row.vcpus, row.ram, row.disk, row.is_public, row.is_missing)
        assert fields == (info.name, info.vcpus, info.ram, info.disk, True, False)

    compute.delete_flavor(doomed.id)
    synced("flavors.sync", openstack_db_cloud)

    assert Flavor.objects.get(cloud=openstack_db_cloud, backend_id=doomed.id).is_missing
    kept = ours.exclude(backend_id=doomed.id)
    before = writes_of(kept)

    synced("flavors.sync", openstack_db_cloud)  # nothing of ours changed

    assert writes_of(kept) == before


def test_image_sync_mirrors_active_images_and_skips_unchanged_rows(
    openstack_db_cloud, openstack_image, celery_worker
):
    synced("images.sync", openstack_db_cloud)

    row = Image.objects.get(cloud=openstack_db_cloud, backend_id=openstack_image.id)
    assert (row.name, row.disk_format, row.container_format) == (f"{RUN}-boot", "raw", "bare")
    assert (row.size, row.status, row.visibility) == (IMAGE_SIZE, "active", "public")
    assert row.checksum == openstack_image.checksum
    assert row.origin == Image.Origin.SYNCED
    assert not row.is_missing
    before = writes_of([row])

    synced("images.sync", openstack_db_cloud)

    row.refresh_from_db()
    assert writes_of([row]) == before
