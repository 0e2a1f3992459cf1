"""A tenant's floating IP (its table is the network app's: network_floatingip)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.clouds.mirror import MirroredModel


def new_floating_ip_id():
    return str(uuid.uuid4())


class FloatingIP(MirroredModel):
    """A Neutron floating IP: created by an allocation Task (`backend_id` is null until
    Neutron made it) or found by the network pull, which keeps the cloud's fields in step.

    `state` is the portal's own: the operation in progress (one at a time), or `failed`
    for an allocation the cloud refused (the row stays as history with its reason).
    `device_id` is the Nova server of the associated port, whatever its owner.
    """

    class State(models.TextChoices):
        ALLOCATING = "allocating", _("allocating")
        READY = "ready", _("ready")
        ASSOCIATING = "associating", _("associating")
        DISSOCIATING = "dissociating", _("dissociating")
        RELEASING = "releasing", _("releasing")
        FAILED = "failed", _("failed")

    floating_ip_id = models.CharField(
        _("floating IP id"), max_length=64, unique=True, default=new_floating_ip_id
    )
    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="floating_ips",
        verbose_name=_("tenant"),
    )
    project_id = models.CharField(_("project id"), max_length=64, blank=True)
    floating_ip_address = models.CharField(_("floating IP address"), max_length=64, blank=True)
    external_network_id = models.CharField(_("external network id"), max_length=64)
    status = models.CharField(_("cloud status"), max_length=32, blank=True)
    port_id = models.CharField(_("port id"), max_length=64, blank=True)
    fixed_ip_address = models.CharField(_("fixed IP address"), max_length=64, blank=True)
    device_id = models.CharField(_("server id in the cloud"), max_length=64, blank=True)
    router_id = models.CharField(_("router id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created in the cloud"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.ALLOCATING
    )
    status_message = models.CharField(_("status message"), max_length=500, blank=True)
    current_task = models.ForeignKey(
        "core.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest task"),
    )

    class Meta(MirroredModel.Meta):
        ordering = ["-created", "pk"]
        verbose_name = _("floating IP")
        verbose_name_plural = _("floating IPs")
        indexes = [
            models.Index(fields=["tenant", "-created"], name="floatingip_tenant_idx"),
            models.Index(fields=["cloud", "project_id"], name="floatingip_project_idx"),
        ]

    def __str__(self):
        return self.floating_ip_address or self.floating_ip_id
