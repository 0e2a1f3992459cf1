"""Images: mirrored from the clouds' Glance, or uploaded through the portal."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from portal.clouds.mirror import MirroredModel

# Task kinds of an uploaded image's transfer and deletion (queued by the request side,
# released by the worker side when the janitor fails a stuck one).
UPLOAD_KIND = "images.upload"
DELETE_KIND = "images.delete"


def new_image_id():
    return str(uuid.uuid4())


class UploadState(models.TextChoices):
    NONE = "", _("not uploaded through the portal")
    QUEUED = "queued", _("waiting for data")
    RECEIVING = "receiving", _("receiving data")
    TRANSFERRING = "transferring", _("transferring to the cloud")
    ACTIVE = "active", _("active")
    FAILED = "failed", _("failed")
    DELETING = "deleting", _("being deleted")


# An upload may be deleted unless its data is on its way to the cloud.
DELETABLE_STATES = [
    UploadState.QUEUED,
    UploadState.RECEIVING,
    UploadState.ACTIVE,
    UploadState.FAILED,
]


class Image(MirroredModel):
    """A Glance image, as the portal knows it.

    Public id: `image_id`, a separate field, unique across clouds and fixed for the row's
    life, used in every URL. A synced image takes the cloud's id (Glance ids are UUIDs), so
    clients see the same id as `glance image-list`; only if another cloud's image already
    holds that id does it get a fresh UUID. An upload creates its row before the cloud has
    an id, so it gets a fresh UUID at once (the upload job may pass it to Glance, which
    accepts a caller-chosen id, to keep both equal). `backend_id` stays the cloud's id and
    is what pulls match on.

    `enabled` is the portal's flag (seed 003: only enabled images make templates; disabling
    one leaves existing templates and servers alone). `status` is Glance's own.
    """

    class Origin(models.TextChoices):
        SYNCED = "synced", _("synced from the cloud")
        UPLOADED = "uploaded", _("uploaded through the portal")

    ACTIVE = "active"  # Glance's status of a usable image
    # Glance visibilities every project of the cloud may boot from.
    OPEN_VISIBILITIES = ("public", "community")

    image_id = models.CharField(_("image id"), max_length=64, unique=True, default=new_image_id)
    name = models.CharField(_("name"), max_length=255, blank=True)
    disk_format = models.CharField(_("disk format"), max_length=20, blank=True)
    container_format = models.CharField(_("container format"), max_length=20, blank=True)
    size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    checksum = models.CharField(_("checksum"), max_length=128, blank=True)
    min_disk = models.PositiveIntegerField(_("minimum disk (GB)"), default=0)
    min_ram = models.PositiveIntegerField(_("minimum RAM (MB)"), default=0)
    visibility = models.CharField(_("visibility"), max_length=20, default="public")
    owner = models.CharField(
        _("owner project"), max_length=64, blank=True, help_text=_("The cloud project id.")
    )
    status = models.CharField(_("status"), max_length=20, default="queued")
    os_type = models.CharField(_("OS type"), max_length=50, blank=True)
    os_distro = models.CharField(_("OS distribution"), max_length=50, blank=True)
    os_version = models.CharField(_("OS version"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)
    properties = models.JSONField(_("properties"), default=dict, blank=True)
    enabled = models.BooleanField(
        _("enabled"), default=True, help_text=_("Only enabled images are offered to tenants.")
    )
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.SYNCED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    upload_state = FSMField(
        _("upload state"), max_length=20, default="", blank=True, protected=False,
        choices=UploadState.choices,
        help_text=_("Where a portal upload stands; empty for synced images."),
    )  # fmt: skip
    # The staged data (browser -> portal), kept until the transfer to the cloud ends.
    upload_size = models.BigIntegerField(_("upload size (bytes)"), null=True, blank=True)
    received_bytes = models.BigIntegerField(_("bytes received"), default=0)
    # Storage names of the received pieces, in order (one per Content-Range PUT).
    staged_parts = models.JSONField(_("staged parts"), default=list, blank=True)
    # Who uploaded it, as the audit log names callers (a platform key has no user).
    uploaded_by_actor = models.CharField(_("uploaded by (caller)"), max_length=200, blank=True)

    class Meta(MirroredModel.Meta):
        ordering = ["name", "pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")
        indexes = [
            # The tenant list: enabled, active, present images, by name.
            models.Index(
                fields=["name"],
                name="image_offered_idx",
                condition=models.Q(enabled=True, status="active", missing_since__isnull=True),
            ),
            models.Index(fields=["cloud", "status"], name="image_cloud_status_idx"),
            models.Index(fields=["os_type"], name="image_os_type_idx"),
            models.Index(fields=["disk_format"], name="image_disk_format_idx"),
        ]

    def __str__(self):
        return self.name or self.image_id

    # ---- the upload lifecycle (origin uploaded) ------------------------------------
    # queued -> receiving -> transferring -> active | failed; any settled state but
    # transferring -> deleting, which ends with the row gone or back where it was.
    # The transfer may start before the last piece arrived (the legs overlap): an image
    # transferring with received_bytes < upload_size still takes pieces (`still_receiving`),
    # which the transfer job reads as they are staged.

    @property
    def still_receiving(self):
        """Transferring while later pieces are still expected."""
        return self.upload_state == UploadState.TRANSFERRING and (
            self.received_bytes < (self.upload_size or 0)
        )

    @property
    def is_receiving(self):
        return (
            self.upload_state in (UploadState.QUEUED, UploadState.RECEIVING) or self.still_receiving
        )

    @transition(field=upload_state, source=[UploadState.QUEUED, UploadState.RECEIVING],
                target=UploadState.RECEIVING)  # fmt: skip
    def receive(self, received_bytes, upload_size):
        self.received_bytes, self.upload_size = received_bytes, upload_size

    @transition(field=upload_state, source=UploadState.TRANSFERRING,
                target=UploadState.TRANSFERRING,
                conditions=[lambda image: image.still_receiving])  # fmt: skip
    def receive_during_transfer(self, received_bytes):
        self.received_bytes = received_bytes

    @transition(field=upload_state, source=UploadState.RECEIVING, target=UploadState.QUEUED)
    def discard_received(self):
        self.received_bytes, self.upload_size = 0, None

    @transition(field=upload_state, source=UploadState.RECEIVING, target=UploadState.TRANSFERRING)
    def start_transfer(self):
        self.status = "saving"

    @transition(field=upload_state, source=UploadState.TRANSFERRING, target=UploadState.ACTIVE)
    def finish_transfer(self, info):
        self.status = (info.status or "").lower()
        self.size, self.checksum = info.size, info.checksum or ""

    @transition(field=upload_state, source=UploadState.TRANSFERRING, target=UploadState.FAILED)
    def fail_transfer(self):
        self.status, self.backend_id = "killed", None

    @transition(field=upload_state, source=DELETABLE_STATES, target=UploadState.DELETING)
    def start_deletion(self):
        pass

    @transition(
        field=upload_state,
        source=UploadState.DELETING,
        target=RETURN_VALUE(UploadState.ACTIVE, UploadState.FAILED),
    )
    def deletion_failed(self):
        # The cloud still holds what it held: an active image stays usable.
        return UploadState.ACTIVE if self.status == self.ACTIVE else UploadState.FAILED
