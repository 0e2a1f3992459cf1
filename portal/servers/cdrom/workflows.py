"""The cloud side of mounting an ISO on a server and unmounting it (run by the jobs of
portal/servers/tasks.py).

How an ISO becomes a server's CD, and why this way
----------------------------------------------------
OpenStack has no "insert this file into the virtual CD drive" call, and the source
system's trick (an NFS share every compute node sees, handed to libvirt as a cdrom) goes
around Nova, so the portal uses what the API offers and the local OpenStack supports:

1. the ISO is registered in Glance once per cloud, with disk_format `iso` (the worker
   streams it from the FTP server into the image, constant memory), `community`
   visibility and `os_hidden` set: every project may create volumes from it by id, but it
   is in nobody's image list (nor in the portal's image sync, so tenants never see it as
   a boot image). Its id is kept on the Iso (`glance_image_id`) and reused by later
   mounts;
2. a volume is created from that image with the TENANT's credentials (Cinder copies the
   ISO into it, so the tenant's volume quota counts it and the tenant owns it);
3. the volume is attached to the server through Nova (it appears as a disk, e.g.
   /dev/vdb, holding the ISO 9660 file system: the guest mounts it like a CD).

Unmounting detaches the volume and deletes it. Rescue mode (`rescue --image`) and
`hw_cdrom_bus` images would give a real CD drive, but rescue stops the server's own disk
and a CD bus needs the server to be rebuilt; an attached volume works on a running or
stopped server and leaves it as it was.

Every step is recorded on the IsoMount as soon as the cloud answers, so a failure can
undo it: the volume is detached and deleted, the mount is marked failed with the reason,
and the server's operation lock is released, before the error fails the Task.
"""

import contextlib
import logging
import math

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.clouds.errors import CloudError, CloudNotFound
from portal.clouds.polling import wait_for_volume, wait_until
from portal.core.errors import PortalError
from portal.core.services import report_step
from portal.core.task_messages import TaskMessage
from portal.isos.ftp import FtpSession
from portal.isos.models import Iso
from portal.isos.remote import TransferError
from portal.servers.cdrom.models import IsoMount
from portal.servers.locking import unlock
from portal.servers.task_messages import CdromMessages as M

logger = logging.getLogger(__name__)

GIB = 1024**3
ISO_DISK_FORMAT = "iso"
# Statuses of an image someone is still filling: a second mount waits for them.
FILLING = ("queued", "saving", "uploading", "importing")


def volume_size_gb(size_bytes: int | None) -> int:
    """The smallest whole number of GB that holds the ISO (Cinder's unit)."""
    return max(math.ceil((size_bytes or 0) / GIB), 1)


# ---- mount -----------------------------------------------------------------------------


def mount(task, mount: IsoMount, driver, admin) -> TaskMessage:
    """Register (once), create the CD volume, attach it; undo everything on failure.
    A redelivered job first removes the volume of the interrupted attempt."""
    server, iso = mount.server, mount.iso
    if mount.status != IsoMount.Status.ATTACHING:
        return M.ALREADY(status=mount.get_status_display())
    try:
        if mount.volume_id:
            report_step(task, 2, M.REMOVING_LEFTOVER)
            leftover = remove_volume(driver, server, mount.volume_id)
            if leftover:
                raise CloudError(leftover)
            _record(mount, volume_id="")
        report_step(task, 5, M.REGISTERING)
        image_id = ensure_registered(task, iso, admin)
        _record(mount, image_id=image_id)
        report_step(task, 60, M.CREATING_VOLUME)
        volume = driver.volumes.create_volume(
            f"cdrom-{server.instance_id}",
            volume_size_gb(iso.size),
            image_id=image_id,
            description=_("ISO %(name)s mounted by the portal") % {"name": iso.file_name},
        )
        _record(mount, volume_id=volume.id)
        wait_for_volume(driver, volume.id, ("available",), what=M.THE_CD_VOLUME, cloud=server.cloud)
        report_step(task, 85, M.ATTACHING)
        attachment = driver.volumes.attach_volume(server.backend_id, volume.id)
        wait_for_volume(
            driver, volume.id, ("in-use",), what=M.ATTACHING_THE_CD_VOLUME, cloud=server.cloud
        )
    except Exception as exc:
        _undo_mount(mount, driver, exc)
        raise
    with transaction.atomic():
        mount.mark_attached(attachment.device, timezone.now())
        mount.save()
        unlock(server)
    return M.MOUNTED(iso=iso.file_name, server=server.name, device=attachment.device or "?")


def _record(mount, **fields):
    for name, value in fields.items():
        setattr(mount, name, value)
    mount.save(update_fields=[*fields, "updated"])


def _undo_mount(mount, driver, exc):
    """Remove the volume the mount made (detached first if it got attached), then mark
    the mount failed and unlock the server. A cleanup that fails is named in the reason."""
    reason = exc.message if isinstance(exc, PortalError) else _("An unexpected error occurred.")
    if mount.volume_id:
        leftover = remove_volume(driver, mount.server, mount.volume_id)
        if leftover:
            reason = _("%(reason)s The volume %(volume)s could not be removed: %(why)s") % {
                "reason": reason,
                "volume": mount.volume_id,
                "why": leftover,
            }
    with transaction.atomic():
        mount.mark_failed(reason)
        mount.save()
        unlock(mount.server)


def remove_volume(driver, server, volume_id) -> TaskMessage | str:
    """Detach (if attached) and delete a CD volume; returns "" or why it failed."""
    try:
        detach_volume(driver, server, volume_id)
        driver.volumes.delete_volume(volume_id)
    except CloudNotFound:
        return ""  # already gone
    except PortalError as exc:
        logger.warning("CD volume %s of server %s left over: %s", volume_id, server.pk, exc)
        return exc.task_message
    return ""


def detach_volume(driver, server, volume_id):
    """Detach the volume from the server if it is attached, and wait until it is free."""
    info = driver.volumes.get_volume(volume_id)
    if any(item.server_id == server.backend_id for item in info.attachments):
        with contextlib.suppress(CloudNotFound):  # detached meanwhile, or the server gone
            driver.volumes.detach_volume(server.backend_id, volume_id)
    wait_for_volume(
        driver, volume_id, ("available", "error"), what=M.DETACHING_THE_CD_VOLUME,
        cloud=server.cloud,
    )  # fmt: skip


# ---- the Glance registration -----------------------------------------------------------


def ensure_registered(task, iso: Iso, admin) -> str:
    """The ISO's image id in its cloud's Glance, registered (and filled from the FTP
    server) if it is not there yet. One registration per ISO: the row lock makes a
    concurrent mount wait for the record and then for the data another job is sending."""
    with transaction.atomic():
        locked = Iso.objects.select_for_update().get(pk=iso.pk)
        info = _registration(admin, locked.glance_image_id)
        made_here = info is None
        if made_here:
            info = admin.images.create_image(
                f"iso-{iso.file_name}",
                ISO_DISK_FORMAT,
                "bare",
                visibility="community",
                properties={"os_hidden": True, "portal_iso_id": iso.iso_id},
            )
            Iso.objects.filter(pk=iso.pk).update(glance_image_id=info.id)
    iso.glance_image_id = info.id
    try:
        if made_here:
            _fill(task, iso, admin, info.id)
        elif info.status != "active":
            report_step(task, 10, M.WAITING_REGISTRATION)
            wait_until(
                lambda: admin.images.get_image(info.id),
                lambda image: image.status == "active",
                what=M.THE_ISO_REGISTRATION,
                cloud=iso.cloud,
                failed=lambda image: image.status not in ("active", *FILLING),
            )
    except Exception:
        forget_registration(iso, admin, info.id)
        raise
    return info.id


def _registration(admin, image_id):
    """The registration if it can still be used; a broken one is removed (None)."""
    if not image_id:
        return None
    try:
        info = admin.images.get_image(image_id)
    except CloudNotFound:
        return None
    if info.status == "active" or info.status in FILLING:
        return info
    admin.images.delete_image(image_id)  # killed, deactivated...: register afresh
    return None


def _fill(task, iso, admin, image_id):
    """Stream the file from the FTP server into the image (constant memory)."""
    with FtpSession(iso.ftp_server) as session:
        size = session.size(iso.file_name)
        if size is None:
            raise TransferError(
                M.SIZE_UNKNOWN(name=iso.file_name),
                code="size_unknown",
            )

        def progress(sent):
            report_step(task, 10 + 45 * sent // max(size, 1), M.BYTES_SENT(sent=sent))

        with session.reading(iso.file_name) as stream:
            admin.images.upload_image_data(image_id, stream, size, progress)


def forget_registration(iso, admin, image_id):
    """Delete a registration that failed (best effort) and let the next mount retry."""
    Iso.objects.filter(pk=iso.pk, glance_image_id=image_id).update(glance_image_id="")
    iso.glance_image_id = ""
    try:
        admin.images.delete_image(image_id)
    except CloudError as exc:
        logger.warning("ISO image %s of %s left in Glance: %s", image_id, iso.pk, exc)


# ---- unmount ---------------------------------------------------------------------------


def unmount(task, mount: IsoMount, driver) -> TaskMessage:
    """Detach and delete the CD volume. If the cloud refuses the detach the mount stays
    attached; once detached, a volume that cannot be deleted is named in the error."""
    server = mount.server
    report_step(task, 20, M.DETACHING)
    try:
        detach_volume(driver, server, mount.volume_id)
    except CloudNotFound:
        pass  # the volume is gone already: nothing is mounted
    except Exception as exc:
        with transaction.atomic():
            reason = exc.message if isinstance(exc, PortalError) else _("The detach failed.")
            mount.cancel_detach(reason)
            mount.save()
            unlock(server)
        raise
    report_step(task, 70, M.DELETING)
    leftover = remove_volume(driver, server, mount.volume_id)
    with transaction.atomic():
        mount.delete()
        unlock(server)
    if leftover:
        raise CloudError(M.VOLUME_LEFT(volume=mount.volume_id, why=leftover))
    return M.UNMOUNTED(iso=mount.iso.file_name, server=server.name)


# ---- after the server's deletion ---------------------------------------------------------


def release_after_server_deleted(task, mount: IsoMount, driver) -> TaskMessage:
    """Delete the CD volume Nova detached when it deleted the server, then forget the
    mount; if the cloud refuses, the mount is failed with the volume's id in the reason."""
    leftover = remove_volume(driver, mount.server, mount.volume_id)
    if leftover:
        message = M.RELEASE_FAILED(volume=mount.volume_id, why=leftover)
        mount.mark_failed(str(message))
        mount.save()
        raise CloudError(message)
    mount.delete()
    return M.RELEASED()
