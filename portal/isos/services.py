"""ISO operations: the catalogue (creating and editing ISOs) and deleting one. The
admin UI and the API call these functions only; the FTP servers are in ftp_servers.py,
uploads in uploads.py, and the jobs' work in workflows.py. Mounting an ISO on a server is
the servers app's (portal/servers/cdrom/).
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from portal.core.errors import Conflict, ValidationFailed
from portal.core.services import create_task, enqueue
from portal.isos.models import DELETE_KIND, FtpServer, Iso

# ---- reading -------------------------------------------------------------------------


def servers_mounting(iso: Iso) -> list[str]:
    """The instance ids of the servers this ISO is mounted on (or being mounted on, or
    unmounted from). Uses `holding_mounts` when a list view prefetched it."""
    mounts = getattr(iso, "holding_mounts", None)
    if mounts is None:
        mounts = iso.mounts.holding().select_related("server")
    return [mount.server.instance_id for mount in mounts]


def with_mounts(isos):
    """`isos` with their holding mounts prefetched (for `servers_mounting`).

    The mounts are the servers app's (a layer above): reached through the reverse
    relation `Iso.mounts`, never imported."""
    mount_model = Iso._meta.get_field("mounts").related_model
    holding = mount_model.objects.holding().select_related("server")
    return isos.prefetch_related(Prefetch("mounts", holding, to_attr="holding_mounts"))


def mountable_isos():
    """The ISOs a tenant may choose from: enabled, available, still on their FTP server."""
    return Iso.objects.filter(enabled=True, status=Iso.Status.AVAILABLE, missing_since__isnull=True)


# ---- creating and editing ------------------------------------------------------------


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
