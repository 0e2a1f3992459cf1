import django_filters
from django.utils.translation import gettext_lazy as _

from portal.network.models import Network


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
