"""Flavors (and, later, key pairs and servers)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.sync import MirroredModel


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
