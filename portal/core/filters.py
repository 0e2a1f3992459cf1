import django_filters

from portal.core.models import Task


class TaskFilter(django_filters.FilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created", lookup_expr="lt")

    class Meta:
        model = Task
        fields = ["state", "kind", "target_type", "target_id"]
