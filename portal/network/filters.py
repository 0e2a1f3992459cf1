import django_filters
from django.utils.translation import gettext_lazy as _

from portal.network.models import FloatingIP, Network, Router, State


class NetworkFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="cloud__region", label=_("region"))
    network_name = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("name contains")
    )
    shared = django_filters.BooleanFilter(label=_("shared"))
    status = django_filters.CharFilter(lookup_expr="iexact", label=_("status"))

    class Meta:
        model = Network
        fields = ["region", "network_name", "shared", "status"]


class VpcFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="cloud__region", label=_("region"))
    vpc_name = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("name contains")
    )
    vpc_status = django_filters.CharFilter(
        field_name="status", lookup_expr="iexact", label=_("status")
    )
    portal_state = django_filters.ChoiceFilter(
        field_name="state", choices=State.choices, label=_("portal state")
    )
    tenant_id = django_filters.CharFilter(field_name="tenant_id", label=_("tenant"))

    class Meta:
        model = Network
        fields = ["region", "vpc_name", "vpc_status", "portal_state", "tenant_id"]


class RouterFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="cloud__region", label=_("region"))
    router_name = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("name contains")
    )
    portal_state = django_filters.ChoiceFilter(
        field_name="state", choices=State.choices, label=_("portal state")
    )
    tenant_id = django_filters.CharFilter(field_name="tenant_id", label=_("tenant"))

    class Meta:
        model = Router
        fields = ["region", "router_name", "portal_state", "tenant_id"]


class FloatingIPFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="cloud__region", label=_("region"))
    floating_ip_address = django_filters.CharFilter(
        lookup_expr="icontains", label=_("address contains")
    )
    external_network_id = django_filters.CharFilter(label=_("external network id"))
    state = django_filters.ChoiceFilter(choices=FloatingIP.State.choices, label=_("state"))
    associated = django_filters.BooleanFilter(
        field_name="port_id", method="filter_associated", label=_("associated")
    )

    class Meta:
        model = FloatingIP
        fields = ["region", "floating_ip_address", "external_network_id", "state", "associated"]

    def filter_associated(self, queryset, name, value):
        return queryset.exclude(port_id="") if value else queryset.filter(port_id="")
