"""A server's CD drive in the API: `/instances/{instance_id}/cdrom` (routed in
portal/servers/api/urls.py)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from portal.core.api.mixins import requested_wait_seconds, wait_if_asked
from portal.core.api.permissions import IsTenantOrStaff
from portal.core.api.serializers import TaskSummarySerializer
from portal.core.errors import NotFound, ValidationFailed
from portal.core.principals import actor_of
from portal.isos.models import Iso
from portal.servers.cdrom import services
from portal.servers.cdrom.models import IsoMount
from portal.servers.services import servers_visible_to
from portal.tenants.api.permissions import PlatformResourcePermission, ask_about_body


class IsoMountSerializer(serializers.ModelSerializer):
    """A server's CD drive: the ISO in it, and the cloud volume that carries it."""

    instance_id = serializers.CharField(source="server.instance_id", read_only=True)
    iso_id = serializers.CharField(source="iso.iso_id", read_only=True)
    iso_name = serializers.CharField(source="iso.iso_name", read_only=True)
    # attaching | attached | detaching | failed ("detached" in an unmount's answer)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = IsoMount
        fields = [
            "instance_id", "iso_id", "iso_name", "status", "status_message", "device",
            "volume_id", "mounted_by", "attached_at", "created",
        ]  # fmt: skip
        read_only_fields = fields


class IsoMountTaskSerializer(IsoMountSerializer):
    """A 202 answer: the mount as it stands and the Task carrying the operation."""

    task = TaskSummarySerializer(read_only=True)

    class Meta(IsoMountSerializer.Meta):
        fields = [*IsoMountSerializer.Meta.fields, "task"]
        read_only_fields = fields


class MountRequestSerializer(serializers.Serializer):
    """`POST /instances/{id}/cdrom`: the ISO to put in the server's CD drive."""

    iso_id = serializers.CharField(max_length=64)


class CdromViewSet(viewsets.GenericViewSet):
    """A server's CD drive: `GET /instances/{id}/cdrom` (the mounted ISO, 404 if none),
    `POST` `{iso_id}` mounts an ISO (202 + Task), `DELETE` unmounts it (202 + Task).
    A tenant names its own servers only (another tenant's is 404)."""

    lookup_field = "instance_id"
    lookup_url_kwarg = "instance_id"
    serializer_class = IsoMountSerializer
    permission_classes = [IsTenantOrStaff, PlatformResourcePermission]

    def get_queryset(self):
        return servers_visible_to(self.request.user).select_related("cloud", "tenant")

    def _mount_of(self, server):
        mount = services.current_mount(server)
        if mount is None:
            raise NotFound(_("No ISO is mounted on this server."), code="no_cdrom")
        return mount

    @extend_schema(responses=IsoMountSerializer)
    def retrieve(self, request, instance_id):
        return Response(IsoMountSerializer(self._mount_of(self.get_object())).data)

    @extend_schema(request=MountRequestSerializer, responses={202: IsoMountTaskSerializer})
    def mount(self, request, instance_id):
        requested_wait_seconds(request)
        body = MountRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ask_about_body(self, [body.validated_data["iso_id"]])
        server = self.get_object()
        iso = Iso.objects.filter(iso_id=body.validated_data["iso_id"]).first()
        if iso is None:
            raise ValidationFailed(fields={"iso_id": [_("No such ISO.")]})
        mount, task = services.mount_iso(server, iso, actor=actor_of(request.user))
        return self._accepted(request, mount, task)

    @extend_schema(request=None, responses={202: IsoMountTaskSerializer})
    def unmount(self, request, instance_id):
        requested_wait_seconds(request)
        mount, task = services.unmount_iso(self.get_object(), actor=actor_of(request.user))
        return self._accepted(request, mount, task)

    def _accepted(self, request, mount, task):
        task = wait_if_asked(request, task)
        task.refresh_from_db()  # an eager or quick worker may have moved it on
        now = IsoMount.objects.select_related("server", "iso").filter(pk=mount.pk).first()
        if now is None:  # unmounted: the row is gone
            mount.status = "detached"
        mount = now or mount
        mount.task = task
        return Response(IsoMountTaskSerializer(mount).data, status=status.HTTP_202_ACCEPTED)
