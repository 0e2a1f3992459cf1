from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField

from portal.core.models import Task


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, taken in UTC: PostgreSQL refuses offsets of 16 hours or more, and
    a time with no UTC equivalent (year 1 written with a positive offset) is not valid."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """The filter of every list's time parameters (`created_after`, `created_before`)."""

    field_class = UtcDateTimeField


class TaskFilter(django_filters.FilterSet):
    created_after = UtcDateTimeFilter(field_name="created", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created", lookup_expr="lt")

    class Meta:
        model = Task
        fields = ["state", "kind", "target_type", "target_id"]
