"""The ISO jobs' work, run by the Celery jobs of tasks.py: the ISO sync, sending an
upload to its FTP server, deleting an ISO. They talk to FTP and SSH servers, not to a
cloud (no cloud driver is opened); the request side (services.py, uploads.py) queues them.
"""

from functools import partial

from django.utils import timezone

from portal.clouds.mirror import CloudMirror, SyncCounts, pages
from portal.core import staging
from portal.core.services import on_task_abandoned, report_progress
from portal.core.task_messages import TaskMessage
from portal.isos.ftp import FtpSession, remove_quietly, temp_name_for, upload_file
from portal.isos.models import DELETE_KIND, UPLOAD_KIND, FtpServer, Iso
from portal.isos.remote import TransferError
from portal.isos.ssh import SshSession
from portal.isos.task_messages import IsoMessages as M

# ---- the ISO sync --------------------------------------------------------------------


def sync_cloud_isos(cloud, progress=None) -> TaskMessage:
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
            progress(100 * number // (len(servers) + 1), counts.message())
    if failures:
        server, exc = failures[0]
        raise TransferError(
            M.SERVER_FAILED(name=server.name, reason=exc),
            code=exc.code,
        )
    return counts.message()


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


# ---- uploads -------------------------------------------------------------------------


def run_upload(iso_pk, task) -> TaskMessage:
    """The upload job's work: send the staged file, then make the ISO available.

    On any failure the ISO is marked failed, the partial remote file is removed
    (ftp.upload_file) and the error is raised for the Task; the staging file is
    removed either way.
    """
    iso = Iso.objects.select_related("ftp_server").get(pk=iso_pk)
    staging_name = iso.staging_file
    last = {"percent": -1}

    def progress(sent):
        percent = 99 * sent // max(iso.size or 1, 1)
        if percent != last["percent"]:
            last["percent"] = percent
            report_progress(task, percent, M.BYTES_SENT(sent=sent))

    try:
        with staging.open_staged(staging_name) as source:
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
        staging.delete_names([staging_name])
    return M.UPLOADED(name=iso.file_name, size=iso.size)


@on_task_abandoned(UPLOAD_KIND)
def _release_abandoned_upload(task):
    iso = Iso.objects.filter(iso_id=task.target_id, status=Iso.Status.UPLOADING).first()
    if iso is not None:
        if iso.staging_file:
            staging.delete_names([iso.staging_file])
        remove_quietly(iso.ftp_server, temp_name_for(iso.file_name))
        iso.fail_upload()
        iso.save()


# ---- deletion ------------------------------------------------------------------------


def run_deletion(iso_pk, previous_status) -> TaskMessage:
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
    return M.DELETED(name=iso.file_name)


@on_task_abandoned(DELETE_KIND)
def _release_abandoned_deletion(task):
    Iso.objects.filter(iso_id=task.target_id, status=Iso.Status.DELETING).update(
        status=Iso.Status.AVAILABLE, updated=timezone.now()
    )
