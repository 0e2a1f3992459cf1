"""The admin's server forms: they only gather input for the services (one code path with
the API), which validate it again and raise what the form then shows."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.clouds.models import Cloud
from portal.isos import services as iso_services
from portal.isos.models import Iso
from portal.servers import flavors
from portal.servers.models import Flavor
from portal.tenants.models import Tenant

# The services' field names (the API's) -> the form's.
FORM_FIELD_OF = {
    "flavor_ref": "flavor",
    "image_ref": "image",
    "system_disk": "system_disk_size",
    "data_disks": "data_disk_sizes",
    "security_group_name": "security_groups",
    "tenant_id": "tenant",
}


def show_refusal(form, error, field_of=FORM_FIELD_OF) -> None:
    """Show a service's refusal (a PortalError) on `form`: its sentence, and each problem
    on the field it names (`field_of` the service's names; the others, e.g. a quota's
    resources, with their name)."""
    form.add_error(None, error.message)
    for name, problems in (error.fields or {}).items():
        field = field_of.get(name, name)
        for problem in problems:
            if field in form.fields:
                form.add_error(field, problem)
            else:
                form.add_error(None, f"{name}: {problem}")


def comma_separated(value) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def tenants_field():
    """The tenants a non-public flavor is offered to (create and share pages)."""
    return forms.ModelMultipleChoiceField(
        Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("tenant_id"),
        label=_("Shared with"),
        required=False,
        help_text=_("A non-public flavor is offered only to these tenants."),
    )


class ResizeForm(forms.Form):
    flavor = forms.ModelChoiceField(Flavor.objects.none(), label=_("New flavor"))

    def __init__(self, server, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flavor"].queryset = (
            flavors.flavors_offered_to(server.tenant)
            .filter(cloud=server.cloud)
            .exclude(backend_id=server.flavor_ref)
        )


class FlavorCreateForm(forms.Form):
    cloud = forms.ModelChoiceField(Cloud.objects.filter(enabled=True), label=_("Cloud"))
    name = forms.CharField(label=_("Name"), max_length=255)
    vcpus = forms.IntegerField(label=_("vCPUs"), min_value=1)
    ram = forms.IntegerField(label=_("RAM (MB)"), min_value=1)
    disk = forms.IntegerField(label=_("Disk (GB)"), min_value=0, initial=0)
    extra_specs = forms.CharField(
        label=_("Extra specs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One name=value per line, e.g. hw:cpu_policy=dedicated."),
    )
    is_public = forms.BooleanField(label=_("Public"), required=False, initial=True)
    shared_with = tenants_field()

    def clean_extra_specs(self) -> dict:
        specs = {}
        for line in self.cleaned_data["extra_specs"].splitlines():
            if not line.strip():
                continue
            name, equals, value = line.partition("=")
            if not equals or not name.strip():
                raise forms.ValidationError(_("Write each extra spec as name=value."))
            specs[name.strip()] = value.strip()
        return specs

    def to_request(self) -> flavors.FlavorRequest:
        data = self.cleaned_data
        return flavors.FlavorRequest(
            name=data["name"],
            vcpus=data["vcpus"],
            ram=data["ram"],
            disk=data["disk"],
            extra_specs=data["extra_specs"],
            is_public=data["is_public"],
            tenants=tuple(data["shared_with"]),
        )

    def show_refusal(self, error) -> None:
        show_refusal(self, error)


class FlavorShareForm(forms.Form):
    shared_with = tenants_field()

    def show_refusal(self, error) -> None:
        show_refusal(self, error)


class IsoChoiceForm(forms.Form):
    """ "Mount ISO…" on a server page: the mountable ISOs of the server's cloud (the ISO
    service checks again when it runs)."""

    iso = forms.ModelChoiceField(Iso.objects.none(), label=_("ISO"))

    def __init__(self, server, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["iso"].queryset = (
            iso_services.mountable_isos().filter(cloud=server.cloud).order_by("iso_name")
        )
