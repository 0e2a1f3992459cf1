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
        # Uniqueness is checked by the service (409), not as a 400 here.
        extra_kwargs = {"name": {"validators": []}, "region": {"validators": []}}
