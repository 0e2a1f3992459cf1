"""The object stores (each region's Ceph RGW): saving, deleting, and testing the
connection, which runs as a Task in a worker (only workers call drivers) while the
operator waits for its answer."""

from dataclasses import dataclass

from django.db import models, transaction
from django.utils.translation import gettext as _

from portal.clouds.sync import cloud_for_region
from portal.core.errors import Conflict, Unprocessable
from portal.core.models import Task
from portal.core.saving import assign_keeping_secrets, save_unique
from portal.core.services import create_task, enqueue, wait_for_task
from portal.objectstorage.models import ObjectStore

SECRET_FIELDS = ("secret_key",)
CHECK_KIND = "objectstorage.check"
STORE_TARGET = "object_store"
# How long "Test connection" waits for its Task: the driver's own timeout bounds each call.
CHECK_WAIT_SECONDS = 30


@transaction.atomic
def save_store(store: ObjectStore, changes: dict) -> ObjectStore:
    """Create or update an object store. A blank secret keeps the stored one; a region
    has one store (409 otherwise)."""
    assign_keeping_secrets(store, changes, SECRET_FIELDS)
    save_unique(store, _("An object store with this name, or for this region, exists already."))
    return store


def delete_store(store: ObjectStore) -> None:
    """Forget an object store; refused while the portal knows S3 users on it."""
    try:
        store.delete()
    except models.ProtectedError as exc:
        raise Conflict(
            _("The portal knows S3 users on this object store; it cannot be removed."),
            code="in_use",
        ) from exc


def store_for_region(region: str | None) -> ObjectStore:
    """The enabled object store of `region` (the default cloud's when none is named)."""
    cloud = cloud_for_region(region)
    store = ObjectStore.objects.filter(cloud=cloud, enabled=True).first()
    if store is None:
        raise Unprocessable(
            _("Region %(region)s has no object storage.") % {"region": cloud.region},
            code="no_object_store",
        )
    return store


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    code: str
    message: str
    task: Task


def check_connection(store: ObjectStore, *, actor, wait: float) -> ConnectionCheck:
    """Ask a worker to call the store's admin API; its outcome (ok, or the failure's code:
    unavailable, cloud_auth_failed, cloud_forbidden) once it ends or `wait` runs out."""
    task = create_task(CHECK_KIND, target_type=STORE_TARGET, target_id=store.pk, actor=actor)
    with transaction.atomic():
        enqueue(task, "portal.objectstorage.tasks.check_store")
    task = wait_for_task(task, wait)
    if not task.is_finished:
        return ConnectionCheck(False, "pending", _("The test is still running."), task)
    ok = task.state == Task.State.SUCCEEDED
    return ConnectionCheck(ok, "" if ok else task.error_code, task.message, task)
