from rest_framework import serializers

from portal.core.api.serializers import TaskSummarySerializer
from portal.tenants.models import TENANT_NAME_MAX_LENGTH, Tenant, TenantIdentity, TenantQuota


class RegionSetupSerializer(serializers.ModelSerializer):
    """The tenant in one region: `state` pending|ready|failed, and the set-up Task."""

    region = serializers.CharField(source="cloud.region", read_only=True)
    message = serializers.CharField(source="state_message", read_only=True)
    task = TaskSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = TenantIdentity
        fields = ["region", "state", "message", "task"]
        read_only_fields = fields


class TenantSerializer(serializers.ModelSerializer):
    """A tenant; `status` is active once one region is ready, and `regions` says which
    are (the tenant may create resources only there)."""

    tenant_name = serializers.CharField(source="name", read_only=True)
    created_time = serializers.DateTimeField(source="created", read_only=True)
    regions = RegionSetupSerializer(source="identities", many=True, read_only=True)

    class Meta:
        model = Tenant
        fields = [
            "tenant_id", "tenant_name", "status", "status_message", "regions", "created_time",
        ]  # fmt: skip
        read_only_fields = fields


class TenantCreateSerializer(serializers.Serializer):
    """CreateTenantReq (seed 004). The name's rules live in signup.register_tenant."""

    tenant_name = serializers.CharField(max_length=TENANT_NAME_MAX_LENGTH, trim_whitespace=True)


class TenantCreatedSerializer(TenantSerializer):
    """CreateTenantRes (seed 004): the API key appears here and nowhere else. `task` is the
    set-up in the default region; `regions` has each region's."""

    apikey = serializers.CharField(read_only=True)
    task = TaskSummarySerializer(read_only=True)

    class Meta(TenantSerializer.Meta):
        fields = ["tenant_id", "tenant_name", "status", "apikey", "task", "regions"]
        read_only_fields = fields


class QuotaSerializer(serializers.ModelSerializer):
    """The flat quota shape of design/api.md; -1 means unlimited (the model validates)."""

    class Meta:
        model = TenantQuota
        fields = list(TenantQuota.RESOURCES)
        # PUT replaces the quota, so it names every limit (PATCH may name some).
        extra_kwargs = {name: {"required": True} for name in TenantQuota.RESOURCES}
