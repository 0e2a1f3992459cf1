import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.clouds.filters import MirroredFilter
from portal.core.filters import UtcDateTimeFilter
from portal.servers.models import Flavor, Server, ServerTag


class FlavorFilter(MirroredFilter):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name contains"))

    class Meta:
        model = Flavor
        fields = ["region", "name", "vcpus", "ram", "disk", "enabled", "is_public", "missing"]


class ServerFilter(django_filters.FilterSet):
    """Seed 004's lists with filters: the cloud's status, the portal's state (or `status`,
    either), name, flavor, image, created time, tag."""

    status = django_filters.CharFilter(method="filter_status", label=_("status"))
    instance_status = django_filters.CharFilter(
        field_name="runtime_state", lookup_expr="iexact", label=_("cloud status")
    )
    portal_state = django_filters.ChoiceFilter(
        field_name="status", choices=Server.Status.choices, label=_("portal state")
    )
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name contains"))
    flavor = django_filters.CharFilter(field_name="flavor_ref", label=_("flavor id"))
    image = django_filters.CharFilter(field_name="image_ref", label=_("image id"))
    region = django_filters.CharFilter(field_name="cloud__region", label=_("region"))
    created_after = UtcDateTimeFilter(
        field_name="created", lookup_expr="gte", label=_("created at or after")
    )
    created_before = UtcDateTimeFilter(
        field_name="created", lookup_expr="lt", label=_("created before")
    )
    tag = django_filters.CharFilter(method="filter_tag", label=_("tag"))
    tenant_id = django_filters.CharFilter(field_name="tenant_id", label=_("tenant"))

    class Meta:
        model = Server
        fields = [
            "status", "instance_status", "portal_state", "name", "flavor", "image", "region",
            "tag", "tenant_id",
        ]  # fmt: skip

    def filter_status(self, queryset, name, value):
        return queryset.filter(Q(status=value.lower()) | Q(runtime_state=value.upper()))

    def filter_tag(self, queryset, name, value):
        tagged = ServerTag.objects.filter(name=value).values("server_id")
        return queryset.filter(pk__in=tagged)
