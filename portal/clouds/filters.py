import django_filters
from django.utils.translation import gettext_lazy as _


class MirroredFilter(django_filters.FilterSet):
    """The filters of every list mirrored from the clouds (a MirroredModel's): the region,
    and whether the cloud stopped listing the row."""

    region = django_filters.CharFilter(field_name="cloud__region", label=_("region"))
    missing = django_filters.BooleanFilter(
        field_name="missing_since", lookup_expr="isnull", exclude=True, label=_("missing")
    )
