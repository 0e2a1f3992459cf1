"""Clouds the portal manages: where they are, how to log in as their admin."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.fields import EncryptedTextField
from portal.core.models import TimestampedModel

# Azure's ids are GUIDs; its locations are names like "westeurope"; a resource group's name
# is 1-90 letters, digits, "_", "-", ".", "(" or ")", not ending in ".".
_GUID = RegexValidator(
    r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$",
    _("Enter an Azure id: a GUID such as 00000000-0000-0000-0000-000000000000."),
)
_LOCATION = RegexValidator(r"^[a-z0-9]+$", _("Enter an Azure location name, e.g. westeurope."))
_RESOURCE_GROUP = RegexValidator(
    r"^[-\w.()]{0,89}[-\w()]$",
    _("Enter a resource group name: letters, digits, _ - . ( ), not ending in a period."),
)


class CloudQuerySet(models.QuerySet):
    def default(self):
        """The cloud a request uses when it names no region."""
        return self.filter(enabled=True).order_by("-is_default", "pk").first()


class AzureStopMode(models.TextChoices):
    """What "stop" does to an Azure VM (seed 000: deallocated VMs cost nothing)."""

    DEALLOCATE = "deallocate", _("deallocate")
    POWER_OFF = "power_off", _("power off")


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
    # Azure clouds only (kind "azure"): where the portal's resources go and the service
    # principal it signs in as. Flat fields rather than a related table, so that the API's
    # Cloud stays one flat object. Database defaults let code that predates them insert.
    azure_subscription_id = models.CharField(
        _("Azure subscription ID"),
        max_length=36,
        blank=True,
        default="",
        db_default="",
        validators=[_GUID],
    )
    azure_resource_group = models.CharField(
        _("Azure resource group"),
        max_length=90,
        blank=True,
        default="",
        db_default="",
        validators=[_RESOURCE_GROUP],
    )
    azure_location = models.CharField(
        _("Azure location"),
        max_length=50,
        blank=True,
        default="",
        db_default="",
        validators=[_LOCATION],
        help_text=_("The Azure region the resources are made in, e.g. westeurope."),
    )
    azure_directory_id = models.CharField(
        _("Azure directory (tenant) ID"),
        max_length=36,
        blank=True,
        default="",
        db_default="",
        validators=[_GUID],
    )
    azure_client_id = models.CharField(
        _("Azure client (application) ID"),
        max_length=36,
        blank=True,
        default="",
        db_default="",
        validators=[_GUID],
    )
    # Nullable, as an encrypted field can have no database default: rows written by code
    # that predates these fields (a rolling deploy, a migration's historical model) hold NULL.
    azure_client_secret = EncryptedTextField(_("Azure client secret"), blank=True, null=True)
    azure_stop_mode = models.CharField(
        _("stopping a server on Azure"),
        max_length=20,
        choices=AzureStopMode.choices,
        default=AzureStopMode.DEALLOCATE,
        db_default=AzureStopMode.DEALLOCATE,
        help_text=_(
            "Deallocating frees the VM's compute (not billed, its dynamic public IP is "
            "released); powering off keeps it allocated and billed."
        ),
    )
    # Where Azure page blobs go (uploaded images as VHDs, blob snapshots and copies): a
    # storage account's name and key; the endpoint only where it is not Azure's own
    # (https://{account}.blob.core.windows.net), e.g. an Azurite emulator.
    azure_storage_account = models.CharField(
        _("Azure storage account"), max_length=24, blank=True, default="", db_default=""
    )
    azure_storage_key = EncryptedTextField(_("Azure storage account key"), blank=True, null=True)
    azure_blob_endpoint = models.URLField(
        _("Azure blob endpoint"),
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text=_("Leave empty for Azure's own; set it for an emulator such as Azurite."),
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


AZURE_FIELDS = (
    "azure_subscription_id",
    "azure_resource_group",
    "azure_location",
    "azure_directory_id",
    "azure_client_id",
    "azure_client_secret",
    "azure_storage_account",
    "azure_storage_key",
)
# The settings a cloud of a kind cannot work without. OpenStack clouds keep their earlier
# rules: none are checked here (an incomplete login shows in the cloud's check).
REQUIRED_SETTINGS = {Cloud.Kind.AZURE: AZURE_FIELDS}


def missing_settings(kind, values) -> list[str]:
    """The fields a cloud of `kind` needs that `values` ({field: value}) leaves blank."""
    return [name for name in REQUIRED_SETTINGS.get(kind, ()) if not values.get(name)]


class AzureMapping(TimestampedModel):
    """What an OpenStack-shaped name means on an Azure cloud (seed 000: Jacket's mapping
    configuration). The name is the cloud-side id the portal mirrors (a flavor's, image's,
    network's or security group's); the Azure reference is what the driver uses for it."""

    class Kind(models.TextChoices):
        FLAVOR = "flavor", _("flavor → VM size")
        IMAGE = "image", _("image → Azure image or marketplace image")
        NETWORK = "network", _("network → virtual network subnet")
        SECURITY_GROUP = "security_group", _("security group → network security group")

    cloud = models.ForeignKey(
        Cloud,
        on_delete=models.CASCADE,
        related_name="azure_mappings",
        limit_choices_to={"kind": Cloud.Kind.AZURE},
        verbose_name=_("cloud"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(
        _("name in the portal"),
        max_length=255,
        help_text=_("The flavor, image, network or security group name tenants use."),
    )
    azure_ref = models.CharField(
        _("Azure reference"),
        max_length=500,
        help_text=_(
            "A VM size (Standard_B2s); an image's resource ID or a marketplace image as "
            "publisher:offer:sku:version; a subnet's or network security group's resource ID."
        ),
    )

    class Meta:
        ordering = ["cloud", "kind", "name"]
        verbose_name = _("Azure mapping")
        verbose_name_plural = _("Azure mappings")
        constraints = [
            models.UniqueConstraint(fields=["cloud", "kind", "name"], name="one_azure_mapping")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name} → {self.azure_ref}"


from portal.clouds.simulator.models import SimulatedFault, SimulatedObject  # noqa: E402,F401
