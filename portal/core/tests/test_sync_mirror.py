"""The generic pull helper, on a concrete mirrored model (servers.Flavor)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from portal.clouds.tests.factories import CloudFactory
from portal.core import sync
from portal.core.errors import NotFound, ValidationFailed
from portal.core.models import Task
from portal.servers.models import Flavor
from portal.servers.tests.factories import FlavorFactory

pytestmark = pytest.mark.django_db


def fields(name="small", vcpus=1):
    return {
        "name": name, "vcpus": vcpus, "ram": 1024, "disk": 10, "is_public": True,
        "extra_specs": {},
    }  # fmt: skip


def writes(queries, table):
    """The INSERT, UPDATE and DELETE statements on `table` among captured queries."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE") and f'"{table}"' in q["sql"]
    ]


def test_upsert_creates_updates_and_counts(cloud):
    kept = FlavorFactory(cloud=cloud, backend_id="a", **fields("a"))
    changed = FlavorFactory(cloud=cloud, backend_id="b", **fields("b"))
    mirror = sync.CloudMirror(Flavor, cloud)

    rows = mirror.upsert({"a": fields("a"), "b": fields("b", vcpus=8), "c": fields("c")})

    assert set(rows) == {"a", "b", "c"}
    assert Flavor.objects.get(pk=changed.pk).vcpus == 8
    assert Flavor.objects.get(backend_id="c").synced_at == mirror.now
    assert Flavor.objects.get(pk=kept.pk).synced_at != mirror.now  # not written
    assert (mirror.counts.read, mirror.counts.created, mirror.counts.updated) == (3, 1, 1)


def test_a_page_costs_the_same_queries_whatever_its_size(cloud):
    def sync_page(count, prefix):
        FlavorFactory.create_batch(count, cloud=cloud)
        existing = {f.backend_id: fields("changed") for f in Flavor.objects.filter(cloud=cloud)}
        new = {f"{prefix}-{n}": fields() for n in range(count)}
        with CaptureQueriesContext(connection) as queries:
            sync.CloudMirror(Flavor, cloud).upsert(existing | new)
        return len(queries)

    assert sync_page(2, "few") == sync_page(40, "many")


def test_unchanged_page_writes_nothing(cloud):
    values = fields("a") | {"extra_specs": {"k": "v"}}
    FlavorFactory(cloud=cloud, backend_id="a", **values)
    page = {"a": dict(values, extra_specs={"k": "v"})}
    with CaptureQueriesContext(connection) as queries:
        mirror = sync.CloudMirror(Flavor, cloud)
        mirror.upsert(page)
        mirror.mark_missing()
    assert writes(queries, "servers_flavor") == []
    assert len(queries) == 2  # one SELECT for the page, one for what went missing


def test_vanished_rows_are_marked_and_returning_rows_unmarked(cloud):
    FlavorFactory(cloud=cloud, backend_id="stays", **fields("stays"))
    FlavorFactory(cloud=cloud, backend_id="goes", **fields("goes"))
    FlavorFactory(cloud=cloud, backend_id=None)  # not in the cloud yet: never missing
    other = FlavorFactory(backend_id="goes")  # another cloud's: untouched

    first = sync.CloudMirror(Flavor, cloud)
    first.upsert({"stays": fields("stays")})
    assert first.mark_missing() == 1
    gone = Flavor.objects.get(cloud=cloud, backend_id="goes")
    assert gone.missing_since == first.now
    assert Flavor.objects.filter(missing_since__isnull=False).count() == 1
    assert Flavor.objects.get(pk=other.pk).missing_since is None

    second = sync.CloudMirror(Flavor, cloud)
    second.upsert({"stays": fields("stays"), "goes": fields("goes")})
    assert second.mark_missing() == 0
    assert Flavor.objects.get(pk=gone.pk).missing_since is None
    assert second.counts.updated == 1


def test_mark_missing_respects_its_scope(cloud):
    FlavorFactory(cloud=cloud, backend_id="public", is_public=True)
    FlavorFactory(cloud=cloud, backend_id="private", is_public=False)
    mirror = sync.CloudMirror(Flavor, cloud)
    assert mirror.mark_missing(Flavor.objects.filter(is_public=True)) == 1
    assert Flavor.objects.get(backend_id="private").missing_since is None


def test_on_create_sees_new_rows_only(cloud):
    FlavorFactory(cloud=cloud, backend_id="old", **fields("old"))
    seen = []
    mirror = sync.CloudMirror(Flavor, cloud, on_create=lambda rows: seen.extend(rows))
    mirror.upsert({"old": fields("old"), "new": fields("new")})
    assert [row.backend_id for row in seen] == ["new"]


def test_pages():
    assert list(sync.pages(iter(range(5)), 2)) == [[0, 1], [2, 3], [4]]
    assert list(sync.pages([])) == []


def test_counts_read_as_a_sentence():
    counts = sync.SyncCounts(read=5, created=2, updated=1, missing=1)
    assert str(counts) == "5 read from the cloud: 2 new, 1 changed, 1 no longer in the cloud."


# ---- clouds, Tasks ------------------------------------------------------------------


def test_cloud_for_region(cloud):
    other = CloudFactory(name="sim-2", region="region-two")
    CloudFactory(name="off", region="region-off", enabled=False)
    assert sync.cloud_for_region(None) == cloud
    assert sync.cloud_for_region("region-two") == other
    with pytest.raises(ValidationFailed):
        sync.cloud_for_region("region-off")


def test_cloud_for_region_without_clouds(db):
    with pytest.raises(NotFound):
        sync.cloud_for_region("")


def test_request_sync_joins_a_pending_task(cloud, django_capture_on_commit_callbacks):
    job = type("Job", (), {"apply_async": lambda self, args: type("R", (), {"id": "c1"})()})()
    with django_capture_on_commit_callbacks(execute=True):
        first = sync.request_sync("things.sync", cloud, job, actor="staff:alice")
        second = sync.request_sync("things.sync", cloud, job)
    assert first == second
    assert (first.target_type, first.target_id, first.requested_by) == (
        "cloud", str(cloud.pk), "staff:alice",
    )  # fmt: skip
    first.refresh_from_db()
    assert first.celery_id == "c1"
    Task.objects.filter(pk=first.pk).update(state=Task.State.SUCCEEDED)
    assert sync.request_sync("things.sync", cloud, job) != first


# ---- beat schedules -----------------------------------------------------------------

IMAGE_JOB = "portal.images.tasks.sync_images_on_schedule"
FLAVOR_JOB = "portal.servers.tasks.sync_flavors_on_schedule"


def entry(cloud, task):
    return PeriodicTask.objects.get(task=task, args=json.dumps([cloud.pk]))


def test_every_cloud_gets_its_sync_schedules(cloud):
    images, flavors = entry(cloud, IMAGE_JOB), entry(cloud, FLAVOR_JOB)
    assert (images.name, flavors.name) == ("Sync images of sim", "Sync flavors of sim")
    assert (images.interval.every, images.interval.period) == (10, IntervalSchedule.MINUTES)
    assert images.enabled


def test_schedules_follow_the_cloud_but_keep_an_edited_interval(cloud):
    hourly = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.filter(task=IMAGE_JOB).update(interval=hourly)

    cloud.name, cloud.enabled = "renamed", False
    cloud.save()

    images = entry(cloud, IMAGE_JOB)
    assert (images.name, images.enabled, images.interval) == (
        "Sync images of renamed", False, hourly,
    )  # fmt: skip


def test_ensure_sync_schedule_is_idempotent(cloud):
    with CaptureQueriesContext(connection) as queries:
        sync.ensure_sync_schedule(cloud, task=IMAGE_JOB, label="Sync images of %(cloud)s")
    assert len(queries) == 1  # one look-up, nothing written
    assert PeriodicTask.objects.filter(task=IMAGE_JOB).count() == 1


def test_post_migrate_schedules_existing_clouds(cloud):
    from django.apps import apps
    from django.db.models.signals import post_migrate

    PeriodicTask.objects.filter(args=json.dumps([cloud.pk])).delete()
    images_app = apps.get_app_config("images")
    post_migrate.send(sender=images_app, app_config=images_app, using="default", verbosity=0)
    assert entry(cloud, IMAGE_JOB)
    assert not PeriodicTask.objects.filter(task=FLAVOR_JOB).exists()  # only its own


def test_deleting_a_cloud_removes_its_schedules(cloud):
    cloud.delete()
    assert not PeriodicTask.objects.filter(task__in=[IMAGE_JOB, FLAVOR_JOB]).exists()
