"""Pull jobs: the request side and the schedule of mirroring a cloud's objects.

Every pull has the same shape (portal.clouds.mirror has the worker side):

1. each app registers its kind of pull in its `ready()` (`register_sync`): the Task kind,
   the Celery job that runs it and how often beat runs it;
2. "Sync now" (API, admin) and beat queue a Task for one cloud (`request_sync`), one at a
   time per cloud and kind;
3. the app's Celery job runs its sync function under that Task (`run_sync_job`), which
   writes through `CloudMirror`;
4. one beat entry per cloud and kind runs the generic `sync_on_schedule` job, which does
   step 2 for that cloud.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext as _
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from portal.clouds.drivers import get_driver
from portal.clouds.models import Cloud
from portal.clouds.task_messages import CloudMessages
from portal.core.errors import NotFound, ValidationFailed
from portal.core.models import Task
from portal.core.principals import BEAT_ACTOR
from portal.core.services import create_task, enqueue, execute_task, report_progress

# A sync that has not finished in this time is stuck; the janitor fails it, so the next
# beat run is not blocked for long by a lost job.
SYNC_DEADLINE_SECONDS = 900
SCHEDULE_JOB = "portal.clouds.tasks.sync_on_schedule"


@dataclass(frozen=True)
class SyncKind:
    """One kind of pull: Task `kind`, run by the Celery job `job(task_id, cloud_id)`.

    `label` names the beat entries ("%(cloud)s": the cloud's name; stored data, so not
    translated); `verbose_name` is what the admin's messages call it. `applies_to(cloud)`
    tells beat whether the cloud has anything to pull (default: every cloud).
    """

    kind: str
    job: str
    label: str
    verbose_name: str
    minutes: int = 10
    applies_to: Callable[[Cloud], bool] | None = None


SYNC_KINDS: dict[str, SyncKind] = {}


def register_sync(app_config, sync_kind: SyncKind) -> None:
    """Make `sync_kind` known and keep a beat entry of it for every cloud; call from the
    app's `ready()`."""
    SYNC_KINDS[sync_kind.kind] = sync_kind
    keep_sync_scheduled(app_config, sync_kind)


def cloud_for_region(region: str | None):
    """The enabled cloud serving `region`, or the default cloud when none is named."""
    if region:
        cloud = Cloud.objects.filter(region=region, enabled=True).first()
        if cloud is None:
            raise ValidationFailed(fields={"region": [_("No enabled cloud serves this region.")]})
        return cloud
    cloud = Cloud.objects.default()
    if cloud is None:
        raise NotFound(_("No cloud is configured."))
    return cloud


def request_sync(kind: str, region=None, *, cloud=None, actor=None) -> tuple[Cloud, Task]:
    """Queue a pull of `kind` of `cloud` (or of the cloud serving `region`); returns
    (cloud, Task).

    If a pull of that kind is already queued or running for the cloud, that Task is
    returned instead: two pulls of one cloud would only race each other.
    """
    cloud = cloud or cloud_for_region(region)
    pending = Task.objects.filter(
        kind=kind,
        target_type="cloud",
        target_id=str(cloud.pk),
        state__in=[Task.State.QUEUED, Task.State.RUNNING],
    ).first()
    if pending is not None:
        return cloud, pending
    task = create_task(
        kind, target_type="cloud", target_id=cloud.pk, actor=actor, deadline=SYNC_DEADLINE_SECONDS
    )
    enqueue(task, SYNC_KINDS[kind].job, cloud.pk)
    return cloud, task


def request_scheduled_sync(kind: str, cloud_id) -> Task | None:
    """Beat's pull of `kind` for one cloud, if the cloud is enabled and has anything of
    that kind to pull."""
    sync_kind = SYNC_KINDS.get(kind)
    cloud = Cloud.objects.filter(pk=cloud_id, enabled=True).first()
    if sync_kind is None or cloud is None:
        return None
    if sync_kind.applies_to is not None and not sync_kind.applies_to(cloud):
        return None
    return request_sync(kind, cloud=cloud, actor=BEAT_ACTOR)[1]


def run_sync_job(task_id, cloud_id, sync: Callable) -> None:
    """The body of a sync Celery job: `sync(cloud, driver, progress=...)` under its Task.

    A cloud error fails the Task with the error's code (execute_task records it).
    """

    def pull(cloud, progress):
        return sync(cloud, get_driver(cloud), progress=progress).message()

    run_task_on_cloud(task_id, cloud_id, pull)


def run_task_on_cloud(task_id, cloud_id, work_on: Callable) -> None:
    """Run `work_on(cloud, progress)` under the Task; it returns the Task's message.
    For pulls that open another driver than the cloud's (a region's object store)."""

    def work(task):
        cloud = Cloud.objects.filter(pk=cloud_id).first()
        if cloud is None:
            raise NotFound(CloudMessages.GONE)
        return work_on(cloud, partial(report_progress, task))

    execute_task(task_id, work)


# ---- beat schedules ------------------------------------------------------------------


def _schedule_args(sync_kind: SyncKind, cloud) -> str:
    return json.dumps([sync_kind.kind, cloud.pk])


def ensure_sync_schedule(cloud, sync_kind: SyncKind) -> None:
    """Create or refresh the beat entry pulling `sync_kind` of `cloud` every few minutes.

    Looked up by (job, args), so renaming the cloud renames the entry. Only its name and
    enabled flag follow the cloud: an interval changed in the admin is kept.
    """
    name = sync_kind.label % {"cloud": cloud.name}
    args = _schedule_args(sync_kind, cloud)
    entry = PeriodicTask.objects.filter(task=SCHEDULE_JOB, args=args).first()
    if entry is None:
        interval, _created = IntervalSchedule.objects.get_or_create(
            every=sync_kind.minutes, period=IntervalSchedule.MINUTES
        )
        PeriodicTask.objects.create(
            name=name, task=SCHEDULE_JOB, args=args, interval=interval, enabled=cloud.enabled
        )
    elif (entry.name, entry.enabled) != (name, cloud.enabled):
        entry.name, entry.enabled = name, cloud.enabled
        entry.save(update_fields=["name", "enabled"])


def remove_sync_schedule(cloud, sync_kind: SyncKind) -> None:
    PeriodicTask.objects.filter(task=SCHEDULE_JOB, args=_schedule_args(sync_kind, cloud)).delete()


def keep_sync_scheduled(app_config, sync_kind: SyncKind) -> None:
    """Give every cloud a beat entry for `sync_kind`.

    Signals rather than a data migration: `post_save` of a Cloud covers clouds added or
    changed later (its enabled flag switches the entry), `post_migrate` covers clouds that
    existed before this code did. Both are idempotent; an edited interval is kept.
    """

    def on_cloud_saved(sender, instance, **kwargs):
        ensure_sync_schedule(instance, sync_kind)

    def on_cloud_deleted(sender, instance, **kwargs):
        remove_sync_schedule(instance, sync_kind)

    def on_migrated(sender, **kwargs):
        for cloud in Cloud.objects.all():
            ensure_sync_schedule(cloud, sync_kind)

    uid = f"sync-schedule:{sync_kind.kind}"
    post_save.connect(on_cloud_saved, sender=Cloud, weak=False, dispatch_uid=uid)
    post_delete.connect(on_cloud_deleted, sender=Cloud, weak=False, dispatch_uid=uid)
    post_migrate.connect(on_migrated, sender=app_config, weak=False, dispatch_uid=uid)
