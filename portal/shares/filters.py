import django_filters
from django.utils.translation import gettext_lazy as _

from portal.shares.models import Share


class ShareFilter(django_filters.FilterSet):
    """Lists of NAS shares: Manila's status, the portal's state, name, protocol, region,
    network, tenant."""

    share_status = django_filters.CharFilter(lookup_expr="iexact", label=_("cloud status"))
    portal_state = django_filters.ChoiceFilter(
        field_name="status", choices=Share.Status.choices, label=_("portal state")
    )
    share_name = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("name contains")
    )
    share_proto = django_filters.ChoiceFilter(
        field_name="proto", choices=Share.Protocol.choices, label=_("protocol")
    )
    region = django_filters.CharFilter(field_name="cloud__region", label=_("region"))
    network_id = django_filters.CharFilter(label=_("network id"))
    tenant_id = django_filters.CharFilter(field_name="tenant_id", label=_("tenant"))

    class Meta:
        model = Share
        fields = ["share_status", "portal_state", "share_name", "share_proto", "region"]
