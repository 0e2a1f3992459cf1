"""Server templates (seed 003's 模板): ready-made server recipes. The servers app's
models.py imports this module, which registers the model with the app (its table is the
one the images app made: images_servertemplate)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.models import TimestampedModel
from portal.images.models import Image


def new_template_id():
    return str(uuid.uuid4())


class ServerTemplate(TimestampedModel):
    """A ready-made server recipe (seed 003's 模板): image, flavor, system disk, network.

    Made only from an enabled image; disabling the image later leaves the template usable
    (seed 003), so the image is protected from deletion while a template uses it.
    """

    template_id = models.CharField(
        _("template id"), max_length=64, unique=True, default=new_template_id
    )
    name = models.CharField(_("name"), max_length=255, unique=True)
    image = models.ForeignKey(
        Image, on_delete=models.PROTECT, related_name="templates", verbose_name=_("image")
    )
    flavor = models.ForeignKey(
        "servers.Flavor", on_delete=models.PROTECT, related_name="+", verbose_name=_("flavor")
    )
    system_disk_size = models.PositiveIntegerField(_("system disk size (GB)"))
    system_disk_type = models.CharField(
        _("system disk type"), max_length=64, blank=True,
        help_text=_("The cloud's volume type; empty for its default."),
    )  # fmt: skip
    network_id = models.CharField(
        _("network id"), max_length=64, help_text=_("The cloud network's id.")
    )
    security_groups = models.JSONField(
        _("security groups"), default=list, blank=True, help_text=_('Names, e.g. ["default"].')
    )
    created_by = models.CharField(_("created by"), max_length=200, blank=True)

    class Meta:
        db_table = "images_servertemplate"  # made by the images app, which held it first
        ordering = ["name"]
        verbose_name = _("server template")
        verbose_name_plural = _("server templates")

    def __str__(self):
        return self.name

    @property
    def cloud(self):
        return self.image.cloud
