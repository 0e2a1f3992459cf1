import django_filters
from django.utils.translation import gettext_lazy as _

from portal.clouds.filters import MirroredFilter
from portal.isos.models import Iso


class IsoFilter(MirroredFilter):
    iso_name = django_filters.CharFilter(lookup_expr="icontains", label=_("name contains"))
    os_type = django_filters.CharFilter(lookup_expr="iexact", label=_("OS type"))
    ftp_server_id = django_filters.NumberFilter(field_name="ftp_server", label=_("FTP server"))

    class Meta:
        model = Iso
        fields = ["region", "iso_name", "os_type", "ftp_server_id", "enabled", "origin", "status"]
