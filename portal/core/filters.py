from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend

from portal.core.errors import ValidationFailed
from portal.core.models import Task

# Filters whose values the schema lists (an enum, a boolean): none of them is empty.
LISTED_VALUES = (django_filters.ChoiceFilter, django_filters.BooleanFilter)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend (DEFAULT_FILTER_BACKENDS), except that an enum or boolean
    filter given an empty value (`?state=`) is a 400, as any value off the schema's list
    is: django-filter would read it as no filter at all."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        empty = {
            name: [_("Give one of the listed values, or leave the parameter out.")]
            for name, declared in filterset.filters.items()
            if isinstance(declared, LISTED_VALUES)
            and name in request.query_params
            and not request.query_params[name].strip()
        }
        if empty:
            raise ValidationFailed(fields=empty)
        return filterset


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
