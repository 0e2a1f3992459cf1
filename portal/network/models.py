"""Mirrors of the clouds' networks, security groups, availability zones and compute hosts.

Written only by the network pull (services.sync_network); the server create checks a
request against them before anything is written. All four are the cloud's objects: the
portal adds no flag of its own.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.clouds.mirror import MirroredModel


class Network(MirroredModel):
    """A Neutron network. A tenant may boot on its project's networks and shared ones."""

    name = models.CharField(_("name"), max_length=255, blank=True)
    project_id = models.CharField(_("project id"), max_length=64, blank=True)
    shared = models.BooleanField(_("shared"), default=False)
    external = models.BooleanField(_("external"), default=False)
    status = models.CharField(_("status"), max_length=32, blank=True)

    class Meta(MirroredModel.Meta):
        ordering = ["name", "backend_id"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        indexes = [models.Index(fields=["cloud", "project_id"], name="network_project_idx")]

    def __str__(self):
        return self.name or self.backend_id or ""


class SecurityGroup(MirroredModel):
    """A Neutron security group of one project; Nova takes a group by its name."""

    name = models.CharField(_("name"), max_length=255)
    project_id = models.CharField(_("project id"), max_length=64, blank=True)

    class Meta(MirroredModel.Meta):
        ordering = ["name", "backend_id"]
        verbose_name = _("security group")
        verbose_name_plural = _("security groups")
        indexes = [
            models.Index(fields=["cloud", "project_id", "name"], name="secgroup_project_name_idx")
        ]

    def __str__(self):
        return self.name


class AvailabilityZone(MirroredModel):
    """A compute availability zone; `backend_id` is its name (Nova has no other id)."""

    name = models.CharField(_("name"), max_length=255)
    available = models.BooleanField(_("available"), default=True)

    class Meta(MirroredModel.Meta):
        ordering = ["name"]
        verbose_name = _("availability zone")
        verbose_name_plural = _("availability zones")

    def __str__(self):
        return self.name


class ComputeHost(MirroredModel):
    """A hypervisor's nova-compute service; `backend_id` is the host name."""

    class State(models.TextChoices):
        UP = "up", _("up")
        DOWN = "down", _("down")

    class Status(models.TextChoices):
        ENABLED = "enabled", _("enabled")
        DISABLED = "disabled", _("disabled")

    name = models.CharField(_("host name"), max_length=255)
    zone = models.CharField(_("availability zone"), max_length=255, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    disabled_reason = models.CharField(_("disabled reason"), max_length=255, blank=True)
    # The hypervisor's capacity (what the scheduler may place) and what servers hold of it.
    vcpus = models.PositiveIntegerField(_("vCPUs"), default=0)
    vcpus_used = models.PositiveIntegerField(_("vCPUs used"), default=0)
    memory_mb = models.PositiveBigIntegerField(_("RAM (MB)"), default=0)
    memory_mb_used = models.PositiveBigIntegerField(_("RAM used (MB)"), default=0)
    disk_gb = models.PositiveBigIntegerField(_("local disk (GB)"), default=0)
    disk_gb_used = models.PositiveBigIntegerField(_("local disk used (GB)"), default=0)
    servers = models.PositiveIntegerField(_("servers"), default=0)

    class Meta(MirroredModel.Meta):
        ordering = ["name"]
        verbose_name = _("compute host")
        verbose_name_plural = _("compute hosts")

    def __str__(self):
        return self.name


# A feature with its own package; its model is the network app's.
from portal.network.floating_ips.models import FloatingIP  # noqa: E402, F401
