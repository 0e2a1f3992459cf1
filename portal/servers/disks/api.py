"""Cloud disks in the API (seed 004's CloudDiskService): `/cloud-disks[/{volume_id}]`,
`/cloud-disks/{volume_id}/resize` and `/operate` (routed in portal/servers/api/urls.py).
Every change answers 202 with the disk as it stands and its Task."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.clouds.api.sync import SyncActionMixin
from portal.clouds.sync import cloud_for_region
from portal.core.api.mixins import requested_wait_seconds, wait_if_asked
from portal.core.api.permissions import IsOperator, IsTenantOrStaff
from portal.core.api.serializers import TaskSummarySerializer
from portal.core.errors import ValidationFailed
from portal.core.principals import actor_of
from portal.servers.api.serializers import DiskConfSerializer
from portal.servers.disks import services
from portal.servers.disks.filters import VolumeFilter
from portal.servers.disks.models import Volume
from portal.servers.services import servers_visible_to
from portal.tenants.api.permissions import PlatformResourcePermission, acting_tenant, ask_about_body


class CloudDiskSerializer(serializers.ModelSerializer):
    """Seed 004's CloudDisk, plus the portal's task, lock and the cloud's own id.

    `volume_status` is Cinder's status as last read (creating, available, in-use,
    extending, error..., "deleted" once the cloud confirmed the deletion)."""

    volume_name = serializers.CharField(source="name")
    volume_desc = serializers.CharField(source="description")
    cloud_volume_id = serializers.CharField(source="backend_id", allow_null=True)
    region = serializers.CharField(source="cloud.region")
    cloud_disk_conf = serializers.SerializerMethodField()
    volume_status = serializers.CharField(source="status")
    created_time = serializers.DateTimeField(source="created")
    updated_time = serializers.DateTimeField(source="updated")
    attach_instance_id = serializers.SerializerMethodField()
    attach_instance_device = serializers.CharField(source="device")
    attached_time = serializers.DateTimeField(source="attached_at", allow_null=True)
    task = TaskSummarySerializer(source="current_task", allow_null=True)
    tenant_id = serializers.CharField()

    class Meta:
        model = Volume
        fields = [
            "volume_id", "volume_name", "volume_desc", "region", "availability_zone",
            "cloud_disk_conf", "volume_status", "created_time", "updated_time",
            "attach_instance_id", "attach_instance_device", "attached_time", "cloud_volume_id",
            "status_message", "locked", "origin", "tenant_id", "task",
        ]  # fmt: skip
        read_only_fields = fields

    def get_cloud_disk_conf(self, volume) -> dict:
        return {"volume_type": volume.volume_type, "size_in_g": volume.size}

    def get_attach_instance_id(self, volume) -> str:
        return volume.server.instance_id if volume.server else ""


class CloudDiskCreateSerializer(serializers.Serializer):
    """Seed 004's CreateCloudDiskReq (operators name the tenant they act for)."""

    volume_name = serializers.CharField(max_length=255)
    volume_desc = serializers.CharField(max_length=255, required=False, allow_blank=True)
    region = serializers.CharField(max_length=255, required=False, allow_blank=True)
    availability_zone = serializers.CharField(max_length=255, required=False, allow_blank=True)
    cloud_disk_conf = DiskConfSerializer()
    tenant_id = serializers.CharField(max_length=32, required=False)


class CloudDiskModifySerializer(serializers.Serializer):
    """Seed 004's ModifyCloudDiskInfoReq: a new name, description, or both."""

    volume_name = serializers.CharField(max_length=255, required=False)
    volume_desc = serializers.CharField(max_length=255, required=False, allow_blank=True)

    def validate(self, data):
        if not data:
            raise serializers.ValidationError(_("Give volume_name, volume_desc or both."))
        return data


class CloudDiskResizeSerializer(serializers.Serializer):
    """Seed 004's ReqizeCloudDiskReq: the new size (`volume_type` is not changed)."""

    cloud_disk_conf = DiskConfSerializer()


class CloudDiskOperateSerializer(serializers.Serializer):
    """Seed 004's OperateCloudDiskReq."""

    instance_id = serializers.CharField(max_length=64)
    ops_type = serializers.ChoiceField(choices=["attach", "detach"])


class CloudDiskDeletedSerializer(serializers.Serializer):
    """Seed 004's DeleteCloudDiskRes, with the Task (`deleted_time` once it is gone)."""

    volume_id = serializers.CharField()
    deleted_time = serializers.DateTimeField(allow_null=True)
    task = TaskSummarySerializer()


class CloudDiskViewSet(
    SyncActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Cloud disks (seed 004 CloudDiskService), served from the portal's database. A
    tenant sees its own (its servers' data disks among them); another tenant's id is 404.
    Deleted disks are listed only when `?volume_status=deleted` asks for them."""

    serializer_class = CloudDiskSerializer
    filterset_class = VolumeFilter
    ordering_fields = ["created", "name", "size", "status"]
    ordering = ["-created", "-pk"]
    lookup_field = "volume_id"
    lookup_url_kwarg = "volume_id"
    lookup_value_regex = "[^/]+"
    results_key = "cloud_disks"
    sync_kind = "servers.sync"  # the state sync mirrors the volumes too

    def get_queryset(self):
        return services.volumes_visible_to(self.request.user).select_related(
            "cloud", "server", "current_task"
        )

    def get_permissions(self):
        if self.action == "sync":
            return [IsOperator()]
        if self.action in ("list", "create"):
            return [IsTenantOrStaff()]
        return [IsTenantOrStaff(), PlatformResourcePermission()]

    def _accepted(self, request, volume, task):
        task = wait_if_asked(request, task)
        volume = self.get_queryset().get(pk=volume.pk)
        answer = CloudDiskSerializer(volume, context=self.get_serializer_context())
        return Response(answer.data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=CloudDiskCreateSerializer, responses={202: CloudDiskSerializer})
    def create(self, request):
        """Create a disk (202 with its Task); the volumes and gigabytes quota is held."""
        requested_wait_seconds(request)
        form = CloudDiskCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        conf = data["cloud_disk_conf"]
        volume, task = services.create_disk(
            acting_tenant(request, data.get("tenant_id")),
            cloud_for_region(data.get("region")),
            name=data["volume_name"],
            description=data.get("volume_desc", ""),
            size=conf["size_in_g"],
            volume_type=conf.get("volume_type", ""),
            availability_zone=data.get("availability_zone", ""),
            actor=actor_of(request.user),
        )
        return self._accepted(request, volume, task)

    @extend_schema(request=CloudDiskModifySerializer, responses={202: CloudDiskSerializer})
    def partial_update(self, request, volume_id=None):
        """Rename it or change its description, in the cloud too (202 with its Task)."""
        requested_wait_seconds(request)
        form = CloudDiskModifySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        volume, task = services.update_disk(
            self.get_object(),
            name=form.validated_data.get("volume_name"),
            description=form.validated_data.get("volume_desc"),
            actor=actor_of(request.user),
        )
        return self._accepted(request, volume, task)

    @extend_schema(request=CloudDiskResizeSerializer, responses={202: CloudDiskSerializer})
    @action(detail=True, methods=["post"])
    def resize(self, request, volume_id=None):
        """Extend the disk (a smaller size is 422); an attached one where the cloud can."""
        requested_wait_seconds(request)
        form = CloudDiskResizeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        volume, task = services.extend_disk(
            self.get_object(),
            form.validated_data["cloud_disk_conf"]["size_in_g"],
            actor=actor_of(request.user),
        )
        return self._accepted(request, volume, task)

    @extend_schema(request=CloudDiskOperateSerializer, responses={202: CloudDiskSerializer})
    @action(detail=True, methods=["post"])
    def operate(self, request, volume_id=None):
        """Attach the disk to a server or detach it (Nova's volume attachments)."""
        requested_wait_seconds(request)
        form = CloudDiskOperateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        instance_id = form.validated_data["instance_id"]
        ask_about_body(self, [instance_id])
        volume = self.get_object()
        server = servers_visible_to(request.user).filter(instance_id=instance_id).first()
        if server is None:
            raise ValidationFailed(fields={"instance_id": [_("No such server.")]})
        operate = (
            services.attach_disk
            if form.validated_data["ops_type"] == "attach"
            else services.detach_disk
        )
        volume, task = operate(volume, server, actor=actor_of(request.user))
        return self._accepted(request, volume, task)

    @extend_schema(responses={202: CloudDiskDeletedSerializer})
    def destroy(self, request, volume_id=None):
        """Delete the disk (refused while it is attached); 202 with its Task."""
        requested_wait_seconds(request)
        volume, task = services.delete_disk(self.get_object(), actor=actor_of(request.user))
        task = wait_if_asked(request, task)
        task.refresh_from_db()
        volume.refresh_from_db()
        deleted = volume.updated if volume.status == Volume.DELETED else None
        answer = {"volume_id": volume.volume_id, "deleted_time": deleted, "task": task}
        return Response(CloudDiskDeletedSerializer(answer).data, status=status.HTTP_202_ACCEPTED)
