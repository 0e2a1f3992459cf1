import django_filters
from django.utils.translation import gettext_lazy as _

from portal.network.security_groups.models import SecurityGroup


class SecurityGroupFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="cloud__region", label=_("region"))
    security_group_name = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("name contains")
    )
    status = django_filters.ChoiceFilter(choices=SecurityGroup.Status.choices, label=_("status"))

    class Meta:
        model = SecurityGroup
        fields = ["region", "security_group_name", "status"]
