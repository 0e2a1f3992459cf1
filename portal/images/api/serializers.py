from rest_framework import serializers

from portal.core.api.serializers import TaskSummarySerializer
from portal.images.models import Image


class ImageSerializer(serializers.ModelSerializer):
    """Seed 004's Image (image_id, image_name, image_diskformat, image_containerformat),
    plus what a tenant needs to choose one, and `region`."""

    image_name = serializers.CharField(source="name")
    image_diskformat = serializers.CharField(source="disk_format")
    image_containerformat = serializers.CharField(source="container_format")
    image_status = serializers.CharField(source="status")
    region = serializers.CharField(source="cloud.region")

    class Meta:
        model = Image
        fields = [
            "image_id", "image_name", "image_diskformat", "image_containerformat",
            "image_status", "min_disk", "min_ram", "size", "checksum", "os_type",
            "os_distro", "os_version", "description", "region",
        ]  # fmt: skip
        read_only_fields = fields


class OperatorImageSerializer(ImageSerializer):
    """What operators see besides: the portal flag, where the image came from, and
    whether the cloud still lists it."""

    uploaded_by = serializers.CharField(source="uploaded_by.username", allow_null=True)
    missing = serializers.BooleanField(source="is_missing")
    synced_time = serializers.DateTimeField(source="synced_at")

    class Meta(ImageSerializer.Meta):
        fields = [
            *ImageSerializer.Meta.fields,
            "enabled", "origin", "uploaded_by", "visibility", "missing", "missing_since",
            "synced_time",
        ]  # fmt: skip
        read_only_fields = fields


class ImageSyncSerializer(serializers.Serializer):
    """`POST /images/sync`: body `{region}` (optional: the default cloud); answers with
    the region and the sync's Task."""

    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    task = TaskSummarySerializer(read_only=True)
