"""Tenants of the platform (seed 004, 租户注册): cloud identities, API keys and quotas."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from rest_framework_api_key.models import AbstractAPIKey

from portal.core.fields import EncryptedTextField
from portal.core.models import TimestampedModel

TENANT_ID_PREFIX = "t-"
TENANT_ID_DIGITS = 10
TENANT_NAME_MAX_LENGTH = 100
# A quota limit of -1 means unlimited; anything lower is meaningless.
UNLIMITED = -1
# The kind of the Task that sets a new tenant up in its cloud: queued by sign-up, run by
# the provisioning job, shown in the admin.
PROVISION_TASK_KIND = "tenant.provision"


class TenantIdCounter(models.Model):
    """The last tenant number handed out (one row). Taken under a row lock in the same
    transaction that inserts the tenant, so ids have no gap and no duplicate."""

    last_number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("tenant id counter")

    def __str__(self):
        return str(self.last_number)


class Tenant(TimestampedModel):
    class Status(models.TextChoices):
        PROVISIONING = "provisioning", _("provisioning")
        ACTIVE = "active", _("active")
        FAILED = "failed", _("failed")

    tenant_id = models.CharField(_("tenant id"), max_length=20, primary_key=True)
    name = models.CharField(_("name"), max_length=TENANT_NAME_MAX_LENGTH)
    status = FSMField(
        _("status"), default=Status.PROVISIONING, choices=Status.choices, db_index=True
    )
    status_message = models.CharField(_("status message"), max_length=500, blank=True)

    class Meta:
        ordering = ["tenant_id"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        constraints = [
            # Names are unique case-insensitively (seed 004: no duplicate names); the
            # database enforces it so two concurrent sign-ups cannot both win.
            models.UniqueConstraint(
                Lower("name"),
                name="tenant_name_unique_ci",
                violation_error_message=_("A tenant with this name already exists."),
            )
        ]

    def __str__(self):
        return f"{self.tenant_id} {self.name}"

    @transition(field=status, source=[Status.PROVISIONING, Status.FAILED], target=Status.ACTIVE)
    def activate(self):
        self.status_message = ""

    @transition(field=status, source=[Status.PROVISIONING, Status.ACTIVE], target=Status.FAILED)
    def mark_failed(self, message):
        self.status_message = str(message)[:500]


class TenantIdentity(TimestampedModel):
    """A tenant's Keystone domain, project, user and role in one cloud (region); each named
    after the tenant id (seed 004). The user's password is generated and stored encrypted.

    A tenant has one in every enabled cloud: sign-up and the registration of a cloud make
    it `pending` and queue its set-up, which leaves it `ready` or `failed` (then retried).
    Only in a region where it is ready may the tenant create anything."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="identities", verbose_name=_("tenant")
    )
    cloud = models.ForeignKey(
        "clouds.Cloud", on_delete=models.PROTECT, related_name="+", verbose_name=_("cloud")
    )
    # Ids are Keystone's, or on Azure resource groups' ARM ids (/subscriptions/.../
    # resourceGroups/<name>, up to 157 characters).
    domain_name = models.CharField(_("domain name"), max_length=64)
    domain_id = models.CharField(_("domain id"), max_length=200, blank=True)
    project_name = models.CharField(_("project name"), max_length=64)
    project_id = models.CharField(_("project id"), max_length=200, blank=True)
    username = models.CharField(_("username"), max_length=64)
    user_id = models.CharField(_("user id"), max_length=64, blank=True)
    password = EncryptedTextField(_("password"))
    role_name = models.CharField(_("role name"), max_length=64)
    role_id = models.CharField(_("role id"), max_length=64, blank=True)
    # A role assignment has no id of its own; this records that it exists, so a retried
    # job does not repeat it and a rollback knows to remove it.
    role_assigned = models.BooleanField(_("role assigned"), default=False)
    # The cloud's stock member role (Nova, Cinder and Neutron's default policies require
    # it), once granted to the user on the project: what a rollback revokes. Empty while
    # not granted, or when the cloud's options disable it (member_role "").
    member_role_id = models.CharField(_("member role id"), max_length=64, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    state_message = models.CharField(_("state message"), max_length=500, blank=True)
    # The latest set-up Task: what its job works on, and what the API shows per region.
    task = models.ForeignKey(
        "core.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set-up task"),
    )
    # Set-ups that failed in a row; beat retries a failed one until this reaches the
    # limit (TENANT_SETUP_RETRIES), an operator's retry starts the count again.
    failures = models.PositiveSmallIntegerField(_("failed set-ups"), default=0)

    class Meta:
        verbose_name = _("cloud identity")
        verbose_name_plural = _("cloud identities")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "cloud"], name="one_identity_per_cloud")
        ]

    def __str__(self):
        return f"{self.tenant_id} @ {self.cloud_id}"

    @property
    def is_ready(self):
        return self.state == self.State.READY

    BACKEND_ID_FIELDS = ("domain_id", "project_id", "user_id", "role_id")


class TenantAPIKey(AbstractAPIKey):
    """A tenant's key for the REST API: stored hashed, shown once."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("tenant")
    )

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("tenant API key")
        verbose_name_plural = _("tenant API keys")


class PlatformAPIKey(AbstractAPIKey):
    """A key of the cloud platform itself, bound to no tenant: registers tenants."""

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("platform API key")
        verbose_name_plural = _("platform API keys")


# The API key library names its fields in English only: named here in the portal's
# languages (its help texts repeated so that the portal's catalogue translates them).
API_KEY_FIELD_LABELS = {
    "id": (_("ID"), ""),
    "prefix": (_("prefix"), ""),
    "hashed_key": (_("hashed key"), ""),
    "created": (_("created"), ""),
    "name": (
        _("name"),
        _("A free-form name for the API key. Need not be unique. 50 characters max."),
    ),
    "revoked": (
        _("revoked"),
        _("If the API key is revoked, clients cannot use it anymore. (This cannot be undone.)"),
    ),
    "expiry_date": (_("expires"), _("Once API key expires, clients cannot use it anymore.")),
}
for _key_model in (TenantAPIKey, PlatformAPIKey):
    for _field_name, (_label, _help) in API_KEY_FIELD_LABELS.items():
        _field = _key_model._meta.get_field(_field_name)
        _field.verbose_name = _label
        _field.help_text = _help or _field.help_text


QUOTA_VALIDATORS = [MinValueValidator(UNLIMITED)]


class TenantQuota(TimestampedModel):
    """Per-tenant limits; -1 means unlimited. RAM in MB, gigabytes in GB."""

    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, related_name="quota", verbose_name=_("tenant")
    )
    instances = models.IntegerField(_("instances"), default=10, validators=QUOTA_VALIDATORS)
    cores = models.IntegerField(_("cores"), default=20, validators=QUOTA_VALIDATORS)
    ram = models.IntegerField(_("RAM (MB)"), default=51200, validators=QUOTA_VALIDATORS)
    volumes = models.IntegerField(_("volumes"), default=20, validators=QUOTA_VALIDATORS)
    gigabytes = models.IntegerField(_("gigabytes"), default=1000, validators=QUOTA_VALIDATORS)
    images = models.IntegerField(_("images"), default=10, validators=QUOTA_VALIDATORS)
    security_groups = models.IntegerField(
        _("security groups"), default=10, validators=QUOTA_VALIDATORS
    )
    security_group_rules = models.IntegerField(
        _("security group rules"), default=100, validators=QUOTA_VALIDATORS
    )
    vpcs = models.IntegerField(_("VPCs"), default=10, validators=QUOTA_VALIDATORS)
    routers = models.IntegerField(_("routers"), default=10, validators=QUOTA_VALIDATORS)
    floating_ips = models.IntegerField(_("floating IPs"), default=10, validators=QUOTA_VALIDATORS)
    shares = models.IntegerField(_("NAS shares"), default=10, validators=QUOTA_VALIDATORS)
    share_gigabytes = models.IntegerField(
        _("NAS share gigabytes"), default=1000, validators=QUOTA_VALIDATORS
    )

    RESOURCES = (
        "instances",
        "cores",
        "ram",
        "volumes",
        "gigabytes",
        "images",
        "security_groups",
        "security_group_rules",
        "vpcs",
        "routers",
        "floating_ips",
        "shares",
        "share_gigabytes",
    )

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")

    def __str__(self):
        return f"{self.tenant_id} quota"

    def as_dict(self):
        return {name: getattr(self, name) for name in self.RESOURCES}


class QuotaReservation(TimestampedModel):
    """An amount of a tenant's quota held by one of its resources or by an operation.

    A tenant's usage is the sum of its reserved and committed rows. A request reserves in
    the transaction that accepts it (under the tenant's quota row lock, so concurrent
    requests cannot both take the last unit); the job commits it when the cloud has done
    the work, or releases it on failure. Amounts may be negative: a resize to a smaller
    flavor commits a negative row, giving the surplus back.

    The holder is any resource of any app (a server, a volume, a security group, a
    share...): a generic relation, because quota sits below the apps whose resources
    hold it.
    """

    class State(models.TextChoices):
        RESERVED = "reserved", _("reserved")
        COMMITTED = "committed", _("committed")
        RELEASED = "released", _("released")

    HOLDING = (State.RESERVED, State.COMMITTED)

    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.CASCADE,
        related_name="quota_reservations",
        verbose_name=_("tenant"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RESERVED
    )
    task = models.ForeignKey(
        "core.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("task"),
    )
    holder_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("held by (kind)"),
    )
    holder_id = models.PositiveBigIntegerField(_("held by (id)"), null=True, blank=True)
    holder = GenericForeignKey("holder_type", "holder_id")
    instances = models.IntegerField(_("instances"), default=0)
    cores = models.IntegerField(_("cores"), default=0)
    ram = models.IntegerField(_("RAM (MB)"), default=0)
    volumes = models.IntegerField(_("volumes"), default=0)
    gigabytes = models.IntegerField(_("gigabytes"), default=0)
    images = models.IntegerField(_("images"), default=0)
    security_groups = models.IntegerField(_("security groups"), default=0)
    security_group_rules = models.IntegerField(_("security group rules"), default=0)
    vpcs = models.IntegerField(_("VPCs"), default=0)
    routers = models.IntegerField(_("routers"), default=0)
    floating_ips = models.IntegerField(_("floating IPs"), default=0)
    shares = models.IntegerField(_("NAS shares"), default=0)
    share_gigabytes = models.IntegerField(_("NAS share gigabytes"), default=0)

    class Meta:
        # The table it was created with, in the servers app (servers 0011 moved it here).
        db_table = "servers_quotareservation"
        verbose_name = _("quota reservation")
        verbose_name_plural = _("quota reservations")
        indexes = [
            models.Index(
                fields=["tenant"],
                name="reservation_holding_idx",
                condition=models.Q(state__in=["reserved", "committed"]),
            ),
            models.Index(fields=["holder_type", "holder_id"], name="reservation_holder_idx"),
        ]

    def __str__(self):
        return f"{self.tenant_id} {self.state} {self.amounts()}"

    def amounts(self):
        return {name: getattr(self, name) for name in TenantQuota.RESOURCES}


def format_tenant_id(number: int) -> str:
    """Seed 004: "t-" and a ten-digit serial number, e.g. t-0000000001."""
    return f"{TENANT_ID_PREFIX}{number:0{TENANT_ID_DIGITS}d}"
