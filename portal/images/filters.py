import django_filters
from django.utils.translation import gettext_lazy as _

from portal.images.models import Image


class ImageFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="cloud__region", label=_("region"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name contains"))
    os_type = django_filters.CharFilter(lookup_expr="iexact", label=_("OS type"))
    disk_format = django_filters.CharFilter(lookup_expr="iexact", label=_("disk format"))
    status = django_filters.CharFilter(lookup_expr="iexact", label=_("status"))
    # Tenants see enabled, present images only, so these two matter to operators.
    missing = django_filters.BooleanFilter(
        field_name="missing_since", lookup_expr="isnull", exclude=True, label=_("missing")
    )

    class Meta:
        model = Image
        fields = ["region", "name", "os_type", "disk_format", "status", "enabled", "origin"]
