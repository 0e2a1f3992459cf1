"""ISO operations: the catalogue (creating, editing, enabling ISOs), deleting one, and
mounting ISOs on servers. The admin UI and the API call these functions only; the FTP
servers are in ftp_servers.py, uploads in uploads.py, and the jobs' work in workflows.py.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from portal.core.errors import Conflict, NotFound, Unprocessable, ValidationFailed
from portal.core.services import create_task, enqueue, on_task_abandoned
from portal.isos.models import DELETE_KIND, FtpServer, Iso, IsoMount
from portal.servers import services as servers_services

MOUNT_KIND = "isos.mount"
UNMOUNT_KIND = "isos.unmount"
RELEASE_KIND = "isos.release"  # the CD volume of a deleted server
# Nova states in which the portal mounts an ISO (a volume attaches to either).
MOUNTABLE_STATES = ("ACTIVE", "SHUTOFF")


# ---- reading -------------------------------------------------------------------------


def servers_mounting(iso: Iso) -> list[str]:
    """The instance ids of the servers this ISO is mounted on (or being mounted on, or
    unmounted from). Uses `holding_mounts` when a list view prefetched it."""
    mounts = getattr(iso, "holding_mounts", None)
    if mounts is None:
        mounts = holding_mounts().filter(iso=iso)
    return [mount.server.instance_id for mount in mounts]


def holding_mounts():
    """The mounts that hold a server's CD drive (not the failed ones)."""
    return IsoMount.objects.filter(status__in=IsoMount.HOLDING).select_related("server")


def with_mounts(isos):
    """`isos` with their holding mounts prefetched (for `servers_mounting`)."""
    return isos.prefetch_related(Prefetch("mounts", holding_mounts(), to_attr="holding_mounts"))


def mountable_isos():
    """The ISOs a tenant may choose from: enabled, available, still on their FTP server."""
    return Iso.objects.filter(enabled=True, status=Iso.Status.AVAILABLE, missing_since__isnull=True)


def current_mount(server):
    """The server's mount (attaching, attached or detaching), or None."""
    return holding_mounts().select_related("iso", "task").filter(server=server).first()


# ---- creating and editing ------------------------------------------------------------


def create_iso(values: dict, user=None) -> Iso:
    """An ISO waiting for its file (status queued, origin uploaded).

    Its remote name comes from `file_name` or the ISO's name; another ISO of the same FTP
    server already using that name is a 409 (an upload would overwrite it).
    """
    server = values["ftp_server"]
    file_name = remote_file_name(values.get("file_name") or values["iso_name"])
    with transaction.atomic():
        # Locks the server row: two creations with one name cannot both pass the check.
        FtpServer.objects.select_for_update().get(pk=server.pk)
        if Iso.objects.filter(ftp_server=server, file_name=file_name).exists():
            raise Conflict(
                _("An ISO named %(name)s already exists on this FTP server.") % {"name": file_name},
                code="duplicate_name",
            )
        return Iso.objects.create(
            cloud=server.cloud,
            ftp_server=server,
            file_name=file_name,
            iso_name=values["iso_name"],
            iso_desc=values.get("iso_desc", ""),
            os_type=values.get("os_type", ""),
            origin=Iso.Origin.UPLOADED,
            uploaded_by=user if getattr(user, "pk", None) else None,
        )


def remote_file_name(name: str) -> str:
    """A safe file name for the FTP server: letters, digits, `.-_`, ending in `.iso`."""
    stem = get_valid_filename(name.strip()).lstrip(".")[:240]
    if not stem:
        raise ValidationFailed(fields={"file_name": [_("A file name is needed.")]})
    return stem if stem.lower().endswith(".iso") else f"{stem}.iso"


def update_iso(iso: Iso, changes: dict) -> Iso:
    """Change the portal's name, description and OS type (the remote file keeps its name)."""
    editable = {k: v for k, v in changes.items() if k in ("iso_name", "iso_desc", "os_type")}
    for name, value in editable.items():
        setattr(iso, name, value)
    if editable:
        iso.save(update_fields=[*editable, "updated"])
    return iso


def set_isos_enabled(isos, enabled: bool) -> int:
    """Enable or disable ISOs (only enabled ISOs can be mounted); repeating is harmless."""
    return isos.exclude(enabled=enabled).update(enabled=enabled, updated=timezone.now())


def set_iso_enabled(iso: Iso, enabled: bool) -> Iso:
    set_isos_enabled(Iso.objects.filter(pk=iso.pk), enabled)
    iso.enabled = enabled
    return iso


# ---- deletion ------------------------------------------------------------------------


def request_iso_deletion(iso: Iso, actor=None):
    """Delete an uploaded, unmounted ISO: the job removes the remote file first, then the
    row. Synced ISOs, mounted ones and uploads in progress are refused (409, with the
    reason). Returns (iso, Task)."""
    if iso.origin != Iso.Origin.UPLOADED:
        raise Conflict(
            _("Only ISOs uploaded through the portal can be deleted; this one was synced."),
            code="synced_iso",
        )
    with transaction.atomic():
        iso = Iso.objects.select_for_update().get(pk=iso.pk)
        mounted_on = servers_mounting(iso)
        if mounted_on:
            raise Conflict(
                _("The ISO is mounted on servers %(servers)s; unmount it first.")
                % {"servers": ", ".join(mounted_on)},
                code="iso_mounted",
            )
        if iso.status not in (Iso.Status.QUEUED, Iso.Status.FAILED, Iso.Status.AVAILABLE):
            raise Conflict(
                _("The ISO is %(status)s; try again when that has finished.")
                % {"status": iso.get_status_display()},
                code="wrong_status",
            )
        previous = iso.status
        iso.start_deletion()
        iso.save()
        task = create_task(DELETE_KIND, target_type="iso", target_id=iso.iso_id, actor=actor)
        enqueue(task, "portal.isos.tasks.delete_iso", iso.pk, previous)
    return iso, task


# ---- mounting (how: portal/isos/mounting.py) ---------------------------------------------


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
        servers_services.lock_for_operation(server)
        task = _server_task(server, MOUNT_KIND, actor)
        mount = IsoMount.objects.create(
            server=server, iso=iso, task=task, mounted_by=task.requested_by,
            image_id=iso.glance_image_id,
        )  # fmt: skip
        enqueue(task, "portal.isos.tasks.mount_iso")
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
    return servers_services.new_server_task(server, kind, actor)


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
        servers_services.lock_for_operation(server)
        task = _server_task(server, UNMOUNT_KIND, actor)
        mount.begin_detach()
        mount.task = task
        mount.save()
        enqueue(task, "portal.isos.tasks.unmount_iso")
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
        enqueue(task, "portal.isos.tasks.release_cd_volume")


def _on_server_saved(sender, instance, update_fields=None, **kwargs):
    """post_save of servers.Server (connected in apps.py)."""
    if instance.status == instance.Status.DELETED and (
        update_fields is None or "status" in update_fields
    ):
        release_deleted_server_mounts(instance)


def release_mount(task, reason):
    """Give back what a mount Task held: the server's lock; a mount still attaching (or
    the CD of a deleted server) is failed with `reason`, one detaching is attached again."""
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
    servers_services.unlock(mount.server)


@on_task_abandoned(MOUNT_KIND)
@on_task_abandoned(UNMOUNT_KIND)
@on_task_abandoned(RELEASE_KIND)
def _release_abandoned_mount(task):
    release_mount(task, _("The operation did not finish before its deadline; it was stopped."))
