"""The admin's upload form. It is only rendered: the page's script sends its fields to
the upload API (POST /api/v1/images, then PUT .../file), so validation lives there."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.clouds.formats import CONTAINER_FORMATS, DISK_FORMATS
from portal.clouds.models import Cloud


class ImageUploadForm(forms.Form):
    # Field names are the API's (seed 004), so the script can send them as they are.
    image_name = forms.CharField(label=_("name"), max_length=255)
    image_diskformat = forms.ChoiceField(
        label=_("disk format"), choices=[(name, name) for name in DISK_FORMATS], initial="qcow2"
    )
    image_containerformat = forms.ChoiceField(
        label=_("container format"),
        choices=[(name, name) for name in CONTAINER_FORMATS],
        initial="bare",
    )
    min_disk = forms.IntegerField(label=_("minimum disk (GB)"), min_value=0, initial=0)
    min_ram = forms.IntegerField(label=_("minimum RAM (MB)"), min_value=0, initial=0)
    os_type = forms.CharField(label=_("OS type"), max_length=50, required=False)
    os_version = forms.CharField(label=_("OS version"), max_length=50, required=False)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea)
    region = forms.ChoiceField(label=_("region"), required=False)
    file = forms.FileField(label=_("image file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clouds = Cloud.objects.filter(enabled=True).order_by("-is_default", "region")
        self.fields["region"].choices = [(cloud.region, cloud.region) for cloud in clouds]
