"""NAS shares (seed 004's NasDisk, Manila shares) and the share networks the portal makes
for them."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from portal.clouds.mirror import MirroredModel
from portal.core.models import CloudResourceModel


class ShareNetwork(CloudResourceModel):
    """A Manila share network on one Neutron network and subnet of a tenant: where the
    share server of its shares gets its ports. Made by the first share on that subnet
    (or found in the cloud when the tenant had one) and deleted by the portal, once no
    share uses it, only if the portal made it (`made_by_portal`)."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.PROTECT, related_name="+", verbose_name=_("tenant")
    )
    network_id = models.CharField(_("network id"), max_length=64)
    subnet_id = models.CharField(_("subnet id"), max_length=64)
    made_by_portal = models.BooleanField(_("made by the portal"), default=True)

    class Meta(CloudResourceModel.Meta):
        ordering = ["-created", "-pk"]
        verbose_name = _("share network")
        verbose_name_plural = _("share networks")
        constraints = [
            *CloudResourceModel.Meta.constraints,
            # one per subnet of a tenant: concurrent creates on a subnet share it
            models.UniqueConstraint(
                fields=["cloud", "tenant", "network_id", "subnet_id"],
                name="one_share_network_per_subnet",
            ),
        ]

    def __str__(self):
        return self.backend_id or f"share network {self.pk}"


def new_share_id():
    return str(uuid.uuid4())


LIVE = ~models.Q(status="deleted")


class Share(ConcurrentTransitionMixin, MirroredModel):
    """A tenant's NAS share (seed 004's NasDisk).

    `share_id` is the portal's public id; `backend_id` Manila's. `status` is the portal's
    lifecycle (a state machine); `share_status` and `share_progress` are Manila's as last
    read, as are the export locations and the access rules
    (`[{id, access_to, access_level, state}]`). `locked` is the one-operation-at-a-time
    lock, taken with a conditional UPDATE (`locking.lock_for_operation`).
    """

    class Status(models.TextChoices):
        CREATING = "creating", _("creating")
        READY = "ready", _("ready")
        RESIZING = "resizing", _("resizing")
        DELETING = "deleting", _("deleting")
        DELETED = "deleted", _("deleted")
        FAILED = "failed", _("creation failed")

    class Protocol(models.TextChoices):
        NFS = "NFS", "NFS"
        CIFS = "CIFS", "CIFS"

    share_id = models.CharField(_("share id"), max_length=64, unique=True, default=new_share_id)
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.PROTECT, related_name="shares", verbose_name=_("tenant")
    )
    name = models.CharField(_("name"), max_length=255)
    description = models.CharField(_("description"), max_length=255, blank=True)
    proto = models.CharField(_("protocol"), max_length=8, choices=Protocol.choices)
    size = models.PositiveIntegerField(_("size (GB)"))
    network_id = models.CharField(_("network id"), max_length=64)
    share_network = models.ForeignKey(
        ShareNetwork,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shares",
        verbose_name=_("share network"),
    )
    share_server_id = models.CharField(_("share server id"), max_length=64, blank=True)
    share_server_host = models.CharField(_("share server host"), max_length=255, blank=True)
    share_status = models.CharField(_("cloud status"), max_length=40, blank=True)
    share_progress = models.CharField(_("cloud progress"), max_length=16, blank=True)
    export_locations = models.JSONField(_("export locations"), default=list, blank=True)
    access_rules = models.JSONField(_("access rules"), default=list, blank=True)
    status = FSMField(_("status"), default=Status.CREATING, choices=Status.choices)
    status_message = models.CharField(_("status message"), max_length=500, blank=True)
    locked = models.BooleanField(_("locked by an operation"), default=False)
    current_task = models.ForeignKey(
        "core.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest task"),
    )

    class Meta(MirroredModel.Meta):
        ordering = ["-created", "-pk"]
        verbose_name = _("NAS share")
        verbose_name_plural = _("NAS shares")
        indexes = [
            models.Index(fields=["-created", "-id"], name="share_live_idx", condition=LIVE),
            models.Index(
                fields=["tenant", "-created", "-id"], name="share_tenant_live_idx", condition=LIVE
            ),
            models.Index(fields=["name"], name="share_name_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.share_id})"

    @transition(field=status, source=Status.CREATING, target=Status.READY)
    def mark_created(self):
        self.status_message = ""

    @transition(field=status, source=Status.CREATING, target=Status.FAILED)
    def mark_create_failed(self, message):
        self.status_message = str(message)[:500]

    @transition(field=status, source=Status.READY, target=Status.RESIZING)
    def begin_resize(self):
        pass

    @transition(field=status, source=Status.RESIZING, target=Status.READY)
    def end_resize(self, message=""):
        self.status_message = str(message)[:500]

    @transition(field=status, source=[Status.READY, Status.FAILED], target=Status.DELETING)
    def begin_delete(self):
        pass

    @transition(field=status, source=Status.DELETING, target=Status.DELETED)
    def mark_deleted(self):
        self.share_status, self.share_progress, self.export_locations = "deleted", "", []

    @transition(
        field=status, source=Status.DELETING, target=RETURN_VALUE(Status.READY, Status.FAILED)
    )
    def cancel_delete(self, message, create_failed=False):
        self.status_message = str(message)[:500]
        return self.Status.FAILED if create_failed else self.Status.READY
