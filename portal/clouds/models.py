"""Clouds the portal manages: where they are, how to log in as their admin."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.fields import EncryptedTextField
from portal.core.models import TimestampedModel


class CloudQuerySet(models.QuerySet):
    def default(self):
        """The cloud a request uses when it names no region."""
        return self.filter(enabled=True).order_by("-is_default", "pk").first()


class Cloud(TimestampedModel):
    class Kind(models.TextChoices):
        OPENSTACK = "openstack", _("OpenStack")
        AZURE = "azure", _("Azure")
        SIMULATOR = "simulator", _("Simulator")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.CharField(
        _("region"), max_length=100, unique=True, help_text=_("The region name tenants use.")
    )
    auth_url = models.URLField(_("auth URL"), max_length=300, blank=True)
    username = models.CharField(_("admin username"), max_length=100, blank=True)
    password = EncryptedTextField(_("admin password"), blank=True)
    project_name = models.CharField(_("admin project"), max_length=100, blank=True)
    user_domain_name = models.CharField(
        _("user domain"), max_length=100, blank=True, default="Default"
    )
    project_domain_name = models.CharField(
        _("project domain"), max_length=100, blank=True, default="Default"
    )
    region_name = models.CharField(
        _("cloud region name"),
        max_length=100,
        blank=True,
        help_text=_("The region in the cloud's own catalog, if it has several."),
    )
    verify_tls = models.BooleanField(_("verify TLS certificates"), default=True)
    options = models.JSONField(
        _("options"),
        default=dict,
        blank=True,
        help_text=_("Driver options, e.g. simulator delays or auto-confirm of resizes."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # The last check of the cloud by beat's check_clouds job (portal/clouds/health.py).
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    check_ok = models.BooleanField(_("answering"), null=True, editable=False)
    check_message = models.CharField(
        _("last check's error"), max_length=500, blank=True, editable=False
    )
    is_default = models.BooleanField(_("default"), default=False)

    objects = CloudQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("cloud")
        verbose_name_plural = _("clouds")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_cloud"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.region})"

    @property
    def cloud_id(self):
        return str(self.pk)


from portal.clouds.simulator.models import SimulatedFault, SimulatedObject  # noqa: E402,F401
