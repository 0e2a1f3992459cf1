"""The admin's forms for VPCs and routers: each one's fields go to a request-side
function (vpcs.py, routers.py), which checks them again and queues the Task."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.clouds.models import Cloud
from portal.network.models import Network, State, Subnet
from portal.network.routers import external_networks
from portal.tenants.models import Tenant

# The request side's field names -> the forms' (the others are shown with their name).
FIELD_OF = {"subnet": "cidr", "tenant_id": "tenant", "external_network_id": "external_network"}


class RefusalForm(forms.Form):
    def show_refusal(self, error) -> None:
        """Show a service's refusal (a PortalError): its sentence, and each problem on
        the field it names."""
        self.add_error(None, error.message)
        for name, problems in (error.fields or {}).items():
            field = FIELD_OF.get(name, name)
            for problem in problems:
                if field in self.fields:
                    self.add_error(field, problem)
                else:
                    self.add_error(None, f"{name}: {problem}")


class PlacedForm(RefusalForm):
    """For whom and where: the tenant and the cloud (region)."""

    tenant = forms.ModelChoiceField(
        Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("tenant_id"),
        label=_("Tenant"),
    )
    cloud = forms.ModelChoiceField(Cloud.objects.filter(enabled=True), label=_("Cloud"))


class VpcCreateForm(PlacedForm):
    name = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    cidr = forms.CharField(
        label=_("Subnet CIDR"),
        max_length=64,
        help_text=_("The first subnet, e.g. 10.0.0.0/24 (a /29 or larger range)."),
    )


class VpcEditForm(RefusalForm):
    name = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)


class SubnetAddForm(RefusalForm):
    cidr = forms.CharField(
        label=_("CIDR"), max_length=64, help_text=_("It may not overlap the VPC's subnets.")
    )
    name = forms.CharField(label=_("Name"), max_length=255, required=False)


class ConfirmForm(RefusalForm):
    """A button that asks first (removals and deletions)."""


def external_network_field(cloud=None, *, required):
    networks = Network.objects.filter(external=True, missing_since__isnull=True)
    if cloud is not None:
        networks = external_networks(cloud)
    return forms.ModelChoiceField(
        networks.select_related("cloud"),
        label=_("External network"),
        required=required,
        to_field_name="backend_id",
        help_text=_("Networks the operator marked external (Neutron's router:external)."),
    )


class RouterEditForm(RefusalForm):
    name = forms.CharField(label=_("Name"), max_length=255)


class RouterCreateForm(PlacedForm):
    name = forms.CharField(label=_("Name"), max_length=255)
    external_network = external_network_field(required=False)


class GatewayForm(RefusalForm):
    def __init__(self, router, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["external_network"] = external_network_field(router.cloud, required=True)


class InterfaceForm(RefusalForm):
    """A ready subnet of the router's tenant's VPCs in its cloud, on no router yet."""

    def __init__(self, router, *args, **kwargs):
        super().__init__(*args, **kwargs)
        subnets = Subnet.objects.filter(
            cloud=router.cloud, network__tenant=router.tenant, state=State.READY,
            missing_since__isnull=True, router_interfaces__isnull=True,
        ).select_related("network")  # fmt: skip
        self.fields["subnet"] = forms.ModelChoiceField(subnets, label=_("Subnet"))
        self.fields["subnet"].label_from_instance = lambda s: f"{s.cidr} ({s.network})"


class RouteForm(RefusalForm):
    destination = forms.CharField(
        label=_("Destination"), max_length=64, help_text=_("A CIDR, e.g. 172.16.0.0/16.")
    )
    nexthop = forms.CharField(
        label=_("Next hop"),
        max_length=64,
        help_text=_("An address in one of the router's interface subnets."),
    )
