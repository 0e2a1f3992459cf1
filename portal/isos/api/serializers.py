from rest_framework import serializers

from portal.clouds.models import Cloud
from portal.isos.models import FtpServer


class FtpServerSerializer(serializers.ModelSerializer):
    """design/api.md's FtpServer, plus the optional SSH access. Secrets are write-only."""

    ftp_server_id = serializers.CharField(read_only=True)
    region = serializers.SlugRelatedField(
        source="cloud", slug_field="region", queryset=Cloud.objects.all(), required=False
    )
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
