"""The steps of the admin's "Create server" wizard (admin/create_wizard.py): each offers
pickers of what create_options gives for the chosen tenant and cloud, never a typed id.
A value the step did not offer (another tenant's network, a hand-made post) is refused
as an unknown choice; `services.create_server` checks everything again when it runs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.images.models import Image
from portal.servers import create_options, services
from portal.servers.forms import FORM_FIELD_OF, comma_separated
from portal.servers.forms import show_refusal as show_refusal_on
from portal.servers.server_templates.models import ServerTemplate

UNKNOWN_CHOICE = _("Select a valid choice. That choice is not one of the available choices.")


class PickField(forms.ChoiceField):
    """A choice among the objects a step offers (`offer`); cleans to the object."""

    empty_label = _("(none)")

    def __init__(self, *, key=str, **kwargs):
        super().__init__(**kwargs)
        self.key = key
        self.objects = {}

    def offer(self, objects, label=str) -> None:
        self.objects = {str(self.key(item)): item for item in objects}
        blank = [] if self.required else [("", self.empty_label)]
        self.choices = blank + [(value, label(item)) for value, item in self.objects.items()]

    def clean(self, value):
        return self.objects.get(super().clean(value))


class StepForm(forms.Form):
    """A step after the first: it offers what `tenant` may use in `cloud`."""

    def __init__(self, *args, tenant=None, cloud=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant, self.cloud = tenant, cloud
        if tenant is not None and cloud is not None:
            self.offer(tenant, cloud)

    def offer(self, tenant, cloud) -> None:
        """Fill in the step's pickers (none by default)."""


class SourceForm(forms.Form):
    """1. The tenant (chosen above, by a GET that reloads this step), the server's name
    and what it boots: an image or a server template (value "image:<id>" or
    "template:<id>", one radio group across both tables)."""

    tenant = forms.ModelChoiceField(
        create_options.tenants(),
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose a tenant first.")},
    )
    instance_name = forms.CharField(label=_("Name"), max_length=255)
    source = forms.CharField(
        label=_("Boot source"),
        error_messages={"required": _("Choose an image or a server template.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = self._chosen_tenant()
        if self.tenant is None:
            self.images, self.templates = Image.objects.none(), ServerTemplate.objects.none()
        else:
            self.images = create_options.images_for(self.tenant)
            self.templates = create_options.templates_for(self.tenant)

    def _chosen_tenant(self):
        try:
            return self.fields["tenant"].clean(self["tenant"].value())
        except forms.ValidationError:
            return None

    def clean_source(self):
        kind, _colon, ref = self.cleaned_data["source"].partition(":")
        if kind == "image":
            chosen = self.images.filter(image_id=ref).first()
        elif kind == "template":
            chosen = self.templates.filter(template_id=ref).first()
        else:
            chosen = None
        if chosen is None:
            raise forms.ValidationError(UNKNOWN_CHOICE, code="invalid_choice")
        return chosen


def cloud_of(source):
    """The cloud a source boots in (an image's, or a template's image's)."""
    return source.image.cloud if isinstance(source, ServerTemplate) else source.cloud


class FlavorForm(StepForm):
    """2. A flavor the tenant may use, with what it would take of the quota; one that
    would exceed it is shown but refused."""

    flavor = PickField(label=_("Flavor"), key=lambda choice: choice.flavor.pk)

    def offer(self, tenant, cloud):
        self.rows = create_options.flavor_choices(tenant, cloud)
        self.fields["flavor"].offer(self.rows, label=lambda choice: choice.flavor.name)

    def clean_flavor(self):
        choice = self.cleaned_data["flavor"]
        short = [use.resource for use in choice.uses if not use.fits]
        if short:
            raise forms.ValidationError(
                _("A server of this flavor needs more than the tenant's quota leaves of: %s.")
                % ", ".join(short),
                code="over_quota",
            )
        return choice.flavor


class NetworkForm(StepForm):
    """3. One of the networks the tenant may boot on: its project's and shared ones."""

    network_uuid = PickField(label=_("Network"), key=lambda network: network.backend_id)

    def offer(self, tenant, cloud):
        self.rows = list(create_options.networks_for(tenant, cloud))
        self.fields["network_uuid"].offer(self.rows)


class AccessForm(StepForm):
    """4. Security groups of the tenant's project, and one of its ready key pairs."""

    security_groups = forms.MultipleChoiceField(
        label=_("Security groups"), required=False, widget=forms.CheckboxSelectMultiple
    )
    key_name = PickField(label=_("Key pair"), required=False, key=lambda keypair: keypair.name)

    def offer(self, tenant, cloud):
        names = create_options.security_group_names(tenant, cloud)
        self.fields["security_groups"].choices = [(name, name) for name in names]
        self.fields["key_name"].offer(
            create_options.keypairs_for(tenant, cloud),
            label=lambda keypair: f"{keypair.name} ({keypair.fingerprint})",
        )

    def clean_key_name(self):
        keypair = self.cleaned_data["key_name"]
        return keypair.name if keypair else ""


class AdvancedForm(StepForm):
    """5. Where it runs (zone; the host, which only operators choose) and its disks."""

    availability_zone = PickField(
        label=_("Availability zone"), required=False, key=lambda zone: zone.name
    )
    hypervisor_hostname = PickField(
        label=_("Host"),
        required=False,
        key=lambda host: host.name,
        help_text=_("Operators only: the scheduler picks one when empty."),
    )
    system_disk_size = forms.IntegerField(
        label=_("System disk (GB)"),
        min_value=1,
        max_value=services.MAX_DISK_GB,
        required=False,
        help_text=_("Empty: the flavor's disk size, or the image's minimum if larger."),
    )
    system_disk_type = forms.CharField(
        label=_("System disk type"),
        max_length=64,
        required=False,
        help_text=_("The cloud's volume type; empty for its default."),
    )
    data_disk_sizes = forms.CharField(
        label=_("Data disks (GB)"),
        required=False,
        help_text=_("Sizes separated by commas, e.g. 10, 20."),
    )

    def offer(self, tenant, cloud):
        self.fields["availability_zone"].offer(create_options.zones_for(cloud))
        self.fields["hypervisor_hostname"].offer(
            create_options.hosts_for(cloud), label=lambda host: f"{host.name} ({host.zone})"
        )

    def clean_availability_zone(self):
        zone = self.cleaned_data["availability_zone"]
        return zone.name if zone else ""

    def clean_hypervisor_hostname(self):
        host = self.cleaned_data["hypervisor_hostname"]
        return host.name if host else ""

    def clean_data_disk_sizes(self) -> list[int]:
        sizes = comma_separated(self.cleaned_data["data_disk_sizes"])
        if len(sizes) > services.MAX_DATA_DISKS:
            raise forms.ValidationError(
                _("At most %(count)d data disks.") % {"count": services.MAX_DATA_DISKS}
            )
        if not all(size.isdigit() and 0 < int(size) <= services.MAX_DISK_GB for size in sizes):
            raise forms.ValidationError(_("Give whole numbers of GB, separated by commas."))
        return [int(size) for size in sizes]


class ReviewForm(StepForm):
    """6. The choices once more, and the administrator password: asked last so that it
    is never kept in the wizard's session storage (admin/create_wizard.py)."""

    admin_pass = forms.CharField(
        label=_("Administrator password"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("Set on the server when it is made; empty for none."),
    )


STEPS = [
    ("source", SourceForm),
    ("flavor", FlavorForm),
    ("network", NetworkForm),
    ("access", AccessForm),
    ("advanced", AdvancedForm),
    ("review", ReviewForm),
]

STEP_TITLES = {
    "source": _("Source"),
    "flavor": _("Flavor"),
    "network": _("Network"),
    "access": _("Security groups and key pair"),
    "advanced": _("Advanced"),
    "review": _("Review"),
}

# The service's field names (the API's) -> this wizard's.
FIELD_OF = {**FORM_FIELD_OF, "image_ref": "source", "template": "source"}

# Where a refusal naming a field (the service's name) is shown; quota resources with the
# choice that uses them (a server's with the flavor, the disks' with the disks).
STEP_OF = {
    "instance_name": "source", "image_ref": "source", "region": "source",
    "flavor_ref": "flavor", "instances": "flavor", "cores": "flavor", "ram": "flavor",
    "network_uuid": "network",
    "security_group_name": "access", "key_name": "access",
    "availability_zone": "advanced", "hypervisor_hostname": "advanced",
    "system_disk": "advanced", "data_disks": "advanced", "volumes": "advanced",
    "gigabytes": "advanced",
}  # fmt: skip


def step_of(error) -> str:
    """The first step whose choices a refusal names (the review when it names none)."""
    named = {STEP_OF.get(name, "review") for name in (error.fields or {})}
    return next((step for step, _form in STEPS if step in named), "review")


def initial_from(template: ServerTemplate, step: str) -> dict:
    """What a server template fills in on each step."""
    return {
        "flavor": {"flavor": template.flavor_id},
        "network": {"network_uuid": template.network_id},
        "access": {"security_groups": template.security_groups},
        "advanced": {
            "system_disk_size": template.system_disk_size,
            "system_disk_type": template.system_disk_type,
        },
    }.get(step, {})


def create_request(data: dict, *, admin_pass: str) -> services.CreateRequest:
    """The service's request from every step's cleaned data."""
    source, flavor, system_disk = data["source"], data["flavor"], data["system_disk_size"]
    template = source if isinstance(source, ServerTemplate) else None
    return services.CreateRequest(
        instance_name=data["instance_name"],
        flavor_ref=flavor.backend_id,
        image_ref=(template.image if template else source).image_id,
        network_uuid=data["network_uuid"].backend_id,
        system_disk=(
            services.DiskRequest(system_disk, data["system_disk_type"]) if system_disk else None
        ),
        data_disks=tuple(services.DiskRequest(size) for size in data["data_disk_sizes"]),
        security_group_name=tuple(data["security_groups"]),
        region=flavor.cloud.region,
        availability_zone=data["availability_zone"],
        hypervisor_hostname=data["hypervisor_hostname"],
        key_name=data["key_name"],
        admin_pass=admin_pass,
        template=template,
    )


def show_refusal(form, error) -> None:
    """The service's refusal on the wizard's step, each problem on its picker."""
    show_refusal_on(form, error, field_of=FIELD_OF)
