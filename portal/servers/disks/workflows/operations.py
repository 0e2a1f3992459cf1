"""A disk's operations against the cloud: create, extend, rename, attach, detach, delete.

Each writes its steps on the Task, records on the row what the cloud answers when re-read
(seed 004 rule 4), and on failure records what the cloud then holds, gives back the
quota it reserved and unlocks the disk (and the server) before the error fails the Task.
"""

import logging

from django.db import transaction
from django.utils import timezone

from portal.clouds.errors import CloudNotFound
from portal.clouds.polling import wait_for_volume, wait_until
from portal.core.errors import PortalError
from portal.core.services import report_step
from portal.core.task_messages import TaskMessage
from portal.servers.disks.models import Volume
from portal.servers.locking import unlock
from portal.servers.models import Server
from portal.servers.task_messages import DiskMessages as M
from portal.servers.workflows.recording import quietly, save_backend_id
from portal.tenants import quotas

logger = logging.getLogger(__name__)

SETTLED = (Volume.AVAILABLE, Volume.IN_USE)
# The row's fields the cloud decides (what `cloud_fields` returns).
CLOUD_FIELDS = (
    "name", "description", "size", "status", "volume_type", "availability_zone", "server_id",
    "device", "attached_at",
)  # fmt: skip


# ---- recording what the cloud holds ------------------------------------------------------


def cloud_fields(info, server_pk_of: dict[str, int]) -> dict:
    """The row's fields as the cloud reports the volume; `server_pk_of` maps the cloud's
    server ids to the portal's rows (an attachment to a server the portal does not know
    shows as attached to none, with its device)."""
    attachment = info.attachments[0] if info.attachments else None
    return {
        "name": info.name[:255],
        "description": info.description[:255],
        "size": info.size,
        "status": info.status,
        "volume_type": info.volume_type,
        "availability_zone": info.availability_zone,
        "server_id": server_pk_of.get(attachment.server_id) if attachment else None,
        "device": attachment.device if attachment else "",
        "attached_at": attachment.attached_at if attachment else None,
    }


def server_pks(cloud, server_ids) -> dict[str, int]:
    """{cloud server id: portal row} of the cloud's live servers among `server_ids`."""
    return dict(
        Server.objects.filter(cloud=cloud, backend_id__in=list(server_ids))
        .exclude(status=Server.Status.DELETED)
        .values_list("backend_id", "pk")
    )


def record_volume(volume, info, *extra_fields):
    """Copy the cloud's view of the volume onto the row."""
    known = server_pks(volume.cloud, {a.server_id for a in info.attachments})
    for name, value in cloud_fields(info, known).items():
        setattr(volume, name, value)
    volume.synced_at = timezone.now()
    volume.save(update_fields=[*CLOUD_FIELDS, "synced_at", "updated", *extra_fields])


def _record_quietly(volume, driver):
    """After a failure: what the cloud holds now, if it answers."""
    if volume.backend_id:
        quietly(lambda: record_volume(volume, driver.volumes.get_volume(volume.backend_id)))


def _reason(exc):
    return exc if isinstance(exc, PortalError) else M.UNEXPECTED


def _end(volume, *servers, **fields):
    """Unlock the disk (saving `fields` with it) and the servers."""
    Volume.objects.filter(pk=volume.pk).update(locked=False, updated=timezone.now(), **fields)
    volume.locked = False
    for server in servers:
        unlock(server)


def usable_volume_type(driver, volume_type) -> str:
    """`volume_type` if the cloud has it, else "" (the cloud's default): seed 004 leaves
    types unprocessed, so an unknown one is not a failure."""
    if volume_type and volume_type in driver.volumes.list_volume_types():
        return volume_type
    return ""


# ---- create ------------------------------------------------------------------------------


def create(task, volume, driver) -> TaskMessage:
    """Create the volume, wait until it is available; on failure delete what was made,
    give the quota back and mark the row error."""
    try:
        if not volume.backend_id:  # else a redelivered job: created before
            report_step(task, 10, M.CREATING)
            info = driver.volumes.create_volume(
                volume.name,
                volume.size,
                volume_type=usable_volume_type(driver, volume.volume_type),
                availability_zone=volume.availability_zone,
                description=volume.description,
            )
            save_backend_id(volume, info.id)
        report_step(task, 40, M.WAITING)
        info = wait_for_volume(
            driver, volume.backend_id, (Volume.AVAILABLE,), what=M.THE_DISK, cloud=volume.cloud
        )
    except Exception as exc:
        _undo_create(task, volume, driver, exc)
        raise
    with transaction.atomic():
        record_volume(volume, info)
        quotas.commit_task_reservations(task)
        _end(volume)
    return M.CREATED(name=volume.name or volume.volume_id, size=volume.size)


def _undo_create(task, volume, driver, exc):
    logger.warning("task %s: creating disk %s failed; cleaning up", task.pk, volume.pk)
    removed = not volume.backend_id or quietly(driver.volumes.delete_volume, volume.backend_id)
    message = M.CREATE_FAILED(reason=_reason(exc))
    with transaction.atomic():
        quotas.release_task_reservations(task)
        status = Volume.DELETED if volume.backend_id and removed else Volume.ERROR
        _end(volume, status=status, status_message=str(message)[:500])
    if isinstance(exc, PortalError):
        exc.reword(message)


# ---- extend, rename ----------------------------------------------------------------------


def extend(task, volume, driver, size) -> TaskMessage:
    """Ask Cinder to grow the volume and wait until it reports the new size; if it
    refuses or fails, the extra gigabytes go back and the row keeps the cloud's size."""
    before = volume.size
    try:
        report_step(task, 20, M.EXTENDING(size=size))
        driver.volumes.extend_volume(volume.backend_id, size)
        info = wait_until(
            lambda: driver.volumes.get_volume(volume.backend_id),
            lambda found: found.status in SETTLED and found.size >= size,
            what=M.THE_EXTENSION,
            cloud=volume.cloud,
            failed=lambda found: found.status.startswith("error"),
        )
    except Exception as exc:
        with transaction.atomic():
            quotas.release_task_reservations(task)
            _record_quietly(volume, driver)
            _end(volume)
        if isinstance(exc, PortalError):
            exc.reword(M.EXTEND_FAILED(reason=exc, size=volume.size or before))
        raise
    with transaction.atomic():
        record_volume(volume, info)
        quotas.commit_task_reservations(task)
        _end(volume)
    return M.EXTENDED(name=volume.name or volume.volume_id, size=volume.size)


def update(task, volume, driver, name, description) -> TaskMessage:
    """Save the name and description in Cinder, then on the row as Cinder returns them."""
    try:
        report_step(task, 30, M.RENAMING)
        info = driver.volumes.update_volume(volume.backend_id, name=name, description=description)
    except Exception:
        _end(volume)
        raise
    record_volume(volume, info)
    _end(volume)
    return M.RENAMED(name=volume.name or volume.volume_id)


# ---- attach and detach -------------------------------------------------------------------


def attach(task, volume, driver, instance_id) -> TaskMessage:
    """Attach through Nova's volume attachments and wait until Cinder says in-use; the
    device Nova chose is recorded."""
    server = Server.objects.get(instance_id=instance_id)
    try:
        report_step(task, 20, M.ATTACHING(server=server.name))
        driver.volumes.attach_volume(server.backend_id, volume.backend_id)
        info = wait_for_volume(
            driver, volume.backend_id, (Volume.IN_USE,), what=M.THE_ATTACHMENT,
            cloud=volume.cloud,
        )  # fmt: skip
    except Exception:
        _record_quietly(volume, driver)
        _end(volume, server)
        raise
    record_volume(volume, info)
    _end(volume, server)
    return M.ATTACHED(name=volume.name or volume.volume_id, server=server.name,
                      device=volume.device or "?")  # fmt: skip


def detach(task, volume, driver, instance_id) -> TaskMessage:
    """Detach through Nova and wait until Cinder says available."""
    server = Server.objects.get(instance_id=instance_id)
    try:
        report_step(task, 20, M.DETACHING(server=server.name))
        driver.volumes.detach_volume(server.backend_id, volume.backend_id)
        info = wait_for_volume(
            driver, volume.backend_id, (Volume.AVAILABLE,), what=M.THE_DETACHMENT,
            cloud=volume.cloud,
        )  # fmt: skip
    except Exception:
        _record_quietly(volume, driver)
        _end(volume, server)
        raise
    record_volume(volume, info)
    _end(volume, server)
    return M.DETACHED(name=volume.name or volume.volume_id, server=server.name)


# ---- delete ------------------------------------------------------------------------------


def delete(task, volume, driver) -> TaskMessage:
    """Delete the volume and wait until Cinder no longer has it; only then is its quota
    given back. A row the cloud never held (its create failed) is simply history."""
    if volume.backend_id:
        try:
            report_step(task, 20, M.DELETING)
            driver.volumes.delete_volume(volume.backend_id)
            wait_until(
                lambda: _still_there(driver, volume.backend_id),
                lambda info: info is None,
                what=M.THE_DELETION,
                cloud=volume.cloud,
                failed=lambda info: info.status == "error_deleting",
            )
        except Exception:
            _record_quietly(volume, driver)
            _end(volume)
            raise
    with transaction.atomic():
        quotas.release_held_by(volume)
        _end(volume, status=Volume.DELETED, server=None, device="", attached_at=None)
    return M.DELETED(name=volume.name or volume.volume_id)


def _still_there(driver, backend_id):
    try:
        return driver.volumes.get_volume(backend_id)
    except CloudNotFound:
        return None
