from rest_framework import serializers

from portal.clouds.models import Cloud


class CloudSerializer(serializers.ModelSerializer):
    cloud_id = serializers.CharField(read_only=True)
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, style={"input_type": "password"}
    )

    class Meta:
        model = Cloud
        fields = [
            "cloud_id", "name", "kind", "region", "auth_url", "username", "password",
            "project_name", "user_domain_name", "project_domain_name", "region_name",
            "verify_tls", "options", "enabled", "is_default",
        ]  # fmt: skip
        # Uniqueness is the service's business (a 409, and one default cloud), not a 400.
        extra_kwargs = {name: {"validators": []} for name in ("name", "region", "is_default")}
        validators = []
