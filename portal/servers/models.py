"""Flavors, servers and key pairs (their data disks: disks/models.py)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from portal.clouds.mirror import MirroredModel
from portal.core.fields import EncryptedTextField
from portal.core.models import CloudResourceModel, TimestampedModel
from portal.servers.cloud_states import POWER_STATES, RUNTIME_STATES


class Flavor(MirroredModel):
    """A Nova flavor, mirrored from its cloud by the flavor pull job.

    Its public id (`flavor_id` in the API) is the cloud's own flavor id, `backend_id`:
    flavors are only ever made in the cloud. That id is unique per cloud only; the API
    resolves it in the requested region (the default cloud first when none is named).

    `enabled` is the portal's flag (a disabled flavor is hidden from tenants); the other
    fields are the cloud's. A non-public flavor is offered to the tenants in `shared_with`,
    mirrored from the cloud's flavor access list through the tenants' project ids.
    """

    name = models.CharField(_("name"), max_length=255)
    vcpus = models.PositiveIntegerField(_("vCPUs"))
    ram = models.PositiveIntegerField(_("RAM (MB)"))
    disk = models.PositiveIntegerField(_("disk (GB)"))
    extra_specs = models.JSONField(_("extra specs"), default=dict, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    enabled = models.BooleanField(
        _("enabled"), default=True, help_text=_("Only enabled flavors are offered to tenants.")
    )
    shared_with = models.ManyToManyField(
        "tenants.Tenant",
        blank=True,
        related_name="shared_flavors",
        verbose_name=_("shared with"),
        help_text=_("Tenants that may use this non-public flavor (the cloud's access list)."),
    )

    class Meta(MirroredModel.Meta):
        ordering = ["vcpus", "ram", "disk", "name"]
        verbose_name = _("flavor")
        verbose_name_plural = _("flavors")
        indexes = [
            # The tenant list: enabled, present flavors of a cloud, in size order.
            models.Index(
                fields=["cloud", "vcpus", "ram"],
                name="flavor_offered_idx",
                condition=models.Q(enabled=True, missing_since__isnull=True),
            ),
            models.Index(fields=["name"], name="flavor_name_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.vcpus} vCPU, {self.ram} MB, {self.disk} GB)"

    @property
    def flavor_id(self):
        return self.backend_id


def new_instance_id():
    return str(uuid.uuid4())


LIVE = ~models.Q(status="deleted")  # servers that are not history


class Server(ConcurrentTransitionMixin, CloudResourceModel):
    """A tenant's server (seed 004's Instance).

    `instance_id` is the portal's public id, fixed before the cloud has made the server
    and written into the cloud server's metadata, so a redelivered create job finds the
    server it made. `status` is the portal's lifecycle (a state machine); `runtime_state`
    and `power_state` are the cloud's raw values as last read. `locked` is the portal's
    one-operation-at-a-time lock, taken with a conditional UPDATE (`locking.lock_for_operation`);
    `cloud_locked` is Nova's own lock, which administrators set.

    The flavor's and image's names and sizes are copied onto the row, so a listing needs
    no join and history survives their deletion.
    """

    class Status(models.TextChoices):
        CREATING = "creating", _("creating")
        READY = "ready", _("ready")
        RESIZING = "resizing", _("resizing")
        RESIZED = "resized", _("resized, awaiting confirmation")
        DELETING = "deleting", _("deleting")
        DELETED = "deleted", _("deleted")
        FAILED = "failed", _("creation failed")

    class Origin(models.TextChoices):
        PORTAL = "portal", _("created in the portal")
        DISCOVERED = "discovered", _("found in the cloud by the state sync")

    instance_id = models.CharField(
        _("instance id"), max_length=64, unique=True, default=new_instance_id
    )
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.PROTECT, related_name="servers", verbose_name=_("tenant")
    )
    name = models.CharField(_("name"), max_length=255)
    flavor = models.ForeignKey(
        Flavor, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("flavor")
    )
    flavor_ref = models.CharField(_("flavor id"), max_length=64)
    flavor_name = models.CharField(_("flavor name"), max_length=255)
    vcpus = models.PositiveIntegerField(_("vCPUs"))
    ram = models.PositiveIntegerField(_("RAM (MB)"))
    flavor_disk = models.PositiveIntegerField(_("flavor disk (GB)"), default=0)
    image = models.ForeignKey(
        "images.Image",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("image"),
    )
    image_ref = models.CharField(_("image id"), max_length=64)
    image_name = models.CharField(_("image name"), max_length=255, blank=True)
    system_disk_size = models.PositiveIntegerField(_("system disk (GB)"))
    system_disk_type = models.CharField(_("system disk type"), max_length=64, blank=True)
    network_id = models.CharField(_("network id"), max_length=64)
    security_group_names = models.JSONField(_("security groups"), default=list, blank=True)
    availability_zone = models.CharField(_("availability zone"), max_length=255, blank=True)
    hypervisor_hostname = models.CharField(_("hypervisor host"), max_length=255, blank=True)
    key_name = models.CharField(_("key pair"), max_length=255, blank=True)
    # Kept (encrypted) only until the create job has handed it to the cloud.
    admin_pass = EncryptedTextField(_("admin password"), blank=True, default="")
    addresses = models.JSONField(_("addresses"), default=dict, blank=True)
    status = FSMField(_("status"), default=Status.CREATING, choices=Status.choices)
    status_message = models.CharField(_("status message"), max_length=500, blank=True)
    runtime_state = models.CharField(
        _("cloud status"), max_length=32, blank=True, choices=RUNTIME_STATES
    )
    power_state = models.CharField(
        _("power state"), max_length=32, blank=True, choices=POWER_STATES
    )
    locked = models.BooleanField(_("locked by an operation"), default=False)
    cloud_locked = models.BooleanField(_("locked in the cloud"), default=False)
    current_task = models.ForeignKey(
        "core.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest task"),
    )
    create_requested = models.DateTimeField(_("create requested"), null=True, blank=True)
    synced_at = models.DateTimeField(_("synced at"), null=True, blank=True)
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.PORTAL
    )
    # A resize left for confirmation (the cloud's `resize_confirm` option is "manual"):
    # the flavor it goes to and the Nova status to restore once it is confirmed or reverted.
    resize_flavor = models.ForeignKey(
        Flavor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resizing to"),
    )
    resize_restores = models.CharField(_("status before the resize"), max_length=32, blank=True)

    class Meta(CloudResourceModel.Meta):
        ordering = ["-created", "-pk"]
        verbose_name = _("server")
        verbose_name_plural = _("servers")
        indexes = [
            models.Index(fields=["tenant", "status", "-created"], name="server_tenant_idx"),
            # The operators' list, newest first; the default lists skip deleted history.
            models.Index(fields=["-created", "-id"], name="server_created_idx"),
            models.Index(fields=["-created", "-id"], name="server_live_idx", condition=LIVE),
            models.Index(
                fields=["tenant", "-created", "-id"], name="server_tenant_live_idx", condition=LIVE
            ),
            models.Index(fields=["name"], name="server_name_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.instance_id})"

    @property
    def cloud_status(self) -> str:
        """The cloud's status as last read (Nova's ACTIVE, SHUTOFF, ERROR, DELETED...):
        BUILD while the portal creates it and the cloud has not said more; empty when the
        cloud never held it (a create refused before the cloud made anything)."""
        if self.runtime_state:
            return self.runtime_state
        return "BUILD" if self.status == self.Status.CREATING else ""

    @property
    def instance_addr(self):
        """The first address of the first network (seed 004's single address)."""
        for ips in (self.addresses or {}).values():
            if ips:
                return ips[0]
        return ""

    instance_addr.fget.short_description = _("instance address")

    @transition(field=status, source=Status.CREATING, target=Status.READY)
    def mark_created(self):
        self.status_message = ""

    @transition(field=status, source=Status.CREATING, target=Status.FAILED)
    def mark_create_failed(self, message):
        self.status_message = str(message)[:500]

    @transition(field=status, source=Status.READY, target=Status.RESIZING)
    def begin_resize(self):
        self.resize_restores = ""  # the job records it (an abandoned resize may have left one)

    @transition(field=status, source=Status.RESIZING, target=Status.RESIZED)
    def await_resize_confirmation(self, flavor, restores):
        self.resize_flavor = flavor
        self.resize_restores = restores

    @transition(field=status, source=[Status.RESIZING, Status.RESIZED], target=Status.READY)
    def end_resize(self):
        self.resize_flavor = None
        self.resize_restores = ""

    @transition(
        field=status,
        source=[Status.READY, Status.FAILED, Status.RESIZED],
        target=Status.DELETING,
    )
    def begin_delete(self):
        pass

    @transition(field=status, source=Status.DELETING, target=Status.DELETED)
    def mark_deleted(self):
        """What the cloud now says of it: gone (Nova's DELETED), no power, no addresses."""
        self.runtime_state, self.power_state, self.addresses = "DELETED", "", {}

    @transition(
        field=status, source=Status.DELETING, target=RETURN_VALUE(Status.READY, Status.FAILED)
    )
    def cancel_delete(self, message, create_failed=False):
        """Back to where the deletion began: ready, or failed for a row whose create failed."""
        self.status_message = str(message)[:500]
        return self.Status.FAILED if create_failed else self.Status.READY


class ServerTag(models.Model):
    """A tag on a server (seed 001); a table, so lists filter by tag on any database."""

    server = models.ForeignKey(
        Server, on_delete=models.CASCADE, related_name="tags", verbose_name=_("server")
    )
    name = models.CharField(_("tag"), max_length=60)

    class Meta:
        ordering = ["name"]
        verbose_name = _("server tag")
        verbose_name_plural = _("server tags")
        constraints = [
            models.UniqueConstraint(fields=["server", "name"], name="one_tag_per_server")
        ]
        indexes = [models.Index(fields=["name"], name="server_tag_name_idx")]

    def __str__(self):
        return self.name


def new_keypair_id():
    return str(uuid.uuid4())


class KeyPair(TimestampedModel):
    """A tenant's SSH key pair, registered in a cloud under its name for servers'
    `key_name` (Nova's key pairs belong to the tenant's cloud user). Only the public key
    is kept: a private key the portal generates is shown once and never stored."""

    class Status(models.TextChoices):
        CREATING = "creating", _("registering in the cloud")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")
        DELETING = "deleting", _("deleting")

    keypair_id = models.CharField(
        _("key pair id"), max_length=64, unique=True, default=new_keypair_id
    )
    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="keypairs",
        verbose_name=_("tenant"),
    )
    cloud = models.ForeignKey(
        "clouds.Cloud", on_delete=models.PROTECT, related_name="+", verbose_name=_("cloud")
    )
    name = models.CharField(_("name"), max_length=255)
    public_key = models.TextField(_("public key"))
    key_type = models.CharField(_("key type"), max_length=32)
    fingerprint = models.CharField(_("fingerprint"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CREATING
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

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("key pair")
        verbose_name_plural = _("key pairs")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "cloud", "name"], name="one_keypair_name_per_tenant_cloud"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.tenant_id})"


# Models with a module of their own, registered with this app by being imported here.
from portal.servers.cdrom import models as cdrom_models  # noqa: E402, F401
from portal.servers.disks import models as disk_models  # noqa: E402, F401
from portal.servers.server_templates import models as server_template_models  # noqa: E402, F401
