"""Pull jobs: the mirror on a concrete model (servers.Flavor), requests and beat."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from portal.clouds import mirror as mirror_module
from portal.clouds import sync
from portal.clouds.tasks import sync_on_schedule
from portal.clouds.tests.factories import CloudFactory
from portal.core.errors import NotFound, ValidationFailed
from portal.core.models import Task
from portal.core.tests.queries import writes_to
from portal.servers.models import Flavor
from portal.servers.tests.factories import FlavorFactory

pytestmark = pytest.mark.django_db


def fields(name="small", vcpus=1):
    return {
        "name": name, "vcpus": vcpus, "ram": 1024, "disk": 10, "is_public": True,
        "extra_specs": {},
    }  # fmt: skip


def test_upsert_creates_updates_and_counts(cloud):
    kept = FlavorFactory(cloud=cloud, backend_id="a", **fields("a"))
    changed = FlavorFactory(cloud=cloud, backend_id="b", **fields("b"))
    mirror = mirror_module.CloudMirror(Flavor, cloud)

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
            mirror_module.CloudMirror(Flavor, cloud).upsert(existing | new)
        return len(queries)

    assert sync_page(2, "few") == sync_page(40, "many")


def test_unchanged_page_writes_nothing(cloud):
    values = fields("a") | {"extra_specs": {"k": "v"}}
    FlavorFactory(cloud=cloud, backend_id="a", **values)
    page = {"a": dict(values, extra_specs={"k": "v"})}
    with CaptureQueriesContext(connection) as queries:
        mirror = mirror_module.CloudMirror(Flavor, cloud)
        mirror.upsert(page)
        mirror.mark_missing()
    assert writes_to(queries, "servers_flavor") == []
    assert len(queries) == 2  # one SELECT for the page, one for what went missing


def test_vanished_rows_are_marked_and_returning_rows_unmarked(cloud):
    FlavorFactory(cloud=cloud, backend_id="stays", **fields("stays"))
    FlavorFactory(cloud=cloud, backend_id="goes", **fields("goes"))
    FlavorFactory(cloud=cloud, backend_id=None)  # not in the cloud yet: never missing
    other = FlavorFactory(backend_id="goes")  # another cloud's: untouched

    first = mirror_module.CloudMirror(Flavor, cloud)
    first.upsert({"stays": fields("stays")})
    assert first.mark_missing() == 1
    gone = Flavor.objects.get(cloud=cloud, backend_id="goes")
    assert gone.missing_since == first.now
    assert Flavor.objects.filter(missing_since__isnull=False).count() == 1
    assert Flavor.objects.get(pk=other.pk).missing_since is None

    second = mirror_module.CloudMirror(Flavor, cloud)
    second.upsert({"stays": fields("stays"), "goes": fields("goes")})
    assert second.mark_missing() == 0
    assert Flavor.objects.get(pk=gone.pk).missing_since is None
    assert second.counts.updated == 1


def test_mark_missing_respects_its_scope(cloud):
    FlavorFactory(cloud=cloud, backend_id="public", is_public=True)
    FlavorFactory(cloud=cloud, backend_id="private", is_public=False)
    mirror = mirror_module.CloudMirror(Flavor, cloud)
    assert mirror.mark_missing(Flavor.objects.filter(is_public=True)) == 1
    assert Flavor.objects.get(backend_id="private").missing_since is None


def test_on_create_sees_new_rows_only(cloud):
    FlavorFactory(cloud=cloud, backend_id="old", **fields("old"))
    seen = []
    mirror = mirror_module.CloudMirror(Flavor, cloud, on_create=lambda rows: seen.extend(rows))
    mirror.upsert({"old": fields("old"), "new": fields("new")})
    assert [row.backend_id for row in seen] == ["new"]


def test_pages():
    assert list(mirror_module.pages(iter(range(5)), 2)) == [[0, 1], [2, 3], [4]]
    assert list(mirror_module.pages([])) == []


def test_counts_read_as_a_sentence():
    counts = mirror_module.SyncCounts(read=5, created=2, updated=1, missing=1)
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
    with django_capture_on_commit_callbacks(execute=True):
        _cloud, first = sync.request_sync("flavors.sync", cloud=cloud, actor="staff:alice")
        _cloud, second = sync.request_sync("flavors.sync", cloud=cloud)
    assert first == second
    assert (first.target_type, first.target_id, first.requested_by) == (
        "cloud", str(cloud.pk), "staff:alice",
    )  # fmt: skip
    first.refresh_from_db()
    assert first.celery_id != ""  # queued once, as the job registered for the kind
    assert first.state == Task.State.SUCCEEDED
    assert sync.request_sync("flavors.sync", cloud=cloud)[1] != first


def test_request_sync_names_the_cloud_of_a_region(cloud):
    other = CloudFactory(name="sim-2", region="region-two")
    queued_cloud, task = sync.request_sync("flavors.sync", "region-two")
    assert (queued_cloud, task.target_id) == (other, str(other.pk))


# ---- beat schedules -----------------------------------------------------------------

SCHEDULE_JOB = "portal.clouds.tasks.sync_on_schedule"


def entry(cloud, kind):
    return PeriodicTask.objects.get(task=SCHEDULE_JOB, args=json.dumps([kind, cloud.pk]))


def test_every_cloud_gets_a_schedule_per_kind_of_pull(cloud):
    images, flavors = entry(cloud, "images.sync"), entry(cloud, "flavors.sync")
    assert (images.name, flavors.name) == ("Sync images of sim", "Sync flavors of sim")
    assert (images.interval.every, images.interval.period) == (10, IntervalSchedule.MINUTES)
    assert entry(cloud, "servers.sync").interval.every == 5
    assert images.enabled
    kinds = {json.loads(e.args)[0] for e in PeriodicTask.objects.filter(task=SCHEDULE_JOB)}
    assert kinds == set(sync.SYNC_KINDS) == {
        "flavors.sync", "images.sync", "isos.sync", "network.sync", "servers.sync", "shares.sync",
        "objectstorage.sync",
    }  # fmt: skip


def test_schedules_follow_the_cloud_but_keep_an_edited_interval(cloud):
    hourly = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.filter(name__startswith="Sync images").update(interval=hourly)

    cloud.name, cloud.enabled = "renamed", False
    cloud.save()

    images = entry(cloud, "images.sync")
    assert (images.name, images.enabled, images.interval) == (
        "Sync images of renamed", False, hourly,
    )  # fmt: skip


def test_ensure_sync_schedule_is_idempotent(cloud):
    with CaptureQueriesContext(connection) as queries:
        sync.ensure_sync_schedule(cloud, sync.SYNC_KINDS["images.sync"])
    assert len(queries) == 1  # one look-up, nothing written
    assert PeriodicTask.objects.filter(name__startswith="Sync images").count() == 1


def test_post_migrate_schedules_existing_clouds(cloud):
    from django.apps import apps
    from django.db.models.signals import post_migrate

    PeriodicTask.objects.filter(task=SCHEDULE_JOB).delete()
    images_app = apps.get_app_config("images")
    post_migrate.send(sender=images_app, app_config=images_app, using="default", verbosity=0)
    assert entry(cloud, "images.sync")
    assert PeriodicTask.objects.filter(task=SCHEDULE_JOB).count() == 1  # only its own


def test_deleting_a_cloud_removes_its_schedules(cloud):
    cloud.delete()
    assert not PeriodicTask.objects.filter(task=SCHEDULE_JOB).exists()


# ---- the one beat job ---------------------------------------------------------------


def test_the_beat_job_queues_a_pull_as_beat(cloud, run_commit_hooks):
    sync_on_schedule("flavors.sync", cloud.pk)
    task = Task.objects.get(kind="flavors.sync")
    assert (task.state, task.requested_by) == (Task.State.SUCCEEDED, "system:beat")


def test_the_beat_job_skips_a_disabled_cloud_and_an_unknown_kind(cloud):
    sync_on_schedule("nothing.sync", cloud.pk)
    cloud.enabled = False
    cloud.save()
    sync_on_schedule("flavors.sync", cloud.pk)
    assert not Task.objects.exists()


def test_the_beat_job_skips_a_cloud_the_kind_does_not_apply_to(cloud):
    sync_on_schedule("isos.sync", cloud.pk)  # the cloud has no FTP server
    assert not Task.objects.exists()
