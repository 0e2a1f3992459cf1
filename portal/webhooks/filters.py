import django_filters
from django.utils.translation import gettext_lazy as _

from portal.core.filters import UtcDateTimeFilter
from portal.webhooks.models import Delivery


class DeliveryFilter(django_filters.FilterSet):
    webhook_id = django_filters.UUIDFilter(field_name="endpoint", label=_("webhook id"))
    task_id = django_filters.UUIDFilter(field_name="task", label=_("task id"))
    created_after = UtcDateTimeFilter(field_name="created", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created", lookup_expr="lt")

    class Meta:
        model = Delivery
        fields = ["state", "event"]
