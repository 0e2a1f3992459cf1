"""The admin's forms of NAS shares: create one for a tenant, resize it, allow an address,
grant a server, deny a rule. Each only gathers the input; the request side checks it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.clouds.models import Cloud
from portal.network.services import network_choices
from portal.servers.models import Server
from portal.shares.models import Share
from portal.shares.services import MAX_SHARE_GB, CreateRequest
from portal.tenants.models import Tenant

# services.ACCESS_LEVELS, in words
LEVEL_CHOICES = [("rw", _("read-write")), ("ro", _("read-only"))]


class ShareCreateForm(forms.Form):
    tenant = forms.ModelChoiceField(Tenant.objects.order_by("name"), label=_("tenant"))
    cloud = forms.ModelChoiceField(Cloud.objects.filter(enabled=True), label=_("region"))
    share_name = forms.CharField(label=_("name"), max_length=255)
    share_desc = forms.CharField(label=_("description"), max_length=255, required=False)
    share_proto = forms.ChoiceField(label=_("protocol"), choices=Share.Protocol.choices)
    share_size_in_g = forms.IntegerField(label=_("size (GB)"), min_value=1, max_value=MAX_SHARE_GB)
    network_id = forms.ChoiceField(
        label=_("network"),
        help_text=_("The share server gets its addresses in the network's first subnet."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network_id"].choices = network_choices()

    def to_request(self) -> CreateRequest:
        data = self.cleaned_data
        return CreateRequest(
            share_name=data["share_name"],
            share_desc=data["share_desc"],
            share_proto=data["share_proto"],
            share_size_in_g=data["share_size_in_g"],
            network_id=data["network_id"],
            region=data["cloud"].region,
        )


class ResizeForm(forms.Form):
    share_size_in_g = forms.IntegerField(
        label=_("new size (GB)"), min_value=1, max_value=MAX_SHARE_GB,
        help_text=_("Larger extends the share; smaller shrinks it."),
    )  # fmt: skip


class AllowAccessForm(forms.Form):
    access_to = forms.CharField(
        label=_("IP address or CIDR"), max_length=64, help_text=_("e.g. 10.0.0.5 or 10.0.0.0/24")
    )
    access_level = forms.ChoiceField(label=_("access"), choices=LEVEL_CHOICES)


class GrantServerForm(forms.Form):
    server = forms.ModelChoiceField(Server.objects.none(), label=_("server"))
    access_level = forms.ChoiceField(label=_("access"), choices=LEVEL_CHOICES)

    def __init__(self, share, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["server"].queryset = (
            Server.objects.filter(tenant=share.tenant, cloud=share.cloud)
            .exclude(status=Server.Status.DELETED)
            .order_by("name")
        )


class DenyAccessForm(forms.Form):
    rule_id = forms.ChoiceField(label=_("access rule"))

    def __init__(self, share, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule_id"].choices = [
            (rule["id"], f"{rule['access_to']} ({rule['access_level']}, {rule['state']})")
            for rule in share.access_rules
        ]
