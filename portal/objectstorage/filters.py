import django_filters

from portal.objectstorage.models import OssUser


class OssUserFilter(django_filters.FilterSet):
    """`?region=`, `?tenant_id=` (operators), `?oss_uid=` (a prefix)."""

    region = django_filters.CharFilter(field_name="store__cloud__region")
    tenant_id = django_filters.CharFilter(field_name="tenant_id")
    oss_uid = django_filters.CharFilter(field_name="uid", lookup_expr="startswith")

    class Meta:
        model = OssUser
        fields = ["region", "tenant_id", "oss_uid"]
