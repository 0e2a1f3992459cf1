from rest_framework import serializers

from portal.clouds.models import AzureMapping, Cloud


class CloudSerializer(serializers.ModelSerializer):
    cloud_id = serializers.CharField(read_only=True)
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, style={"input_type": "password"}
    )
    azure_client_secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, style={"input_type": "password"}
    )
    azure_storage_key = serializers.CharField(
        write_only=True, required=False, allow_blank=True, style={"input_type": "password"}
    )

    class Meta:
        model = Cloud
        fields = [
            "cloud_id", "name", "kind", "region", "auth_url", "username", "password",
            "project_name", "user_domain_name", "project_domain_name", "region_name",
            "verify_tls", "options", "azure_subscription_id", "azure_resource_group",
            "azure_location", "azure_directory_id", "azure_client_id", "azure_client_secret",
            "azure_storage_account", "azure_storage_key", "azure_blob_endpoint",
            "azure_stop_mode", "enabled", "is_default",
        ]  # fmt: skip
        # Uniqueness is the service's business (a 409, and one default cloud), not a 400.
        extra_kwargs = {name: {"validators": []} for name in ("name", "region", "is_default")}
        validators = []


class UnsupportedOperationSerializer(serializers.Serializer):
    operation = serializers.CharField()
    message = serializers.CharField()


class CapabilitiesSerializer(serializers.Serializer):
    """What a cloud cannot do: each operation refused with 422 `not_supported_by_cloud`,
    and why."""

    cloud_id = serializers.CharField()
    kind = serializers.CharField()
    unsupported = UnsupportedOperationSerializer(many=True)


class AzureMappingSerializer(serializers.ModelSerializer):
    """What a portal name means on an Azure cloud. `azure_ref` by kind: a VM size
    (`Standard_B2s`); an image's resource ID or a marketplace image
    (`publisher:offer:sku:version`); a subnet's resource ID; a network security group's
    resource ID."""

    mapping_id = serializers.CharField(source="pk", read_only=True)
    cloud_id = serializers.CharField(read_only=True)
    created_time = serializers.DateTimeField(source="created", read_only=True)
    updated_time = serializers.DateTimeField(source="updated", read_only=True)

    class Meta:
        model = AzureMapping
        fields = [
            "mapping_id", "cloud_id", "kind", "name", "azure_ref", "created_time",
            "updated_time",
        ]  # fmt: skip
        # One name per kind and cloud is the service's business (a 409), not a 400.
        validators = []
