"""Mirrors of the clouds' networks (a tenant's own ones are its VPCs) with their subnets,
routers, security groups, availability zones and compute hosts.

Written by the network pull (workflows.sync_network) and, for VPCs and routers, by the
jobs that change them; the server create checks a request against them before anything
is written. Security groups (security_groups/) are also created and changed through the
portal, so they carry the portal's own fields.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.clouds.mirror import MirroredModel


def new_vpc_id():
    return f"vpc-{uuid.uuid4()}"


def new_subnet_id():
    return f"subnet-{uuid.uuid4()}"


def new_router_id():
    return f"router-{uuid.uuid4()}"


class State(models.TextChoices):
    """The portal's own lifecycle of a VPC, subnet or router (the cloud's status apart):
    one operation at a time; `failed` is a create that did not finish."""

    CREATING = "creating", _("creating")
    READY = "ready", _("ready")
    UPDATING = "updating", _("updating")
    DELETING = "deleting", _("deleting")
    FAILED = "failed", _("failed")


class Network(MirroredModel):
    """A Neutron network. A tenant may boot on its project's networks and shared ones.

    A network in a tenant's project (`tenant` set, not external) is one of its VPCs,
    whether the portal made it or the pull found it; `vpc_id` is the portal's id of it.
    """

    vpc_id = models.CharField(_("VPC id"), max_length=64, unique=True, default=new_vpc_id)
    name = models.CharField(_("name"), max_length=255, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    project_id = models.CharField(_("project id"), max_length=64, blank=True)
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, null=True, blank=True,
        related_name="vpcs", verbose_name=_("tenant"),
    )  # fmt: skip
    shared = models.BooleanField(_("shared"), default=False)
    external = models.BooleanField(_("external"), default=False)
    status = models.CharField(_("status"), max_length=32, blank=True)
    state = models.CharField(_("portal state"), max_length=16, choices=State, default=State.READY)
    state_message = models.CharField(_("state message"), max_length=500, blank=True)
    cloud_created_at = models.DateTimeField(_("created in the cloud"), null=True, blank=True)
    current_task = models.ForeignKey(
        "core.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("latest task"),
    )  # fmt: skip

    class Meta(MirroredModel.Meta):
        ordering = ["name", "backend_id"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        indexes = [
            models.Index(fields=["cloud", "project_id"], name="network_project_idx"),
            models.Index(fields=["tenant", "name"], name="network_tenant_idx"),
        ]

    def __str__(self):
        return self.name or self.backend_id or ""


class Subnet(MirroredModel):
    """A Neutron subnet of a mirrored network (a VPC's subnets)."""

    subnet_id = models.CharField(_("subnet id"), max_length=64, unique=True, default=new_subnet_id)
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="subnets", verbose_name=_("network")
    )
    name = models.CharField(_("name"), max_length=255, blank=True)
    cidr = models.CharField(_("CIDR"), max_length=64)
    gateway_ip = models.CharField(_("gateway IP"), max_length=64, blank=True)
    ip_version = models.PositiveSmallIntegerField(_("IP version"), default=4)
    state = models.CharField(_("portal state"), max_length=16, choices=State, default=State.READY)

    class Meta(MirroredModel.Meta):
        ordering = ["network", "cidr", "pk"]
        verbose_name = _("subnet")
        verbose_name_plural = _("subnets")

    def __str__(self):
        return self.name or self.cidr


class Router(MirroredModel):
    """A Neutron router of a tenant's project: its external gateway, its interfaces on
    VPC subnets and its route table (Neutron's `routes`: destination -> next hop)."""

    router_id = models.CharField(_("router id"), max_length=64, unique=True, default=new_router_id)
    name = models.CharField(_("name"), max_length=255, blank=True)
    project_id = models.CharField(_("project id"), max_length=64, blank=True)
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, null=True, blank=True,
        related_name="routers", verbose_name=_("tenant"),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=32, blank=True)
    # The Neutron id of the external network the gateway is on ("" without a gateway).
    external_network_id = models.CharField(_("external network"), max_length=64, blank=True)
    routes = models.JSONField(_("routes"), default=list, blank=True)  # [{destination, nexthop}]
    state = models.CharField(_("portal state"), max_length=16, choices=State, default=State.READY)
    state_message = models.CharField(_("state message"), max_length=500, blank=True)
    cloud_created_at = models.DateTimeField(_("created in the cloud"), null=True, blank=True)
    current_task = models.ForeignKey(
        "core.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("latest task"),
    )  # fmt: skip

    class Meta(MirroredModel.Meta):
        ordering = ["name", "pk"]
        verbose_name = _("router")
        verbose_name_plural = _("routers")
        indexes = [
            models.Index(fields=["cloud", "project_id"], name="router_project_idx"),
            models.Index(fields=["tenant", "name"], name="router_tenant_idx"),
        ]

    def __str__(self):
        return self.name or self.router_id


class RouterInterface(models.Model):
    """A router's port on a subnet (Neutron's router interface), as last read."""

    router = models.ForeignKey(
        Router, on_delete=models.CASCADE, related_name="interfaces", verbose_name=_("router")
    )
    subnet = models.ForeignKey(
        Subnet, on_delete=models.CASCADE, related_name="router_interfaces",
        verbose_name=_("subnet"),
    )  # fmt: skip

    class Meta:
        ordering = ["router", "subnet"]
        verbose_name = _("router interface")
        verbose_name_plural = _("router interfaces")
        constraints = [
            models.UniqueConstraint(fields=["router", "subnet"], name="one_interface_per_subnet")
        ]

    def __str__(self):
        return f"{self.router} - {self.subnet}"


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


class Vpc(Network):
    """A tenant's network seen as a VPC (the admin's VPC pages; the same rows)."""

    class Meta:
        proxy = True
        verbose_name = _("VPC")
        verbose_name_plural = _("VPCs")


# Models with a module of their own, registered with this app by being imported here.
from portal.network.floating_ips.models import FloatingIP  # noqa: E402, F401
from portal.network.security_groups.models import SecurityGroup, SecurityGroupRule  # noqa: E402, F401
