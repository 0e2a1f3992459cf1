"""What the OSS endpoints answer after their Task: seed 004's OSSService calls are
synchronous, so each waits for its Task (`?wait=N`, else ANSWER_WAIT_SECONDS) and answers
what RGW then holds, the error the Task failed with, or (still running) the Task.

The S3 secret key reaches the answer through the user's row, where the worker stored it
encrypted: never through the broker, a Task's result or a log line."""

from django.utils.translation import gettext as _

from portal.clouds import errors as cloud_errors
from portal.core import errors
from portal.core.api.mixins import requested_wait_seconds
from portal.core.models import Task
from portal.core.services import wait_for_task
from portal.objectstorage.models import Bucket, OssUser

ANSWER_WAIT_SECONDS = 20

# A failed Task's error for its requester, by the code the Task recorded; any other
# code is the cloud's failure (502).
_ERRORS_BY_CODE = {
    "bucket_taken": errors.Conflict,
    "oss_user_taken": errors.Conflict,
    "oss_user_exists": errors.Conflict,
    "conflict": errors.Conflict,
    "quota_exceeded": errors.Conflict,
    "not_found": errors.NotFound,
    "bad_request": errors.ValidationFailed,
    "unavailable": errors.ServiceUnavailable,
    "timeout": errors.ServiceUnavailable,
}


def wait_seconds(request, default=ANSWER_WAIT_SECONDS) -> float:
    """`?wait=N` when given (0 answers at once), else `default`."""
    if "wait" in request.query_params:
        return requested_wait_seconds(request)
    return default


def _finished(task: Task, wait: float) -> bool:
    """Wait for the Task; True once it succeeded, False while it runs; its error if it
    failed."""
    task = wait_for_task(task, wait) if wait else task
    if task.state == Task.State.FAILED:
        error = _ERRORS_BY_CODE.get(task.error_code, cloud_errors.CloudError)
        raise error(task.message, code=task.error_code or None)
    return task.state == Task.State.SUCCEEDED


def created(bucket: Bucket, task: Task, wait: float) -> tuple[dict, bool]:
    """CreateUserAndBucketRes once the Task succeeded (keys included); else the rows as
    they are, no keys, and the Task."""
    done = _finished(task, wait)
    bucket = Bucket.objects.select_related("owner__store__cloud", "store__cloud").get(pk=bucket.pk)
    owner = bucket.owner
    owner.current_task = bucket.current_task = task
    return {**_keys(owner, task, done), "oss_user": owner, "oss_bucket": bucket}, done


def user_after(oss_user: OssUser, task: Task, wait: float) -> tuple[OssUser, bool]:
    done = _finished(task, wait)
    oss_user = OssUser.objects.select_related("store__cloud").get(pk=oss_user.pk)
    oss_user.current_task = task
    return oss_user, done


def keys_after(oss_user: OssUser, task: Task, wait: float) -> tuple[dict, bool]:
    oss_user, done = user_after(oss_user, task, wait)
    return _keys(oss_user, task, done), done


def _keys(oss_user: OssUser, task: Task, done: bool) -> dict:
    return {
        "oss_endpoint": oss_user.store.s3_url,
        "oss_access_key": oss_user.access_key if done else None,
        "oss_secret_key": oss_user.secret_key if done else None,
        "task": task,
    }


def bucket_of(oss_user: OssUser, name: str) -> Bucket:
    bucket = (
        Bucket.objects.select_related("owner", "store__cloud")
        .filter(owner=oss_user, name=name, status=Bucket.Status.READY)
        .first()
    )
    if bucket is None:
        raise errors.NotFound(_("The S3 user has no bucket of this name."))
    return bucket
