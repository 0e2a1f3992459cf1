import django_filters
from django.utils.translation import gettext_lazy as _

from portal.isos.models import Iso


class IsoFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="cloud__region", label=_("region"))
    iso_name = django_filters.CharFilter(lookup_expr="icontains", label=_("name contains"))
    os_type = django_filters.CharFilter(lookup_expr="iexact", label=_("OS type"))
    ftp_server_id = django_filters.NumberFilter(field_name="ftp_server", label=_("FTP server"))
    missing = django_filters.BooleanFilter(
        field_name="missing_since", lookup_expr="isnull", exclude=True, label=_("missing")
    )

    class Meta:
        model = Iso
        fields = ["region", "iso_name", "os_type", "ftp_server_id", "enabled", "origin", "status"]
