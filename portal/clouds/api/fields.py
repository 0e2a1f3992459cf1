"""API fields naming clouds."""

from rest_framework import serializers

from portal.clouds.models import Cloud


class RegionField(serializers.SlugRelatedField):
    """A Cloud named by its region. A name PostgreSQL cannot hold (a NUL byte) names no
    region: refused like any unknown one, not looked up."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="region", queryset=Cloud.objects.all(), **kwargs)

    def to_internal_value(self, data):
        if "\x00" in str(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)
