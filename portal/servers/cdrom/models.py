"""The ISO in a server's CD drive (its table is the one the ISOs app made: isos_isomount)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from portal.core.models import TimestampedModel


class IsoMountQuerySet(models.QuerySet):
    def holding(self):
        """The mounts that hold a server's CD drive (not the failed ones)."""
        return self.filter(status__in=IsoMount.HOLDING)


class IsoMount(TimestampedModel):
    """An ISO in a server's virtual CD drive: one per server at a time.

    For OpenStack the "CD" is a volume made from the ISO's Glance registration and
    attached to the server (portal/servers/cdrom/workflows.py says why). `volume_id` and
    `image_id` are recorded as soon as the cloud returns them, so a failure can clean them up.

    Status (a state machine): attaching -> attached -> detaching (the row is deleted when
    the volume is gone; back to attached if the cloud refuses); attaching -> failed (what
    was made is removed; the row stays as history with its reason). When the server is
    deleted, its CD volume is deleted too and the row goes (failed if the cloud refuses).
    Only rows that are not failed hold the server: the unique constraint says so.
    """

    class Status(models.TextChoices):
        ATTACHING = "attaching", _("attaching")
        ATTACHED = "attached", _("attached")
        DETACHING = "detaching", _("detaching")
        FAILED = "failed", _("failed")

    HOLDING = (Status.ATTACHING, Status.ATTACHED, Status.DETACHING)

    server = models.ForeignKey(
        "servers.Server", on_delete=models.CASCADE, related_name="iso_mounts",
        verbose_name=_("server"),
    )  # fmt: skip
    # CASCADE only reaches failed rows: deletion refuses ISOs with holding mounts.
    iso = models.ForeignKey(
        "isos.Iso", on_delete=models.CASCADE, related_name="mounts", verbose_name=_("ISO")
    )
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.ATTACHING)
    status_message = models.CharField(_("status message"), max_length=500, blank=True)
    volume_id = models.CharField(_("volume id"), max_length=64, blank=True)
    image_id = models.CharField(_("Glance image id"), max_length=64, blank=True)
    device = models.CharField(_("device"), max_length=64, blank=True)
    mounted_by = models.CharField(_("mounted by"), max_length=200, blank=True)
    attached_at = models.DateTimeField(_("attached at"), null=True, blank=True)
    task = models.ForeignKey(
        "core.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("latest task"),
    )  # fmt: skip

    objects = IsoMountQuerySet.as_manager()

    class Meta:
        db_table = "isos_isomount"  # made by the ISOs app, which held the CD drive before
        ordering = ["-created", "-pk"]
        verbose_name = _("ISO mount")
        verbose_name_plural = _("ISO mounts")
        constraints = [
            models.UniqueConstraint(
                fields=["server"],
                condition=~models.Q(status="failed"),
                name="one_iso_per_server",
            )
        ]

    def __str__(self):
        return f"{self.iso} @ {self.server_id}"

    @transition(field=status, source=Status.ATTACHING, target=Status.ATTACHED)
    def mark_attached(self, device, when):
        self.device, self.attached_at, self.status_message = device, when, ""

    # From attached: the server was deleted and its CD volume could not be removed.
    @transition(field=status, source=[Status.ATTACHING, Status.ATTACHED], target=Status.FAILED)
    def mark_failed(self, message):
        self.status_message = str(message)[:500]

    @transition(field=status, source=Status.ATTACHED, target=Status.DETACHING)
    def begin_detach(self):
        pass

    @transition(field=status, source=Status.DETACHING, target=Status.ATTACHED)
    def cancel_detach(self, message):
        self.status_message = str(message)[:500]
