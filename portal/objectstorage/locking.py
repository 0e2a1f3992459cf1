"""The object-storage Task kinds and an S3 user's one-operation-at-a-time lock, for both
sides; what a failed creation leaves behind is removed, and what the stuck-task janitor
gives back when it fails one of these Tasks."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.errors import Conflict
from portal.core.services import on_task_abandoned
from portal.objectstorage.models import Bucket, OssUser

CREATE_KIND = "objectstorage.create"
QUOTA_KIND = "objectstorage.quota"
KEY_KIND = "objectstorage.key"


def lock_for_operation(oss_user: OssUser) -> None:
    """The user's operation lock, taken with a conditional UPDATE (one of two concurrent
    requests gets it); 409 otherwise."""
    taken = OssUser.objects.filter(
        pk=oss_user.pk, locked=False, status=OssUser.Status.READY
    ).update(locked=True, updated=timezone.now())
    if not taken:
        raise Conflict(
            _("Another operation is running on S3 user %(uid)s; try again when it ends.")
            % {"uid": oss_user.uid},
            code="locked",
        )
    oss_user.locked = True


def unlock(oss_user: OssUser) -> None:
    OssUser.objects.filter(pk=oss_user.pk).update(locked=False, updated=timezone.now())
    oss_user.locked = False


# ---- what a failed or abandoned Task leaves --------------------------------------------


def forget_failed_create(bucket_pk) -> None:
    """Remove the rows a failed creation made: the bucket's, and its owner's if the
    owner was being made with it (RGW has no such user then)."""
    with transaction.atomic():
        bucket = Bucket.objects.filter(pk=bucket_pk, status=Bucket.Status.CREATING).first()
        if bucket is None:
            return
        bucket.delete()
        OssUser.objects.filter(pk=bucket.owner_id, status=OssUser.Status.CREATING).delete()


@on_task_abandoned(CREATE_KIND)
def _abandoned_create(task):
    forget_failed_create(task.target_id)


@on_task_abandoned(QUOTA_KIND)
@on_task_abandoned(KEY_KIND)
def _abandoned_user_task(task):
    OssUser.objects.filter(pk=task.target_id).update(locked=False, updated=timezone.now())
