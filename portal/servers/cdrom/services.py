"""A server's CD drive, the request side: mount an ISO, unmount it, and release the CD
volume of a deleted server. The admin UI and the API call these functions only; the
jobs (portal/servers/tasks.py) run portal/servers/cdrom/workflows.py.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.core.errors import Conflict, NotFound, Unprocessable
from portal.core.services import create_task, enqueue, on_task_abandoned
from portal.isos.models import Iso
from portal.servers.cdrom.models import IsoMount
from portal.servers.locking import lock_for_operation, new_server_task, unlock

MOUNT_KIND = "isos.mount"
UNMOUNT_KIND = "isos.unmount"
RELEASE_KIND = "isos.release"  # the CD volume of a deleted server
# Nova states in which the portal mounts an ISO (a volume attaches to either).
MOUNTABLE_STATES = ("ACTIVE", "SHUTOFF")


def holding_mounts():
    """The mounts that hold a server's CD drive (not the failed ones)."""
    return IsoMount.objects.holding().select_related("server")


def current_mount(server):
    """The server's mount (attaching, attached or detaching), or None."""
    return holding_mounts().select_related("iso", "task").filter(server=server).first()


def mount_iso(server, iso: Iso, *, actor):
    """Mount `iso` on `server` (already looked up in the caller's scope): lock the server
    and queue the job; returns (mount, Task).

    Refused: a server not ready, not ACTIVE or SHUTOFF, or busy with another operation
    (409); a server with an ISO already (409); a disabled ISO, one of another cloud, or
    one that is not available on its FTP server (422).
    """
    _check_mountable_server(server)
    with transaction.atomic():
        # Locks the ISO row: its deletion cannot start while the mount is recorded.
        iso = Iso.objects.select_for_update().get(pk=iso.pk)
        _check_mountable_iso(iso, server)
        if holding_mounts().filter(server=server).exists():
            raise Conflict(
                _("An ISO is already mounted on this server; unmount it first."),
                code="cdrom_in_use",
            )
        lock_for_operation(server)
        task = _server_task(server, MOUNT_KIND, actor)
        mount = IsoMount.objects.create(
            server=server, iso=iso, task=task, mounted_by=task.requested_by,
            image_id=iso.glance_image_id,
        )  # fmt: skip
        enqueue(task, "portal.servers.tasks.mount_iso")
    return mount, task


def _check_mountable_server(server):
    if server.runtime_state not in MOUNTABLE_STATES:
        raise Conflict(
            _("An ISO can be mounted on a running or stopped server; this one is %(state)s.")
            % {"state": server.runtime_state or server.get_status_display()},
            code="invalid_state",
        )


def _check_mountable_iso(iso, server):
    if not iso.enabled:
        raise Unprocessable(
            _("The ISO %(name)s is disabled; only enabled ISOs can be mounted.") % {"name": iso},
            code="iso_disabled",
        )
    if iso.status != Iso.Status.AVAILABLE or iso.is_missing:
        raise Unprocessable(
            _("The ISO %(name)s is not available on its FTP server.") % {"name": iso},
            code="iso_unavailable",
        )
    if iso.cloud_id != server.cloud_id:
        raise Unprocessable(
            _("The ISO %(name)s is stored for another region than the server.") % {"name": iso},
            code="iso_other_region",
        )


def _server_task(server, kind, actor):
    """A Task on the server (it shows in the server's task history)."""
    return new_server_task(server, kind, actor)


def unmount_iso(server, *, actor):
    """Unmount the server's ISO: lock the server and queue the job that detaches and
    deletes the CD volume; returns (mount, Task). No ISO is 404; one still being
    mounted or unmounted is 409."""
    with transaction.atomic():
        mount = holding_mounts().select_for_update(of=("self",)).filter(server=server).first()
        if mount is None:
            raise NotFound(_("No ISO is mounted on this server."), code="no_cdrom")
        if mount.status != IsoMount.Status.ATTACHED:
            raise Conflict(
                _("The ISO is %(status)s; try again when that has finished.")
                % {"status": mount.get_status_display()},
                code="wrong_status",
            )
        lock_for_operation(server)
        task = _server_task(server, UNMOUNT_KIND, actor)
        mount.begin_detach()
        mount.task = task
        mount.save()
        enqueue(task, "portal.servers.tasks.unmount_iso")
    return mount, task


def release_deleted_server_mounts(server):
    """The server was deleted (Nova detached its CD volume, which stays): queue the job
    that deletes the volume and forgets the mount, so the ISO is mounted nowhere."""
    for mount in holding_mounts().filter(server=server, status=IsoMount.Status.ATTACHED):
        # Not the server's current task: that stays the deletion.
        task = create_task(
            RELEASE_KIND, target_type="server", target_id=server.instance_id,
            tenant=server.tenant, actor="system:portal",
        )  # fmt: skip
        IsoMount.objects.filter(pk=mount.pk).update(task=task)
        enqueue(task, "portal.servers.tasks.release_cd_volume")


def _on_server_saved(sender, instance, update_fields=None, **kwargs):
    """post_save of servers.Server (connected in portal/servers/apps.py)."""
    if instance.status == instance.Status.DELETED and (
        update_fields is None or "status" in update_fields
    ):
        release_deleted_server_mounts(instance)


@on_task_abandoned(MOUNT_KIND)
@on_task_abandoned(UNMOUNT_KIND)
@on_task_abandoned(RELEASE_KIND)
def release_mount(task):
    """Give back what a mount Task held (the janitor, or a job that cannot start): the
    server's lock; a mount still attaching (or the CD of a deleted server) is failed with
    the Task's message, one detaching is attached again."""
    reason = task.message
    mount = IsoMount.objects.select_related("server").filter(task=task).first()
    if mount is None:
        return
    if mount.status == IsoMount.Status.ATTACHING or task.kind == RELEASE_KIND:
        left = _(" Its volume %(volume)s may remain in the cloud.") % {"volume": mount.volume_id}
        mount.mark_failed(f"{reason}{left if mount.volume_id else ''}")
        mount.save()
    elif mount.status == IsoMount.Status.DETACHING:
        mount.cancel_detach(reason)
        mount.save()
    unlock(mount.server)
