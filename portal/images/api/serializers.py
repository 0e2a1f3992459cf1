from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.clouds.formats import CONTAINER_FORMATS, DISK_FORMATS
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

    uploaded_by = serializers.SerializerMethodField()
    missing = serializers.BooleanField(source="is_missing")
    synced_time = serializers.DateTimeField(source="synced_at", allow_null=True)  # uploads

    class Meta(ImageSerializer.Meta):
        fields = [
            *ImageSerializer.Meta.fields,
            "enabled", "origin", "uploaded_by", "visibility", "missing", "missing_since",
            "synced_time", "upload_state", "upload_size", "received_bytes",
        ]  # fmt: skip
        read_only_fields = fields

    def get_uploaded_by(self, image) -> str | None:
        """The staff user's name, or the API caller that uploaded it; None if synced."""
        if image.uploaded_by is not None:
            return image.uploaded_by.username
        return image.uploaded_by_actor or None


class ImageUploadSerializer(serializers.Serializer):
    """`POST /images`: the metadata of an image whose file follows with `PUT .../file`."""

    image_name = serializers.CharField(source="name", max_length=255)
    image_diskformat = serializers.ChoiceField(source="disk_format", choices=DISK_FORMATS)
    image_containerformat = serializers.ChoiceField(
        source="container_format", choices=CONTAINER_FORMATS, default="bare"
    )
    min_disk = serializers.IntegerField(min_value=0, max_value=100_000, default=0)
    min_ram = serializers.IntegerField(min_value=0, max_value=10_000_000, default=0)
    os_type = serializers.CharField(max_length=50, required=False, allow_blank=True)
    os_version = serializers.CharField(max_length=50, required=False, allow_blank=True)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    region = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=_("Default: the default cloud.")
    )
    checksum = serializers.RegexField(
        r"^[0-9a-fA-F]{32}$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": _("The checksum must be an MD5 digest: 32 hexadecimal digits.")},
        help_text=_(
            "The file's MD5, if the client knows it: the cloud's copy is checked against it "
            "(end to end), and the portal need not compute it."
        ),
    )


class ImageTaskSerializer(OperatorImageSerializer):
    """An image with the Task moving it (upload transfer, deletion)."""

    task = TaskSummarySerializer(read_only=True, source="current_task")

    class Meta(OperatorImageSerializer.Meta):
        fields = [*OperatorImageSerializer.Meta.fields, "task"]
        read_only_fields = fields
