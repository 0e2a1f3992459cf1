"""`/nas-disks`: NAS shares (seed 004's NasDiskService) and their access rules."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.clouds.api.sync import SyncActionMixin
from portal.core.api.mixins import requested_wait_seconds, wait_if_asked
from portal.core.api.permissions import IsOperator, IsTenantOrStaff
from portal.core.api.serializers import TaskSerializer
from portal.core.principals import actor_of
from portal.shares import services
from portal.shares.api.serializers import (
    AllowAccessSerializer,
    GrantServerSerializer,
    MountClientsSerializer,
    NasDiskCreateSerializer,
    NasDiskDeletedSerializer,
    NasDiskSerializer,
    ResizeSerializer,
)
from portal.shares.filters import ShareFilter
from portal.shares.models import Share
from portal.tenants.api.permissions import PlatformResourcePermission, acting_tenant, ask_about_body


class NasDiskViewSet(
    SyncActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):  # fmt: skip
    """NAS shares (Manila), served from the portal's database. A tenant sees its own;
    another tenant's id is 404. Every change answers 202 with its Task."""

    serializer_class = NasDiskSerializer
    filterset_class = ShareFilter
    ordering_fields = ["created", "name", "size"]
    ordering = ["-created", "-pk"]
    lookup_field = "share_id"
    lookup_url_kwarg = "share_id"
    lookup_value_regex = "[^/]+"
    results_key = "nas_disks"
    sync_kind = "shares.sync"

    def get_queryset(self):
        return services.shares_visible_to(self.request.user).select_related(
            "cloud", "current_task", "share_network"
        )

    def get_permissions(self):
        if self.action == "sync":
            return [IsOperator()]
        if self.action in ("list", "create"):
            return [IsTenantOrStaff()]
        return [IsTenantOrStaff(), PlatformResourcePermission()]

    def _answer(self, request, share, task):
        wait_if_asked(request, task)
        share = self.get_queryset().filter(pk=share.pk).first() or share
        answer = NasDiskSerializer(share, context=self.get_serializer_context())
        return Response(answer.data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=NasDiskCreateSerializer, responses={202: NasDiskSerializer})
    def create(self, request):
        """Create a NAS share on a network of the tenant (202 with its Task): the Task
        finds or makes the share network of the network's subnet, then the share."""
        requested_wait_seconds(request)
        form = NasDiskCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ask_about_body(self, [form.validated_data["network_id"]], with_object=False)
        share, task = services.create_share(
            acting_tenant(request, form.validated_data.get("tenant_id")),
            form.to_request(),
            actor=actor_of(request.user),
        )
        return self._answer(request, share, task)

    @extend_schema(responses={202: NasDiskDeletedSerializer})
    def destroy(self, request, share_id=None):
        """Delete the share, then the share network the portal made for it once no share
        uses it; each checked gone in the cloud."""
        requested_wait_seconds(request)
        share, task = services.delete_share(self.get_object(), actor=actor_of(request.user))
        wait_if_asked(request, task)
        task.refresh_from_db()
        share.refresh_from_db()
        deleted = share.updated if share.status == Share.Status.DELETED else None
        answer = {"share_id": share.share_id, "deleted_time": deleted, "task": task}
        return Response(NasDiskDeletedSerializer(answer).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ResizeSerializer, responses={202: NasDiskSerializer})
    @action(detail=True, methods=["post"])
    def resize(self, request, share_id=None):
        """Extend or shrink the share to `share_size_in_g`."""
        requested_wait_seconds(request)
        form = ResizeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        share, task = services.resize_share(
            self.get_object(), form.validated_data["share_size_in_g"], actor=actor_of(request.user)
        )
        return self._answer(request, share, task)

    @extend_schema(request=AllowAccessSerializer, responses={202: NasDiskSerializer})
    @action(detail=True, methods=["post"], url_path="access-rules")
    def allow_access(self, request, share_id=None):
        """Let an IP address or CIDR mount the share, read-only (ro) or read-write (rw)."""
        requested_wait_seconds(request)
        form = AllowAccessSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        share, task = services.allow_access(
            self.get_object(), **form.validated_data, actor=actor_of(request.user)
        )
        return self._answer(request, share, task)

    @extend_schema(request=None, responses={202: NasDiskSerializer})
    @action(detail=True, methods=["delete"], url_path=r"access-rules/(?P<rule_id>[^/]+)")
    def deny_access(self, request, share_id=None, rule_id=None):
        """Remove an access rule."""
        requested_wait_seconds(request)
        share, task = services.deny_access(self.get_object(), rule_id, actor=actor_of(request.user))
        return self._answer(request, share, task)

    @extend_schema(request=GrantServerSerializer, responses={202: NasDiskSerializer})
    @action(detail=True, methods=["post"], url_path="grant-server")
    def grant_server(self, request, share_id=None):
        """Let one of the tenant's servers mount the share: an access rule for its
        address on the share's network."""
        requested_wait_seconds(request)
        form = GrantServerSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ask_about_body(self, [form.validated_data["instance_id"]])
        share, task = services.grant_server(
            self.get_object(), **form.validated_data, actor=actor_of(request.user)
        )
        return self._answer(request, share, task)

    @extend_schema(responses=MountClientsSerializer)
    @action(detail=True, methods=["get"], url_path="mount-clients")
    def mount_clients(self, request, share_id=None):
        """The tenant's servers whose addresses the share's access rules cover."""
        clients = services.mount_clients(self.get_object())
        return Response(MountClientsSerializer({"instance_id": clients}).data)

    @extend_schema(responses=TaskSerializer(many=True))
    @action(detail=True, methods=["get"], results_key="tasks")
    def tasks(self, request, share_id=None):
        """The share's operations, newest first."""
        tasks = services.tasks_of(self.get_object()).order_by("-created")
        page = self.paginate_queryset(tasks)
        return self.get_paginated_response(TaskSerializer(page, many=True).data)
