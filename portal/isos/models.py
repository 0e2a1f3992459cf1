"""FTP servers in front of a cloud's ISO store, and the ISOs on them.

In the source system the ISOs live on a share every compute node sees, with an FTP
server in front of it for uploads (seed 003). The portal reaches that store over FTP(S)
and, optionally, over SSH to the storage host (listing and checksums there).
"""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from portal.clouds.mirror import MirroredModel
from portal.core.fields import EncryptedTextField
from portal.core.models import TimestampedModel

# Task kinds of an ISO's upload and deletion (queued by the request side, released by the
# worker side when the janitor fails a stuck one).
UPLOAD_KIND = "isos.upload"
DELETE_KIND = "isos.delete"


class FtpServer(TimestampedModel):
    """An FTP server holding one cloud's ISOs in `base_dir`.

    Secrets (`password`, `ssh_password`, `ssh_private_key`) are encrypted at rest and
    write-only in the API and the admin. SSH access is optional: when `ssh_host` and
    `ssh_username` are set, the ISO sync lists `ssh_base_dir` over SFTP and computes
    checksums with `sha256sum` there. `ssh_host_key` pins the storage host's public key
    ("ssh-ed25519 AAAA..."): an unknown or different key is refused, never trusted.
    """

    cloud = models.ForeignKey(
        "clouds.Cloud",
        on_delete=models.PROTECT,
        related_name="ftp_servers",
        verbose_name=_("cloud"),
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=21)
    username = models.CharField(_("username"), max_length=100)
    password = EncryptedTextField(_("password"), blank=True)
    base_dir = models.CharField(
        _("base directory"), max_length=500, default="/", help_text=_("Where the ISOs are.")
    )
    passive = models.BooleanField(_("passive mode"), default=True)
    use_tls = models.BooleanField(_("FTPS (explicit TLS)"), default=False)
    ssh_host = models.CharField(_("SSH host"), max_length=255, blank=True)
    ssh_port = models.PositiveIntegerField(_("SSH port"), default=22)
    ssh_username = models.CharField(_("SSH username"), max_length=100, blank=True)
    ssh_password = EncryptedTextField(_("SSH password"), blank=True)
    ssh_private_key = EncryptedTextField(
        _("SSH private key"), blank=True, help_text=_("PEM or OpenSSH format, unencrypted.")
    )
    ssh_host_key = models.TextField(
        _("SSH host key"),
        blank=True,
        help_text=_("The storage host's public key, e.g. 'ssh-ed25519 AAAA...'; required for SSH."),
    )
    ssh_base_dir = models.CharField(
        _("SSH base directory"),
        max_length=500,
        blank=True,
        help_text=_("The ISO directory as the SSH user sees it (default: the base directory)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("FTP server")
        verbose_name_plural = _("FTP servers")

    def __str__(self):
        return self.name

    @property
    def ftp_server_id(self):
        return str(self.pk)

    @property
    def uses_ssh(self):
        return bool(self.ssh_host and self.ssh_username)

    @property
    def ssh_dir(self):
        return self.ssh_base_dir or self.base_dir


def new_iso_id():
    return str(uuid.uuid4())


class Iso(MirroredModel):
    """An ISO image file on an FTP server.

    Mirrored like a cloud object (clouds.mirror.CloudMirror): `cloud` is the FTP server's
    cloud and `backend_id` is `remote_key(ftp_server, file_name)`, a digest that stays
    unique per cloud even when two FTP servers of one cloud hold files of the same name
    (and however long the name is). An upload has no `backend_id` until its file is on
    the server under its final name, so the sync never sees a half file as an ISO.

    Status (a state machine): queued (created, no file yet) -> uploading (staged, the
    worker is sending it) -> available | failed; failed -> uploading again (a retry);
    available -> deleting (the worker removes the remote file, then the row) -> back to
    available if that fails. Synced ISOs are created available.

    Mounts: the servers app's `IsoMount` records where an ISO is mounted (reverse relation
    `mounts`); `services.servers_mounting(iso)` is the one place that answers "mounted
    where?" for deletion and the API's `mounted_on`. `glance_image_id` is the ISO's
    registration in its cloud's Glance (disk_format iso), made by the first mount and
    reused by the later ones (see the servers app's cdrom/workflows.py).
    """

    class Origin(models.TextChoices):
        SYNCED = "synced", _("synced from the FTP server")
        UPLOADED = "uploaded", _("uploaded through the portal")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        UPLOADING = "uploading", _("uploading")
        AVAILABLE = "available", _("available")
        FAILED = "failed", _("failed")
        DELETING = "deleting", _("deleting")

    iso_id = models.CharField(_("ISO id"), max_length=64, unique=True, default=new_iso_id)
    ftp_server = models.ForeignKey(
        FtpServer, on_delete=models.PROTECT, related_name="isos", verbose_name=_("FTP server")
    )
    file_name = models.CharField(_("file name"), max_length=255)
    iso_name = models.CharField(_("name"), max_length=255)
    iso_desc = models.TextField(_("description"), blank=True)
    os_type = models.CharField(_("OS type"), max_length=50, blank=True)
    size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    mtime = models.DateTimeField(_("modified on the server"), null=True, blank=True)
    enabled = models.BooleanField(
        _("enabled"), default=True, help_text=_("Only enabled ISOs can be mounted.")
    )
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.UPLOADED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    # The staged upload (a name in the default storage) while the worker needs it.
    staging_file = models.CharField(_("staging file"), max_length=300, blank=True)
    glance_image_id = models.CharField(
        _("Glance image id"),
        max_length=64,
        blank=True,
        help_text=_("The ISO registered in the cloud's image service, for mounting."),
    )

    class Meta(MirroredModel.Meta):
        ordering = ["iso_name", "pk"]
        verbose_name = _("ISO")
        verbose_name_plural = _("ISOs")
        indexes = [models.Index(fields=["ftp_server", "file_name"], name="iso_server_file_idx")]

    def __str__(self):
        return self.iso_name or self.file_name

    @staticmethod
    def remote_key(ftp_server, file_name):
        return hashlib.sha256(f"{ftp_server.pk}/{file_name}".encode()).hexdigest()

    @transition(field=status, source=[Status.QUEUED, Status.FAILED], target=Status.UPLOADING)
    def start_upload(self, staging_file):
        self.staging_file = staging_file

    @transition(field=status, source=Status.UPLOADING, target=Status.AVAILABLE)
    def finish_upload(self, size, mtime):
        self.size, self.mtime, self.staging_file = size, mtime, ""
        self.backend_id = self.remote_key(self.ftp_server, self.file_name)

    @transition(field=status, source=Status.UPLOADING, target=Status.FAILED)
    def fail_upload(self):
        self.staging_file = ""

    @transition(
        field=status,
        source=[Status.QUEUED, Status.FAILED, Status.AVAILABLE],
        target=Status.DELETING,
    )
    def start_deletion(self):
        pass
