"""The admin's server forms: they only gather input for the services (one code path with
the API), which validate it again and raise what the form then shows."""

from django import forms
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.clouds.models import Cloud
from portal.images.models import Image
from portal.isos import services as iso_services
from portal.isos.models import Iso
from portal.network import services as network_services
from portal.servers import flavors, services
from portal.servers.models import Flavor, Server
from portal.servers.server_templates.models import ServerTemplate
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


def show_refusal(form, error) -> None:
    """Show a service's refusal (a PortalError) on `form`: its sentence, and each problem
    on the field it names (the others, e.g. a quota's resources, with their name)."""
    form.add_error(None, error.message)
    for name, problems in (error.fields or {}).items():
        field = FORM_FIELD_OF.get(name, name)
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


class SuggestingTextInput(forms.TextInput):
    """A text input offering `choices` (value, label) in a <datalist>: pick one or type."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = []

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id', name)}_choices"
        field = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}">{}</option>', self.choices)
        return format_html('{}<datalist id="{}">{}</datalist>', field, list_id, options)


class ServerCreateForm(forms.Form):
    tenant = forms.ModelChoiceField(
        Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("tenant_id"),
        label=_("Tenant"),
    )
    instance_name = forms.CharField(label=_("Name"), max_length=255)
    flavor = forms.ModelChoiceField(
        Flavor.objects.filter(enabled=True, missing_since__isnull=True).select_related("cloud"),
        label=_("Flavor"),
        help_text=_("Its cloud is where the server is made."),
    )
    image = forms.ModelChoiceField(
        # Disabled images that templates use are listed too: the service accepts one
        # only together with its template (seed 003).
        Image.objects.filter(status=Image.ACTIVE, missing_since__isnull=True)
        .filter(Q(enabled=True) | Q(templates__isnull=False))
        .distinct()
        .order_by("name"),
        label=_("Image"),
        to_field_name="image_id",
    )
    template = forms.ModelChoiceField(
        ServerTemplate.objects.all(),
        required=False,
        to_field_name="template_id",
        widget=forms.HiddenInput,
    )
    network_uuid = forms.CharField(
        label=_("Network id"),
        max_length=64,
        widget=SuggestingTextInput,
        help_text=_("A shared network or one of the tenant's own (as the network sync found)."),
    )
    system_disk_size = forms.IntegerField(
        label=_("System disk (GB)"),
        min_value=1,
        max_value=services.MAX_DISK_GB,
        required=False,
        help_text=_("Empty: the flavor's disk size, or the image's minimum if larger."),
    )
    system_disk_type = forms.CharField(
        label=capfirst(Server._meta.get_field("system_disk_type").verbose_name),
        max_length=64,
        required=False,
    )
    data_disk_sizes = forms.CharField(
        label=_("Data disks (GB)"),
        required=False,
        help_text=_("Sizes separated by commas, e.g. 10, 20."),
    )
    security_groups = forms.CharField(
        label=_("Security groups"),
        required=False,
        widget=SuggestingTextInput,
        help_text=_("Names separated by commas: the tenant's own groups and default."),
    )
    availability_zone = forms.CharField(
        label=_("Availability zone"), required=False, widget=SuggestingTextInput
    )
    hypervisor_hostname = forms.CharField(
        label=_("Host"), required=False, widget=SuggestingTextInput
    )
    key_name = forms.CharField(label=_("Key pair"), required=False)
    admin_pass = forms.CharField(
        label=_("Administrator password"), required=False, widget=forms.PasswordInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network_uuid"].widget.choices = network_services.network_choices()
        self.fields["security_groups"].widget.choices = network_services.security_group_choices()
        self.fields["availability_zone"].widget.choices = network_services.zone_choices()
        self.fields["hypervisor_hostname"].widget.choices = network_services.host_choices()

    @classmethod
    def initial_from(cls, template) -> dict:
        """The fields a server template fills in (seed 003's 模板)."""
        return {
            "template": template.template_id,
            "flavor": template.flavor_id,
            "image": template.image.image_id,
            "network_uuid": template.network_id,
            "system_disk_size": template.system_disk_size,
            "system_disk_type": template.system_disk_type,
            "security_groups": ", ".join(template.security_groups or []),
        }

    def clean_data_disk_sizes(self) -> list[int]:
        sizes = comma_separated(self.cleaned_data["data_disk_sizes"])
        if len(sizes) > services.MAX_DATA_DISKS:
            raise forms.ValidationError(
                _("At most %(count)d data disks.") % {"count": services.MAX_DATA_DISKS}
            )
        if not all(size.isdigit() and 0 < int(size) <= services.MAX_DISK_GB for size in sizes):
            raise forms.ValidationError(_("Give whole numbers of GB, separated by commas."))
        return [int(size) for size in sizes]

    def to_request(self) -> services.CreateRequest:
        data = self.cleaned_data
        system_disk = data["system_disk_size"]
        return services.CreateRequest(
            instance_name=data["instance_name"],
            flavor_ref=data["flavor"].backend_id,
            image_ref=data["image"].image_id,
            network_uuid=data["network_uuid"],
            system_disk=(
                services.DiskRequest(system_disk, data["system_disk_type"]) if system_disk else None
            ),
            data_disks=tuple(services.DiskRequest(size) for size in data["data_disk_sizes"]),
            security_group_name=tuple(comma_separated(data["security_groups"])),
            region=data["flavor"].cloud.region,
            availability_zone=data["availability_zone"],
            hypervisor_hostname=data["hypervisor_hostname"],
            key_name=data["key_name"],
            admin_pass=data["admin_pass"],
            template=data["template"],
        )

    def show_refusal(self, error) -> None:
        show_refusal(self, error)


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


class TemplatePickForm(forms.Form):
    """Above "Create server": a server template whose values prefill the form (GET)."""

    template = forms.ModelChoiceField(
        ServerTemplate.objects.select_related("image", "flavor").order_by("name"),
        label=capfirst(ServerTemplate._meta.verbose_name),
        to_field_name="template_id",
        required=False,
    )
