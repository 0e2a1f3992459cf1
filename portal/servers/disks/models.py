"""A tenant's cloud disk (a Cinder volume): the servers app's `Volume` table."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.models import CloudResourceModel

# Cinder's volume statuses (what `volume_status` shows), with the admin's labels; "deleted"
# is the portal's own: the cloud confirmed the volume gone, the row stays as history.
VOLUME_STATES = [
    ("creating", _("creating")),
    ("available", _("available")),
    ("reserved", _("reserved")),
    ("attaching", _("attaching")),
    ("in-use", _("in use")),
    ("detaching", _("detaching")),
    ("extending", _("extending")),
    ("maintenance", _("maintenance")),
    ("deleting", _("deleting")),
    ("error", _("error")),
    ("error_extending", _("error while extending")),
    ("error_deleting", _("error while deleting")),
    ("deleted", _("deleted")),
]


def new_volume_id():
    return str(uuid.uuid4())


class VolumeQuerySet(models.QuerySet):
    def in_cloud(self):
        """The disks the cloud made and the portal has not deleted."""
        return self.filter(backend_id__isnull=False).exclude(status=Volume.DELETED)

    def live(self):
        """The disks that are not history (those the cloud confirmed deleted)."""
        return self.exclude(status=Volume.DELETED)


class Volume(CloudResourceModel):
    """A cloud disk (seed 004's CloudDisk): a Cinder volume of a tenant.

    Made alone (`POST /cloud-disks`) or with a server as one of its data disks; attached
    to at most one server (`server`, with the `device` Nova reported and when), detached
    and kept when that server is deleted. `volume_id` is the portal's public id, fixed
    before the cloud has made the volume; `backend_id` is Cinder's. `status` is Cinder's
    status as last read ("creating" until the cloud has it; "deleted" once it confirmed
    the deletion). `locked` is the portal's one-operation-at-a-time lock, taken with a
    conditional UPDATE; `current_task` the latest operation. The state sync mirrors the
    cloud's volumes into these rows (changes only) and adds those made outside the portal
    in a tenant's project (origin `discovered`).
    """

    DELETED = "deleted"
    ERROR = "error"
    # Cinder statuses a portal operation may start from.
    AVAILABLE, IN_USE = "available", "in-use"

    class Origin(models.TextChoices):
        PORTAL = "portal", _("created in the portal")
        DISCOVERED = "discovered", _("found in the cloud by the state sync")

    objects = VolumeQuerySet.as_manager()

    volume_id = models.CharField(_("volume id"), max_length=64, unique=True, default=new_volume_id)
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.PROTECT, related_name="volumes", verbose_name=_("tenant")
    )
    server = models.ForeignKey(
        "servers.Server",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="data_volumes",
        verbose_name=_("attached to"),
    )
    name = models.CharField(_("name"), max_length=255, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("size (GB)"))
    volume_type = models.CharField(_("volume type"), max_length=64, blank=True)
    availability_zone = models.CharField(_("availability zone"), max_length=255, blank=True)
    # The order of a server's data disks as it was created with them (0: made alone).
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    status = models.CharField(_("status"), max_length=32, default="creating", choices=VOLUME_STATES)
    status_message = models.CharField(_("status message"), max_length=500, blank=True)
    device = models.CharField(_("device"), max_length=64, blank=True)
    attached_at = models.DateTimeField(_("attached at"), null=True, blank=True)
    locked = models.BooleanField(_("locked by an operation"), default=False)
    current_task = models.ForeignKey(
        "core.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest task"),
    )
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.PORTAL
    )
    synced_at = models.DateTimeField(_("synced at"), null=True, blank=True)

    class Meta(CloudResourceModel.Meta):
        ordering = ["position", "pk"]
        verbose_name = _("cloud disk")
        verbose_name_plural = _("cloud disks")
        indexes = [
            models.Index(
                fields=["tenant", "-created", "-id"],
                name="volume_tenant_live_idx",
                condition=~models.Q(status="deleted"),
            ),
            models.Index(fields=["-created", "-id"], name="volume_created_idx"),
            models.Index(fields=["name"], name="volume_name_idx"),
        ]

    def __str__(self):
        return self.name or self.backend_id or self.volume_id

    @property
    def is_attached(self) -> bool:
        return self.server_id is not None or self.status == self.IN_USE
