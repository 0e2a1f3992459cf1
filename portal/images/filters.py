import django_filters
from django.utils.translation import gettext_lazy as _

from portal.clouds.filters import MirroredFilter
from portal.images.models import Image


class ImageFilter(MirroredFilter):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name contains"))
    os_type = django_filters.CharFilter(lookup_expr="iexact", label=_("OS type"))
    disk_format = django_filters.CharFilter(lookup_expr="iexact", label=_("disk format"))
    status = django_filters.CharFilter(lookup_expr="iexact", label=_("status"))

    class Meta:
        model = Image
        # Tenants see enabled, present images only, so `enabled` and `missing` matter to
        # operators.
        fields = ["region", "name", "os_type", "disk_format", "status", "enabled", "origin"]
