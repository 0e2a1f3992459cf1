"""Object storage (seed 004's OSSService): each region's Ceph RGW, the S3 users the
portal made there for the platform's users, and their buckets.

RGW is the truth: the usage, quotas and keys held here are what it reported when last
read (after every change, and by the pull). The S3 secret key is kept encrypted, as the
hand-off between the worker that reads it from RGW and the answer that shows it.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal.core.fields import EncryptedTextField
from portal.core.models import TimestampedModel

UNLIMITED = -1
GB = 1024**3


class ObjectStore(TimestampedModel):
    """The Ceph RGW of one region (a Cloud record names the region), reached with an
    admin user's keys. The last connection check's outcome is kept on the row."""

    class Kind(models.TextChoices):
        RGW = "rgw", _("Ceph RGW")
        SIMULATOR = "simulator", _("simulator")

    name = models.CharField(_("name"), max_length=100, unique=True)
    cloud = models.OneToOneField(
        "clouds.Cloud",
        on_delete=models.PROTECT,
        related_name="object_store",
        verbose_name=_("region"),
        help_text=_("Each region has one Ceph cluster; its users and buckets are its own."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RGW)
    admin_url = models.URLField(
        _("admin API URL"), help_text=_("RGW's address; its admin API answers under /admin.")
    )
    s3_url = models.URLField(
        _("S3 URL"), help_text=_("The address tenants use with their keys (oss_endpoint).")
    )
    access_key = models.CharField(_("admin access key"), max_length=128)
    secret_key = EncryptedTextField(_("admin secret key"))
    verify_tls = models.BooleanField(_("verify TLS certificates"), default=True)
    timeout_seconds = models.PositiveSmallIntegerField(
        _("timeout (seconds)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("For each call to RGW."),
    )
    default_max_size_in_g = models.IntegerField(
        _("default user quota (GB)"),
        default=100,
        validators=[MinValueValidator(UNLIMITED), MaxValueValidator(1024 * 1024)],
        help_text=_("-1 means unlimited."),
    )
    default_max_objects = models.IntegerField(
        _("default user quota (objects)"),
        default=UNLIMITED,
        validators=[MinValueValidator(UNLIMITED)],
        help_text=_("-1 means unlimited."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    check_ok = models.BooleanField(_("last check passed"), null=True, blank=True)
    check_code = models.CharField(_("last check's failure"), max_length=50, blank=True)
    check_message = models.CharField(_("last check's message"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("object store")
        verbose_name_plural = _("object stores")

    def __str__(self):
        return self.name


class ReadFromRgw(ConcurrentTransitionMixin, TimestampedModel):
    """What S3 users and buckets share: the portal's lifecycle (a row whose creation
    failed is removed: its Task keeps the reason), the usage RGW last reported and when,
    and the latest Task on the row."""

    class Status(models.TextChoices):
        CREATING = "creating", _("creating")
        READY = "ready", _("ready")

    used_bytes = models.BigIntegerField(_("used (bytes)"), default=0)
    used_objects = models.BigIntegerField(_("objects"), default=0)
    quota_enabled = models.BooleanField(_("quota enabled"), default=False)
    read_at = models.DateTimeField(_("read from RGW"), null=True, blank=True)
    status = FSMField(_("status"), default=Status.CREATING, choices=Status.choices)
    current_task = models.ForeignKey(
        "core.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest task"),
    )

    class Meta:
        abstract = True

    @transition(field=status, source=Status.CREATING, target=Status.READY)
    def mark_created(self):
        pass


class OssUser(ReadFromRgw):
    """The S3 user of one platform user (`uid` is the platform user's id) in one region's
    store, belonging to one tenant. `locked` keeps a quota change and a key rotation from
    running at once."""

    store = models.ForeignKey(
        ObjectStore, on_delete=models.PROTECT, related_name="users", verbose_name=_("store")
    )
    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.PROTECT,
        related_name="oss_users",
        verbose_name=_("tenant"),
    )
    uid = models.CharField(_("S3 user"), max_length=64)
    display_name = models.CharField(_("display name"), max_length=255, blank=True)
    access_key = models.CharField(_("access key"), max_length=128, blank=True)
    secret_key = EncryptedTextField(_("secret key"), blank=True)
    max_size_in_g = models.IntegerField(_("quota (GB)"), default=UNLIMITED)
    max_objects = models.IntegerField(_("quota (objects)"), default=UNLIMITED)
    total_buckets = models.PositiveIntegerField(_("buckets"), default=0)
    suspended = models.BooleanField(_("suspended"), default=False)
    missing_since = models.DateTimeField(_("missing from RGW since"), null=True, blank=True)
    locked = models.BooleanField(_("locked by an operation"), default=False)

    class Meta:
        ordering = ["uid"]
        verbose_name = _("S3 user")
        verbose_name_plural = _("S3 users")
        constraints = [
            models.UniqueConstraint(fields=["store", "uid"], name="one_oss_user_per_uid"),
        ]
        indexes = [models.Index(fields=["tenant", "uid"], name="oss_user_tenant_idx")]

    def __str__(self):
        return f"{self.uid} ({self.store})"


class Bucket(ReadFromRgw):
    """A bucket of an S3 user. `policy` is what was asked for at its creation (a canned
    ACL or a JSON policy document); `acl` and `policy_document` are what RGW reported."""

    store = models.ForeignKey(
        ObjectStore, on_delete=models.PROTECT, related_name="buckets", verbose_name=_("store")
    )
    owner = models.ForeignKey(
        OssUser, on_delete=models.CASCADE, related_name="buckets", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=63)
    storage_type = models.CharField(_("storage type"), max_length=32, default="STANDARD")
    policy = models.TextField(_("requested policy"), default="private")
    acl = models.CharField(_("ACL"), max_length=32, blank=True)
    policy_document = models.TextField(_("policy document"), blank=True)
    max_size_bytes = models.BigIntegerField(_("quota (bytes)"), default=UNLIMITED)
    max_objects = models.BigIntegerField(_("quota (objects)"), default=UNLIMITED)
    cloud_created = models.DateTimeField(_("created in RGW"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("bucket")
        verbose_name_plural = _("buckets")
        constraints = [
            # bucket names are one namespace per cluster
            models.UniqueConstraint(fields=["store", "name"], name="one_bucket_per_name"),
        ]
        indexes = [models.Index(fields=["owner", "name"], name="bucket_owner_idx")]

    def __str__(self):
        return self.name
