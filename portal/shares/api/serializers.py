"""NAS shares in the API: seed 004's NasDisk and its requests."""

from rest_framework import serializers

from portal.core.api.serializers import TaskSummarySerializer
from portal.shares.models import Share
from portal.shares.services import ACCESS_LEVELS, MAX_SHARE_GB, CreateRequest


class AccessRuleSerializer(serializers.Serializer):
    """An access rule as Manila last reported it."""

    id = serializers.CharField()
    access_to = serializers.CharField()
    access_level = serializers.CharField()
    state = serializers.CharField()


class NasDiskSerializer(serializers.ModelSerializer):
    """Seed 004's NasDisk, plus the portal's task, lifecycle, export locations and access
    rules. `share_status` and `share_progress` are Manila's (seed 004 rule 4);
    `portal_state` is the portal's lifecycle (creating, ready, resizing, deleting, failed)."""

    share_id = serializers.CharField()
    cloud_share_id = serializers.CharField(source="backend_id", allow_null=True)
    share_name = serializers.CharField(source="name")
    share_desc = serializers.CharField(source="description")
    share_proto = serializers.CharField(source="proto")
    share_size_in_g = serializers.IntegerField(source="size")
    region = serializers.CharField(source="cloud.region")
    share_network_id = serializers.CharField(source="share_network.backend_id", allow_null=True)
    portal_state = serializers.ChoiceField(source="status", choices=Share.Status.choices)
    access_rules = AccessRuleSerializer(many=True)
    created_time = serializers.DateTimeField(source="created")
    updated_time = serializers.DateTimeField(source="updated")
    task = TaskSummarySerializer(source="current_task", allow_null=True)
    tenant_id = serializers.CharField()

    class Meta:
        model = Share
        fields = [
            "share_id", "cloud_share_id", "share_name", "share_desc", "share_proto",
            "share_size_in_g", "region", "network_id", "share_status", "share_progress",
            "share_server_id", "share_server_host", "share_network_id", "created_time",
            "updated_time", "export_locations", "access_rules", "portal_state",
            "status_message", "locked", "task", "tenant_id",
        ]  # fmt: skip
        read_only_fields = fields


class NasDiskCreateSerializer(serializers.Serializer):
    """CreateNasDiskReq (seed 004); `tenant_id` only for operators, acting for a tenant."""

    tenant_id = serializers.CharField(required=False, max_length=20)
    share_name = serializers.CharField(max_length=255)
    share_desc = serializers.CharField(required=False, allow_blank=True, max_length=255)
    share_proto = serializers.ChoiceField(choices=Share.Protocol.choices)
    share_size_in_g = serializers.IntegerField(min_value=1, max_value=MAX_SHARE_GB)
    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    network_id = serializers.CharField(max_length=64)

    def to_request(self) -> CreateRequest:
        data = dict(self.validated_data)
        data.pop("tenant_id", None)
        return CreateRequest(**data)


class NasDiskDeletedSerializer(serializers.Serializer):
    """DeleteNasDiskRes (seed 004): `deleted_time` once Manila no longer has the share."""

    share_id = serializers.CharField()
    deleted_time = serializers.DateTimeField(allow_null=True)
    task = TaskSummarySerializer()


class ResizeSerializer(serializers.Serializer):
    share_size_in_g = serializers.IntegerField(min_value=1, max_value=MAX_SHARE_GB)


class AllowAccessSerializer(serializers.Serializer):
    access_to = serializers.CharField(max_length=64, help_text="An IP address or a CIDR.")
    access_level = serializers.ChoiceField(choices=ACCESS_LEVELS, default="rw")


class GrantServerSerializer(serializers.Serializer):
    instance_id = serializers.CharField(max_length=64)
    access_level = serializers.ChoiceField(choices=ACCESS_LEVELS, default="rw")


class MountClientsSerializer(serializers.Serializer):
    """MountClients (seed 004): the tenant's servers an access rule of the share covers."""

    instance_id = serializers.ListField(child=serializers.CharField())
