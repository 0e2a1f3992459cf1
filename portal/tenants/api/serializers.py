from rest_framework import serializers

from portal.core.api.serializers import TaskSummarySerializer
from portal.tenants.models import TENANT_NAME_MAX_LENGTH, Tenant, TenantQuota


class TenantSerializer(serializers.ModelSerializer):
    tenant_name = serializers.CharField(source="name", read_only=True)
    created_time = serializers.DateTimeField(source="created", read_only=True)

    class Meta:
        model = Tenant
        fields = ["tenant_id", "tenant_name", "status", "status_message", "created_time"]
        read_only_fields = fields


class TenantCreateSerializer(serializers.Serializer):
    """CreateTenantReq (seed 004). The name's rules live in signup.register_tenant."""

    tenant_name = serializers.CharField(max_length=TENANT_NAME_MAX_LENGTH, trim_whitespace=True)


class TenantCreatedSerializer(TenantSerializer):
    """CreateTenantRes (seed 004): the API key appears here and nowhere else."""

    apikey = serializers.CharField(read_only=True)
    task = TaskSummarySerializer(read_only=True)

    class Meta(TenantSerializer.Meta):
        fields = ["tenant_id", "tenant_name", "status", "apikey", "task"]
        read_only_fields = fields


class QuotaSerializer(serializers.ModelSerializer):
    """The flat quota shape of design/api.md; -1 means unlimited (the model validates)."""

    class Meta:
        model = TenantQuota
        fields = list(TenantQuota.RESOURCES)
        # PUT replaces the quota, so it names every limit (PATCH may name some).
        extra_kwargs = {name: {"required": True} for name in TenantQuota.RESOURCES}
