from rest_framework import serializers

from portal.clouds.api.fields import RegionField
from portal.core.api.serializers import TaskSummarySerializer
from portal.isos.models import FtpServer, Iso


class FtpServerSerializer(serializers.ModelSerializer):
    """design/api.md's FtpServer, plus the optional SSH access. Secrets are write-only."""

    ftp_server_id = serializers.CharField(read_only=True)
    region = RegionField(source="cloud", required=False)
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, style={"input_type": "password"}
    )
    ssh_password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, style={"input_type": "password"}
    )
    ssh_private_key = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False
    )

    class Meta:
        model = FtpServer
        fields = [
            "ftp_server_id", "name", "region", "host", "port", "username", "password",
            "base_dir", "passive", "use_tls", "ssh_host", "ssh_port", "ssh_username",
            "ssh_password", "ssh_private_key", "ssh_host_key", "ssh_base_dir",
        ]  # fmt: skip
        # Uniqueness is the service's business (a 409), not a 400.
        extra_kwargs = {"name": {"validators": []}}


class ConnectionCheckSerializer(serializers.Serializer):
    """`POST /ftp-servers/{id}/test`: whether the servers answered, or the exact failure."""

    ok = serializers.BooleanField()
    message = serializers.CharField()
    code = serializers.CharField(allow_blank=True)


class IsoSerializer(serializers.ModelSerializer):
    """design/api.md's Iso, plus where the file is and whether the server still lists it.

    Written: iso_name, iso_desc, os_type (create and PATCH), ftp_server_id and the
    optional remote file_name (create only)."""

    ftp_server_id = serializers.PrimaryKeyRelatedField(
        source="ftp_server", queryset=FtpServer.objects.all(), pk_field=serializers.CharField()
    )
    region = serializers.CharField(source="cloud.region", read_only=True)
    uploaded_by = serializers.CharField(
        source="uploaded_by.username", allow_null=True, read_only=True
    )
    mounted_on = serializers.SerializerMethodField()
    mtime = serializers.DateTimeField(read_only=True, allow_null=True)  # not on the FTP yet
    missing = serializers.BooleanField(source="is_missing", read_only=True)

    class Meta:
        model = Iso
        fields = [
            "iso_id", "iso_name", "iso_desc", "os_type", "size", "checksum", "ftp_server_id",
            "file_name", "region", "enabled", "origin", "status", "mounted_on", "uploaded_by",
            "mtime", "missing", "missing_since", "created",
        ]  # fmt: skip
        read_only_fields = [
            "iso_id", "size", "checksum", "enabled", "origin", "status", "missing_since",
            "created",
        ]  # fmt: skip
        extra_kwargs = {"file_name": {"required": False}, "iso_desc": {"required": False}}

    def get_mounted_on(self, iso) -> list[str]:
        from portal.isos.services import servers_mounting

        return servers_mounting(iso)


class IsoUpdateSerializer(serializers.Serializer):
    """`PATCH /isos/{id}`: the portal's name, description and OS type."""

    iso_name = serializers.CharField(max_length=255, required=False)
    iso_desc = serializers.CharField(allow_blank=True, required=False)
    os_type = serializers.CharField(max_length=50, allow_blank=True, required=False)


class IsoTaskSerializer(IsoSerializer):
    """A 202 answer: the ISO as it stands and the Task carrying the operation."""

    task = TaskSummarySerializer(read_only=True)

    class Meta(IsoSerializer.Meta):
        fields = [*IsoSerializer.Meta.fields, "task"]


class TenantIsoSerializer(serializers.ModelSerializer):
    """An ISO as a tenant sees it (enabled, available ones only): what it needs to choose
    one to mount; not where it is stored nor where else it is mounted."""

    region = serializers.CharField(source="cloud.region", read_only=True)

    class Meta:
        model = Iso
        fields = ["iso_id", "iso_name", "iso_desc", "os_type", "size", "checksum", "region"]
        read_only_fields = fields
