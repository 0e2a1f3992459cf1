"""The admin's form to allocate a floating IP for a tenant."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.network.models import Network
from portal.tenants.models import Tenant


class AllocateForm(forms.Form):
    """ "Allocate floating IP…": the tenant, and the external network (its cloud is the
    region); the service checks the tenant is set up there and its quota."""

    tenant = forms.ModelChoiceField(Tenant.objects.order_by("tenant_id"), label=_("tenant"))
    external_network = forms.ModelChoiceField(
        Network.objects.filter(external=True, missing_since__isnull=True)
        .select_related("cloud")
        .order_by("cloud__name", "name"),
        label=_("external network"),
        help_text=_("Networks the operator marked external (Neutron's router:external)."),
    )
