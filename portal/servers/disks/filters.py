"""The cloud disks list's filters (the API's and the admin's)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.servers.disks.models import Volume


class VolumeFilter(django_filters.FilterSet):
    """By Cinder's status (`volume_status`, or `status`), the server it is attached to
    (`instance_id`), name, region and tenant. Deleted disks are listed only when asked
    for by status."""

    volume_status = django_filters.CharFilter(
        field_name="status", lookup_expr="iexact", label=_("status")
    )
    status = django_filters.CharFilter(field_name="status", lookup_expr="iexact", label=_("status"))
    instance_id = django_filters.CharFilter(
        field_name="server__instance_id", label=_("attached to server")
    )
    volume_name = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("name contains")
    )
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name contains"))
    region = django_filters.CharFilter(field_name="cloud__region", label=_("region"))
    tenant_id = django_filters.CharFilter(field_name="tenant_id", label=_("tenant"))

    class Meta:
        model = Volume
        fields = [
            "volume_status", "status", "instance_id", "volume_name", "name", "region",
            "tenant_id",
        ]  # fmt: skip

    @property
    def qs(self):
        queryset = super().qs
        asked = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        if not (asked.get("volume_status") or asked.get("status")):
            queryset = queryset.live()
        return queryset
