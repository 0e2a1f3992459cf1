"""A share's Task kinds and its one-operation-at-a-time lock, for both sides, and what the
stuck-task janitor gives back when it fails a share's Task."""

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.errors import Conflict
from portal.core.services import create_task, on_task_abandoned
from portal.shares.models import Share
from portal.tenants import quotas

SHARE_TARGET = "share"
CREATE_KIND = "shares.create"
DELETE_KIND = "shares.delete"
RESIZE_KIND = "shares.resize"
ACCESS_KIND = "shares.access"  # allow or deny an access rule
DELETABLE_STATUSES = (Share.Status.READY, Share.Status.FAILED)


def new_share_task(share, kind, actor, action=""):
    """A Task on the share, recorded as its current one."""
    task = create_task(
        kind,
        target_type=SHARE_TARGET,
        target_id=share.share_id,
        tenant=share.tenant,
        actor=actor,
        action=action,
    )
    Share.objects.filter(pk=share.pk).update(current_task=task)
    share.current_task = task
    return task


def lock_for_operation(share, *, statuses=(Share.Status.READY,)):
    """Take the share's operation lock (a conditional UPDATE: one of two concurrent
    requests gets it); 409 if another operation holds it or its status allows none."""
    taken = Share.objects.filter(pk=share.pk, locked=False, status__in=statuses).update(
        locked=True, updated=timezone.now()
    )
    if not taken:
        share.refresh_from_db(fields=["locked", "status"])
        if share.locked:
            raise Conflict(
                _("Another operation is running on this share; try again when it ends."),
                code="locked",
            )
        raise Conflict(
            _("The share is %(status)s; this operation is not possible now.")
            % {"status": share.get_status_display()},
            code="invalid_state",
        )
    share.locked = True


def unlock(share):
    Share.objects.filter(pk=share.pk).update(locked=False, updated=timezone.now())
    share.locked = False


# ---- what the stuck-task janitor releases ------------------------------------------------


def _share_of(task):
    return Share.objects.filter(share_id=task.target_id).first()


@on_task_abandoned(CREATE_KIND)
def _abandoned_create(task):
    quotas.release_task_reservations(task)
    share = _share_of(task)
    if share is not None:
        Share.objects.filter(pk=share.pk, status=Share.Status.CREATING).update(
            status=Share.Status.FAILED,
            status_message=task.message[:500],
            locked=False,
            updated=timezone.now(),
        )


@on_task_abandoned(RESIZE_KIND)
def _abandoned_resize(task):
    quotas.release_task_reservations(task)
    _back_to_ready(task, Share.Status.RESIZING)


@on_task_abandoned(DELETE_KIND)
def _abandoned_delete(task):
    _back_to_ready(task, Share.Status.DELETING)


@on_task_abandoned(ACCESS_KIND)
def _abandoned_access(task):
    share = _share_of(task)
    if share is not None:
        unlock(share)


def _back_to_ready(task, status):
    share = _share_of(task)
    if share is not None:
        Share.objects.filter(pk=share.pk, status=status).update(status=Share.Status.READY)
        unlock(share)
