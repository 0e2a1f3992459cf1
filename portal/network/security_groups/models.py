"""Security groups and their rules: mirrors of Neutron's, plus what only the portal knows
(its public id, the owning tenant, the operation under way)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.clouds.mirror import MirroredModel


def new_security_group_id():
    return str(uuid.uuid4())


class SecurityGroupQuerySet(models.QuerySet):
    def in_cloud(self):
        """The groups the cloud has now: made there (a group the portal is still making,
        or failed to make, is not) and not gone since."""
        return self.filter(backend_id__isnull=False, missing_since__isnull=True)


class SecurityGroup(MirroredModel):
    """A Neutron security group of one project; Nova takes a group by its name.

    `security_group_id` is the portal's public id, fixed before the cloud has made the
    group (`backend_id`, shown as `cloud_security_group_id`). `status` is the portal's
    lifecycle and lock: one operation at a time, taken with a conditional UPDATE from
    ready (or failed, for a retry or delete). Groups found by the network pull are ready;
    their tenant is the one whose project owns them (none for other projects).
    """

    class Status(models.TextChoices):
        CREATING = "creating", _("creating")
        READY = "ready", _("ready")
        UPDATING = "updating", _("updating")
        OPERATING = "operating", _("attaching or detaching servers")
        DELETING = "deleting", _("deleting")
        FAILED = "failed", _("creation failed")

    # The states a new operation may start from.
    IDLE = (Status.READY, Status.FAILED)

    security_group_id = models.CharField(
        _("security group id"), max_length=64, unique=True, default=new_security_group_id
    )
    name = models.CharField(_("name"), max_length=255)
    description = models.CharField(_("description"), max_length=255, blank=True)
    project_id = models.CharField(_("project id"), max_length=64, blank=True)
    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="security_groups",
        verbose_name=_("tenant"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.READY
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
    cloud_created_at = models.DateTimeField(_("created in the cloud"), null=True, blank=True)
    cloud_updated_at = models.DateTimeField(_("updated in the cloud"), null=True, blank=True)

    objects = SecurityGroupQuerySet.as_manager()

    class Meta(MirroredModel.Meta):
        ordering = ["name", "backend_id"]
        verbose_name = _("security group")
        verbose_name_plural = _("security groups")
        indexes = [
            models.Index(fields=["cloud", "project_id", "name"], name="secgroup_project_name_idx"),
            models.Index(fields=["tenant", "name"], name="secgroup_tenant_name_idx"),
        ]

    def __str__(self):
        return self.name


class SecurityGroupRule(MirroredModel):
    """A Neutron security group rule. Neutron cannot change a rule: a new rule set is
    made of new rules and the old ones are deleted (workflows.replace_rules)."""

    class Direction(models.TextChoices):
        INGRESS = "ingress", _("ingress")
        EGRESS = "egress", _("egress")

    group = models.ForeignKey(
        SecurityGroup,
        on_delete=models.CASCADE,
        related_name="rules",
        verbose_name=_("security group"),
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    protocol = models.CharField(_("protocol"), max_length=16, blank=True)  # "": any
    port_range_min = models.PositiveIntegerField(_("lowest port"), null=True, blank=True)
    port_range_max = models.PositiveIntegerField(_("highest port"), null=True, blank=True)
    remote_ip_prefix = models.CharField(_("remote IP prefix"), max_length=64, blank=True)
    ethertype = models.CharField(_("IP version"), max_length=8, default="IPv4")
    description = models.CharField(_("description"), max_length=255, blank=True)
    cloud_created_at = models.DateTimeField(_("created in the cloud"), null=True, blank=True)
    cloud_updated_at = models.DateTimeField(_("updated in the cloud"), null=True, blank=True)

    class Meta(MirroredModel.Meta):
        ordering = ["group", "direction", "protocol", "port_range_min", "backend_id"]
        verbose_name = _("security group rule")
        verbose_name_plural = _("security group rules")

    def __str__(self):
        ports = ""
        if self.port_range_min is not None:
            ports = f":{self.port_range_min}-{self.port_range_max or self.port_range_min}"
        remote = self.remote_ip_prefix or _("anywhere")
        return f"{self.direction} {self.protocol or _('any')}{ports} {remote}"
