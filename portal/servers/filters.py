import django_filters
from django.utils.translation import gettext_lazy as _

from portal.servers.models import Flavor


class FlavorFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="cloud__region", label=_("region"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name contains"))
    missing = django_filters.BooleanFilter(
        field_name="missing_since", lookup_expr="isnull", exclude=True, label=_("missing")
    )

    class Meta:
        model = Flavor
        fields = ["region", "name", "vcpus", "ram", "disk", "enabled", "is_public", "missing"]
