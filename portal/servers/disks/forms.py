"""The admin's forms of cloud disks: create one for a tenant, extend, rename, attach to a
server. The services check everything again when they run."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.clouds.models import Cloud
from portal.servers import create_options
from portal.servers.disks.services import ATTACHABLE_SERVER_STATES
from portal.servers.models import Server
from portal.servers.services import MAX_DISK_GB


def size_field(minimum=1):
    return forms.IntegerField(label=_("size (GB)"), min_value=minimum, max_value=MAX_DISK_GB)


class ConfirmForm(forms.Form):
    """Detach, delete: nothing to fill in, a question to confirm."""


class RenameDiskForm(forms.Form):
    volume_name = forms.CharField(label=_("name"), max_length=255)
    volume_desc = forms.CharField(label=_("description"), max_length=255, required=False)


class CreateDiskForm(RenameDiskForm):
    """ "Create cloud disk": for a tenant, in a region."""

    tenant = forms.ModelChoiceField(create_options.tenants(), label=_("tenant"))
    cloud = forms.ModelChoiceField(
        Cloud.objects.filter(enabled=True).order_by("name"), label=_("region")
    )
    size_in_g = size_field()
    volume_type = forms.CharField(
        label=_("volume type"),
        max_length=64,
        required=False,
        help_text=_("Empty or unknown: the cloud's default type."),
    )
    availability_zone = forms.CharField(
        label=_("availability zone"), max_length=255, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cloud"].initial = Cloud.objects.default()  # the API's when none is named

    field_order = [
        "tenant", "cloud", "volume_name", "volume_desc", "size_in_g", "volume_type",
        "availability_zone",
    ]  # fmt: skip


class ExtendDiskForm(forms.Form):
    def __init__(self, volume, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["size_in_g"] = size_field(volume.size + 1)
        self.fields["size_in_g"].help_text = _("Now %(size)d GB; a disk only grows.") % {
            "size": volume.size
        }


class AttachDiskForm(forms.Form):
    """ "Attach to server": the disk's tenant's servers in its region that can take it
    now (ready; running, stopped, paused or suspended)."""

    server = forms.ModelChoiceField(Server.objects.none(), label=_("server"))

    def __init__(self, volume, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["server"].queryset = Server.objects.filter(
            cloud=volume.cloud_id,
            tenant=volume.tenant_id,
            status=Server.Status.READY,
            runtime_state__in=ATTACHABLE_SERVER_STATES,
        ).order_by("name")
