"""The server template admin: a form that shows the service's checks on its fields, and
saves through the service (one code path with the API)."""

import copy

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _

from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.network import services as network_services
from portal.servers.models import Flavor
from portal.servers.server_templates import services as server_templates
from portal.servers.server_templates.models import ServerTemplate


class ServerTemplateForm(forms.ModelForm):
    """Pickers for every reference (the image's autocomplete offers bootable images only):
    a template belongs to no tenant, so the network and groups are any tenant's or shared
    ones; the service checks them against the image's cloud."""

    network_id = forms.ChoiceField(label=_("Network"))
    security_groups = forms.MultipleChoiceField(
        label=_("Security groups"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network_id"].choices = [("", "---------"), *network_services.network_choices()]
        self.fields["security_groups"].choices = network_services.security_group_choices()
        # Enabled flavors, and the one the template has (even if disabled since).
        self.fields["flavor"].queryset = Flavor.objects.filter(
            Q(enabled=True, missing_since__isnull=True) | Q(pk=self.instance.flavor_id)
        ).select_related("cloud")

    class Meta:
        model = ServerTemplate
        fields = [
            "name", "image", "flavor", "system_disk_size", "system_disk_type", "network_id",
            "security_groups",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The service's checks, shown on the form (the save repeats them).
        image_changed = self.instance.pk is None or "image" in self.changed_data
        candidate = construct_instance(self, copy.copy(self.instance))
        try:
            server_templates.template_problems(candidate, image_changed=image_changed)
        except PortalError as error:
            fields = {
                ADMIN_FIELD_OF.get(name, name): messages for name, messages in error.fields.items()
            }
            for name, problems in fields.items():
                self.add_error(name if name in self.fields else None, problems)
            if not fields:
                raise forms.ValidationError(error.message) from error
        return cleaned


# The API's field names, as the template form calls them.
ADMIN_FIELD_OF = {
    "image_ref": "image",
    "flavor_ref": "flavor",
    "template_name": "name",
    "network_uuid": "network_id",
}


@admin.register(ServerTemplate)
class ServerTemplateAdmin(admin.ModelAdmin):
    form = ServerTemplateForm
    list_display = [
        "name", "template_id", "image", "image_enabled", "flavor", "system_disk_size",
        "system_disk_type", "network_id",
    ]  # fmt: skip
    list_filter = ["image__cloud", "image__enabled"]
    search_fields = ["name", "template_id", "image__name", "flavor__name"]
    list_select_related = ["image", "flavor"]
    autocomplete_fields = ["image"]
    readonly_fields = ["template_id", "created_by", "created", "updated"]

    @admin.display(boolean=True, description=_("image enabled"))
    def image_enabled(self, template):
        return template.image.enabled

    def save_model(self, request, obj, form, change):
        server_templates.save_template(obj, actor=actor_of(request.user))
