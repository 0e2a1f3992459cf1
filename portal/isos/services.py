"""ISO operations: FTP servers (save, test), the ISO sync, uploads, flags, edits, deletion.

The admin UI and the API call these functions only. Network I/O runs in the Celery jobs of
tasks.py, except "test connection", which an operator waits for (see test_connection).
"""

import hashlib
import io
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from portal.clouds.mirror import CloudMirror, SyncCounts, pages
from portal.core.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    PortalError,
    Unprocessable,
    ValidationFailed,
)
from portal.core.services import create_task, enqueue, on_task_abandoned, report_progress
from portal.isos.models import FtpServer, Iso, IsoMount
from portal.isos.transfer import (
    FtpSession,
    SshSession,
    TransferError,
    remove_quietly,
    temp_name_for,
    upload_file,
)
from portal.servers import locking

UPLOAD_KIND = "isos.upload"
DELETE_KIND = "isos.delete"
MOUNT_KIND = "isos.mount"
UNMOUNT_KIND = "isos.unmount"
RELEASE_KIND = "isos.release"  # the CD volume of a deleted server
# Nova states in which the portal mounts an ISO (a volume attaches to either).
MOUNTABLE_STATES = ("ACTIVE", "SHUTOFF")
UPLOAD_DEADLINE_SECONDS = 6 * 3600
# Uploads are staged here, in the default storage, until the worker has sent them.
STAGING_DIR = "iso-staging"
MAX_UPLOAD_BYTES = 64 * 1024**3  # unless settings.ISO_MAX_UPLOAD_BYTES says otherwise
CHUNK_BYTES = 1 << 20
# ISO 9660 ("CD001") and UDF ("BEA01", "NSR02", "NSR03") volume descriptor identifiers,
# looked for in the first sectors of the volume recognition area.
ISO_SIGNATURES = (b"CD001", b"BEA01", b"NSR02", b"NSR03")
VOLUME_DESCRIPTOR_SECTORS = 8
HEADER_BYTES = 32768 + 2048 * VOLUME_DESCRIPTOR_SECTORS
SECRET_FIELDS = ("password", "ssh_password", "ssh_private_key")
# "Test connection" answers while the operator waits: every step is bounded by this.
TEST_TIMEOUT_SECONDS = 5


# ---- FTP servers ---------------------------------------------------------------------


@transaction.atomic
def save_ftp_server(server: FtpServer, changes: dict) -> FtpServer:
    """Create or update an FTP server. A blank secret keeps the stored one (write-only)."""
    for name, value in changes.items():
        if name in SECRET_FIELDS and not value and server.pk:
            value = FtpServer.objects.values_list(name, flat=True).get(pk=server.pk)
        setattr(server, name, value)
    try:
        with transaction.atomic():
            server.save()
    except IntegrityError as exc:
        raise Conflict(
            _("An FTP server with this name already exists."), code="duplicate_name"
        ) from exc
    return server


def delete_ftp_server(server: FtpServer) -> None:
    """Forget an FTP server; refused while the portal still knows ISOs on it."""
    try:
        server.delete()
    except models.ProtectedError as exc:
        raise Conflict(
            _("The FTP server still holds ISOs known to the portal; delete them first."),
            code="in_use",
        ) from exc


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str
    code: str = ""


def test_connection(server: FtpServer) -> ConnectionCheck:
    """Log in to the FTP server (and the SSH host, if configured) and open the ISO
    directory; says whether it worked or the exact failure (code and sentence).

    Synchronous, unlike the other operations: the API contract answers `{ok, message}`
    at once and the operator is waiting for it; each network step is bounded by
    TEST_TIMEOUT_SECONDS, so a request never hangs on a dead server for long.
    """
    try:
        with FtpSession(server, timeout=TEST_TIMEOUT_SECONDS) as session:
            count = len(session.list_isos())
        if server.uses_ssh:
            with SshSession(server, timeout=TEST_TIMEOUT_SECONDS) as ssh:
                ssh.check_directory()
    except TransferError as exc:
        return ConnectionCheck(False, exc.message, exc.code)
    if server.uses_ssh:
        message = _("FTP and SSH connections work; %(count)d ISO files in the directory.")
    else:
        message = _("The FTP connection works; %(count)d ISO files in the directory.")
    return ConnectionCheck(True, message % {"count": count})


# ---- the ISO sync --------------------------------------------------------------------


def sync_cloud_isos(cloud, progress=None) -> str:
    """Sync the ISO directory of each FTP server of `cloud`; returns a summary.

    A server that cannot be read is reported (and its ISOs left as they were); the others
    are still synced. The Task fails if any server failed, naming it.
    """
    servers = list(FtpServer.objects.filter(cloud=cloud))
    counts, failures = SyncCounts(), []
    for number, server in enumerate(servers, 1):
        try:
            server_counts = sync_server_isos(server)
        except TransferError as exc:
            failures.append((server, exc))
            continue
        for name in ("read", "created", "updated", "missing"):
            setattr(counts, name, getattr(counts, name) + getattr(server_counts, name))
        if progress:
            progress(100 * number // (len(servers) + 1), str(counts))
    if failures:
        server, exc = failures[0]
        raise TransferError(
            _("FTP server %(name)s: %(reason)s") % {"name": server.name, "reason": exc.message},
            code=exc.code,
        )
    return str(counts)


def sync_server_isos(server: FtpServer) -> SyncCounts:
    """Upsert the `*.iso` files of one server's directory (origin synced, available) and
    mark the ones that vanished. Over SSH when configured (SFTP listing, checksums
    computed on the storage host, only for new or changed files), else FTP (MLSD or LIST).
    Uploads in progress have no backend id yet and are never marked missing."""
    if server.uses_ssh:
        with SshSession(server) as ssh:
            files = ssh.list_isos()
            page = _sync_page(server, files, checksum=ssh.sha256)
    else:
        with FtpSession(server) as session:
            page = _sync_page(server, session.list_isos())
    mirror = CloudMirror(Iso, server.cloud, on_create=partial(_adopt_new_files, server))
    for chunk in pages(page.items()):
        mirror.upsert(dict(chunk))
    mirror.mark_missing(Iso.objects.filter(ftp_server=server))
    return mirror.counts


def _sync_page(server, files, checksum=None):
    """{backend_id: fields} for the listed files; a checksum only where it is unknown or
    the file changed (sha256sum of a large ISO is not free)."""
    known = {
        backend_id: (size, mtime, digest)
        for backend_id, size, mtime, digest in Iso.objects.filter(ftp_server=server).values_list(
            "backend_id", "size", "mtime", "checksum"
        )
    }
    page = {}
    for remote in files:
        backend_id = Iso.remote_key(server, remote.name)
        fields = {"file_name": remote.name, "size": remote.size, "mtime": remote.mtime}
        if checksum is not None:
            size, mtime, digest = known.get(backend_id, (None, None, ""))
            unchanged = digest and (size, mtime) == (remote.size, remote.mtime)
            fields["checksum"] = digest if unchanged else checksum(remote.name)
        page[backend_id] = fields
    return page


def _adopt_new_files(server, isos):
    for iso in isos:
        iso.ftp_server = server
        iso.iso_name = iso.file_name
        iso.origin = Iso.Origin.SYNCED
        iso.status = Iso.Status.AVAILABLE


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


# ---- uploads -------------------------------------------------------------------------


def receive_upload(iso: Iso, stream, content_length=None, actor=None):
    """Stage an upload's bytes and queue the job that sends them to the FTP server;
    returns (iso, Task).

    Refused before anything is stored: an ISO not waiting for a file (409), a body over
    ISO_MAX_UPLOAD_BYTES (413), a file without an ISO 9660 / UDF signature (415). The body
    is staged through the storage API in chunks (constant memory) while its SHA-256 is
    computed; a body shorter than its Content-Length (a cut-off client) stages nothing.
    """
    _check_can_upload(iso)
    limit = getattr(settings, "ISO_MAX_UPLOAD_BYTES", None) or MAX_UPLOAD_BYTES
    if content_length is not None and content_length > limit:
        raise PayloadTooLarge(_("The file is larger than the portal accepts."))
    upload = StagedUpload(stream, limit)
    check_iso_signature(upload.read_header())
    staging_name = default_storage.get_available_name(f"{STAGING_DIR}/{iso.iso_id}.iso")
    try:
        staging_name = default_storage.save(staging_name, File(upload))
        if content_length is not None and upload.received != content_length:
            raise ValidationFailed(
                _("The upload was cut off: %(received)d of %(expected)d bytes arrived.")
                % {"received": upload.received, "expected": content_length},
                code="upload_incomplete",
            )
        return _queue_upload(iso, staging_name, upload, actor)
    except Exception:
        default_storage.delete(staging_name)  # also a part written before an error
        raise


def _check_can_upload(iso):
    if iso.status not in (Iso.Status.QUEUED, Iso.Status.FAILED):
        raise Conflict(
            _("This ISO is %(status)s; only a new or failed ISO takes a file.")
            % {"status": iso.get_status_display()},
            code="wrong_status",
        )


def _queue_upload(iso, staging_name, upload, actor):
    with transaction.atomic():
        iso = Iso.objects.select_for_update().get(pk=iso.pk)
        _check_can_upload(iso)  # another upload may have won the race meanwhile
        iso.start_upload(staging_name)
        iso.size, iso.checksum = upload.received, upload.sha256.hexdigest()
        iso.save()
        task = create_task(
            UPLOAD_KIND, target_type="iso", target_id=iso.iso_id, actor=actor,
            deadline=UPLOAD_DEADLINE_SECONDS,
        )  # fmt: skip
        enqueue(task, "portal.isos.tasks.upload_iso", iso.pk)
    return iso, task


def check_iso_signature(header: bytes) -> None:
    """Refuse anything but an ISO 9660 or UDF image (415): the volume descriptors start
    at sector 16 (byte 32768); each has a 5-byte identifier at its second byte."""
    for sector in range(VOLUME_DESCRIPTOR_SECTORS):
        offset = 32768 + 2048 * sector + 1
        if header[offset : offset + 5] in ISO_SIGNATURES:
            return
    raise NotAnIsoImage()


class NotAnIsoImage(PortalError):
    status = 415
    code = "not_an_iso"
    default_message = _lazy("The file is not an ISO 9660 or UDF image.")


class StagedUpload(io.RawIOBase):
    """A request body read once, in chunks: counts bytes, hashes them, enforces a limit.

    `read_header()` reads the first bytes (to check the signature) and serves them again
    to the next reader, so nothing is read twice from the network.
    """

    def __init__(self, stream, limit):
        self.stream, self.limit = stream, limit
        self.received = 0
        self.sha256 = hashlib.sha256()
        self._header = b""

    def readable(self):
        return True

    def read_header(self):
        while len(self._header) < HEADER_BYTES:
            chunk = self._read_stream(HEADER_BYTES - len(self._header))
            if not chunk:
                break
            self._header += chunk
        self._count(self._header)
        return self._header

    def read(self, size=-1):
        if self._header:
            chunk, self._header = self._header, b""
            return chunk
        chunk = self._read_stream(CHUNK_BYTES if size is None or size < 0 else size)
        self._count(chunk)
        return chunk

    def _read_stream(self, size):
        try:
            return self.stream.read(size)
        except OSError as exc:  # the client went away part way through
            raise ValidationFailed(
                _("The upload was cut off after %(received)d bytes.") % {"received": self.received},
                code="upload_incomplete",
            ) from exc

    def readinto(self, buffer):
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def _count(self, chunk):
        self.received += len(chunk)
        if self.received > self.limit:
            raise PayloadTooLarge(_("The file is larger than the portal accepts."))
        self.sha256.update(chunk)


def run_upload(iso_pk, task) -> str:
    """The upload job's work: send the staged file, then make the ISO available.

    On any failure the ISO is marked failed, the partial remote file is removed
    (transfer.upload_file) and the error is raised for the Task; the staging file is
    removed either way.
    """
    iso = Iso.objects.select_related("ftp_server").get(pk=iso_pk)
    staging_name = iso.staging_file
    last = {"percent": -1}

    def progress(sent):
        percent = 99 * sent // max(iso.size or 1, 1)
        if percent != last["percent"]:
            last["percent"] = percent
            report_progress(task, percent, _("%(sent)d bytes sent.") % {"sent": sent})

    try:
        with default_storage.open(staging_name, "rb") as source:
            upload_file(iso.ftp_server, source, iso.size, iso.file_name, progress)
        iso.finish_upload(iso.size, timezone.now())
        iso.save()
    except Exception:
        iso.refresh_from_db()
        if iso.status == Iso.Status.UPLOADING:  # not already failed by the janitor
            iso.fail_upload()
            iso.save()
        raise
    finally:
        default_storage.delete(staging_name)
    return _("Uploaded %(name)s (%(size)d bytes).") % {"name": iso.file_name, "size": iso.size}


@on_task_abandoned(UPLOAD_KIND)
def _release_abandoned_upload(task):
    iso = Iso.objects.filter(iso_id=task.target_id, status=Iso.Status.UPLOADING).first()
    if iso is not None:
        if iso.staging_file:
            default_storage.delete(iso.staging_file)
        remove_quietly(iso.ftp_server, temp_name_for(iso.file_name))
        iso.fail_upload()
        iso.save()


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


def run_deletion(iso_pk, previous_status) -> str:
    """The deletion job's work: remove the remote file (already gone is fine), then the
    row. If the FTP server refuses, the ISO returns to its previous status."""
    iso = Iso.objects.select_related("ftp_server").get(pk=iso_pk)
    try:
        if previous_status == Iso.Status.AVAILABLE:
            with FtpSession(iso.ftp_server) as session:
                session.delete(iso.file_name)
    except Exception:
        Iso.objects.filter(pk=iso.pk).update(status=previous_status, updated=timezone.now())
        raise
    iso.delete()
    return _("Deleted %(name)s.") % {"name": iso.file_name}


@on_task_abandoned(DELETE_KIND)
def _release_abandoned_deletion(task):
    Iso.objects.filter(iso_id=task.target_id, status=Iso.Status.DELETING).update(
        status=Iso.Status.AVAILABLE, updated=timezone.now()
    )


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
        locking.lock_for_operation(server)
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
    return locking.new_server_task(server, kind, actor)


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
        locking.lock_for_operation(server)
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
    locking.unlock(mount.server)


@on_task_abandoned(MOUNT_KIND)
@on_task_abandoned(UNMOUNT_KIND)
@on_task_abandoned(RELEASE_KIND)
def _release_abandoned_mount(task):
    release_mount(task, _("The operation did not finish before its deadline; it was stopped."))
