from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.clouds.api.sync import SyncActionMixin
from portal.clouds.models import Cloud
from portal.clouds.sync import cloud_for_region
from portal.core.api.mixins import CachedListMixin, requested_wait_seconds, wait_if_asked
from portal.core.api.pagination import IdsFirstPagination
from portal.core.api.permissions import IsOperator, IsTenantOrStaff
from portal.core.api.schema import read_by_caller
from portal.core.api.serializers import TaskSerializer
from portal.core.errors import NotFound
from portal.core.models import Task
from portal.core.principals import actor_of, is_operator, tenant_scope
from portal.servers import console, keypairs, services, tags
from portal.servers.api.serializers import (
    ConsoleLogSerializer,
    FlavorChangeSerializer,
    FlavorSerializer,
    InstanceCreateSerializer,
    InstanceDeletedSerializer,
    InstanceSerializer,
    KeyPairCreatedSerializer,
    KeyPairCreateSerializer,
    KeyPairSerializer,
    OperatedSerializer,
    OperateSerializer,
    OperatorFlavorSerializer,
    PendingReadSerializer,
    RemoteConsoleSerializer,
    ServerTemplateSerializer,
    TagsSerializer,
    UsageSerializer,
)
from portal.servers.disks.models import Volume
from portal.servers.filters import FlavorFilter, ServerFilter
from portal.servers.flavors import find_flavor, flavors_visible_to
from portal.servers.models import Flavor, Server, ServerTag
from portal.servers.server_templates import services as server_templates
from portal.servers.server_templates.models import ServerTemplate
from portal.tenants import quotas
from portal.tenants.api.permissions import (
    PlatformResourcePermission,
    acting_tenant,
    ask_about_body,
)
from portal.tenants.models import Tenant

# What a read of the cloud (console, console log) refuses besides every call's errors.
READ_REFUSALS = {
    409: OpenApiResponse(description="The server is not in the cloud yet."),
    422: OpenApiResponse(
        description="The server's cloud has no such thing (`not_supported_by_cloud`, e.g. "
        "Azure: see `GET /clouds/{cloud_id}/capabilities`)."
    ),
}


@read_by_caller("FlavorForCaller", FlavorSerializer, OperatorFlavorSerializer)
class FlavorViewSet(SyncActionMixin, viewsets.ReadOnlyModelViewSet):
    """Flavors (seed 004 FlavorService), served from the portal's mirror of the clouds.

    A tenant sees enabled public flavors and the non-public ones shared with it; anything
    else is 404. `flavor_id` is the cloud's id: give `?region=` when clouds share ids.
    """

    filterset_class = FlavorFilter
    ordering_fields = ["name", "vcpus", "ram", "disk"]
    ordering = ["vcpus", "ram", "disk", "name", "pk"]
    lookup_url_kwarg = "flavor_id"
    lookup_value_regex = "[^/]+"
    results_key = "flavors"
    sync_kind = "flavors.sync"

    def get_queryset(self):
        flavors = flavors_visible_to(self.request.user).select_related("cloud")
        if is_operator(self.request.user):
            flavors = flavors.prefetch_related("shared_with")
        return flavors

    def get_serializer_class(self):
        if is_operator(self.request.user):
            return OperatorFlavorSerializer
        return FlavorSerializer

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        flavor = find_flavor(queryset, self.kwargs[self.lookup_url_kwarg])
        if flavor is None:
            raise NotFound()
        self.check_object_permissions(self.request, flavor)
        return flavor


class InstanceViewSet(
    SyncActionMixin, CachedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin, viewsets.GenericViewSet,
):  # fmt: skip
    """Servers (seed 004 InstanceService), served from the portal's database. A tenant
    sees its own; another tenant's id is 404. Every change answers 202 with its Task."""

    # What a page is read from (rows, joins, prefetches, filters): its cache lasts while
    # none of these tables changes.
    cached_from = (Server, Cloud, Task, Flavor, Volume, ServerTag)

    serializer_class = InstanceSerializer
    filterset_class = ServerFilter
    ordering_fields = ["created", "name", "status", "vcpus", "ram"]
    ordering = ["-created", "-pk"]
    lookup_field = "instance_id"
    lookup_url_kwarg = "instance_id"
    lookup_value_regex = "[^/]+"
    results_key = "instances"
    pagination_class = IdsFirstPagination
    sync_kind = "servers.sync"  # the state sync: reconcile one cloud's servers

    def get_queryset(self):
        return (
            services.servers_visible_to(self.request.user)
            .select_related("cloud", "current_task", "resize_flavor")
            .defer(*services.UNLISTED_SECRETS)
            .prefetch_related("data_volumes", "tags")
        )

    def get_permissions(self):
        if self.action == "sync":
            return [IsOperator()]
        if self.action in ("list", "create"):
            return [IsTenantOrStaff()]
        return [IsTenantOrStaff(), PlatformResourcePermission()]

    def _answer(self, request, server, task, code=status.HTTP_202_ACCEPTED):
        wait_if_asked(request, task)
        server = self.get_queryset().filter(pk=server.pk).first() or server
        answer = InstanceSerializer(server, context=self.get_serializer_context())
        return Response(answer.data, status=code)

    @extend_schema(request=InstanceCreateSerializer, responses={202: InstanceSerializer})
    def create(self, request):
        """Create a server with its system disk and data disks (202 with its Task)."""
        requested_wait_seconds(request)
        form = InstanceCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ask_about_body(self, form.named_resources(), with_object=False)
        server, task = services.create_server(
            acting_tenant(request, form.validated_data.get("tenant_id")),
            form.to_request(),
            actor=actor_of(request.user),
            operator=is_operator(request.user),
        )
        return self._answer(request, server, task)

    @extend_schema(responses={202: InstanceDeletedSerializer})
    def destroy(self, request, instance_id=None):
        """Delete the server; its data disks are detached and kept."""
        requested_wait_seconds(request)
        server, task = services.delete_server(self.get_object(), actor=actor_of(request.user))
        task = _current(wait_if_asked(request, task))
        server.refresh_from_db()
        deleted = server.updated if server.status == Server.Status.DELETED else None
        answer = {"instance_id": server.instance_id, "deleted_time": deleted, "task": task}
        return Response(InstanceDeletedSerializer(answer).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=OperateSerializer, responses={202: OperatedSerializer})
    @action(detail=True, methods=["post"])
    def operate(self, request, instance_id=None):
        """start, stop, softreboot, hardreboot, suspend, resume (operators also pause,
        unpause, lock, unlock)."""
        requested_wait_seconds(request)
        form = OperateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        operate_type = form.validated_data["operate_type"]
        task = services.operate_server(
            self.get_object(),
            operate_type,
            actor=actor_of(request.user),
            operator=is_operator(request.user),
        )
        task = _current(wait_if_asked(request, task))
        answer = {
            "instance_id": instance_id,
            "operated_time": task.created,
            "operate_type": operate_type,
            "task": task,
        }
        return Response(OperatedSerializer(answer).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=FlavorChangeSerializer, responses={202: InstanceSerializer})
    @action(detail=True, methods=["post"], url_path="flavor")
    def change_flavor(self, request, instance_id=None):
        """Resize to another flavor (seed 003's flow)."""
        requested_wait_seconds(request)
        form = FlavorChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ask_about_body(self, [form.validated_data["flavor_ref"]])
        server, task = services.resize_server(
            self.get_object(), form.validated_data["flavor_ref"], actor=actor_of(request.user)
        )
        return self._answer(request, server, task)

    @extend_schema(request=None, responses={202: InstanceSerializer})
    @action(detail=True, methods=["post"], url_path="resize/confirm", url_name="resize-confirm")
    def confirm_resize(self, request, instance_id=None):
        """Confirm a resize left for confirmation (clouds with `resize_confirm: manual`)."""
        return self._finish_resize(request, "confirm")

    @extend_schema(request=None, responses={202: InstanceSerializer})
    @action(detail=True, methods=["post"], url_path="resize/revert", url_name="resize-revert")
    def revert_resize(self, request, instance_id=None):
        """Revert a resize left for confirmation: back to the earlier flavor."""
        return self._finish_resize(request, "revert")

    def _finish_resize(self, request, decision):
        requested_wait_seconds(request)
        server, task = services.finish_resize(
            self.get_object(), decision, actor=actor_of(request.user)
        )
        return self._answer(request, server, task)

    @extend_schema(
        responses={200: RemoteConsoleSerializer, 202: PendingReadSerializer, **READ_REFUSALS}
    )
    @action(detail=True, methods=["get"], url_path="console", url_name="console")
    def remote_console(self, request, instance_id=None):
        """The server's remote console: a noVNC URL (SPICE where the cloud has no VNC).
        Read from the cloud by a job; waits `?wait=N` seconds (15 by default) for it."""
        wait = _read_wait(request)
        task = console.request_console(self.get_object(), actor=actor_of(request.user), wait=wait)
        return _read_answer(task)

    @extend_schema(
        responses={200: ConsoleLogSerializer, 202: PendingReadSerializer, **READ_REFUSALS}
    )
    @action(detail=True, methods=["get"], url_path="console-log", url_name="console-log")
    def console_log(self, request, instance_id=None):
        """The last `?lines=N` lines (100 by default, at most 1000) of the console log;
        waits like `console`."""
        lines = console.log_lines(request.query_params.get("lines"))
        wait = _read_wait(request)
        task = console.request_console_log(
            self.get_object(), lines, actor=actor_of(request.user), wait=wait
        )
        return _read_answer(task)

    @extend_schema(responses=TaskSerializer(many=True))
    @action(detail=True, methods=["get"], results_key="tasks")
    def tasks(self, request, instance_id=None):
        """The server's operations, newest first (seed 001)."""
        tasks = services.tasks_of(self.get_object()).order_by("-created")
        page = self.paginate_queryset(tasks)
        return self.get_paginated_response(TaskSerializer(page, many=True).data)


class InstanceTagsViewSet(viewsets.GenericViewSet):
    """Tags of a server (seed 001): `GET/PUT /instances/{id}/tags` (the whole list),
    `PUT/DELETE /instances/{id}/tags/{tag}` (one). Portal records: answered at once."""

    lookup_field = "instance_id"
    lookup_url_kwarg = "instance_id"
    serializer_class = TagsSerializer
    permission_classes = [IsTenantOrStaff, PlatformResourcePermission]

    def get_queryset(self):
        return services.servers_visible_to(self.request.user)

    @extend_schema(responses=TagsSerializer)
    def list_tags(self, request, instance_id):
        return Response({"tags": tags.tags_of(self.get_object())})

    @extend_schema(
        request=TagsSerializer, responses=TagsSerializer, operation_id="instance_tags_set"
    )
    def replace_tags(self, request, instance_id):
        form = TagsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        names = tags.set_tags(self.get_object(), form.validated_data["tags"])
        return Response({"tags": names})

    @extend_schema(request=None, responses={204: None}, operation_id="instance_tag_add")
    def add_tag(self, request, instance_id, tag):
        tags.add_tag(self.get_object(), tag)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={204: None})
    def remove_tag(self, request, instance_id, tag):
        tags.remove_tag(self.get_object(), tag)
        return Response(status=status.HTTP_204_NO_CONTENT)


class KeyPairViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):  # fmt: skip
    """SSH key pairs of a tenant (imported or generated), registered in a cloud for
    servers' `key_name`. A tenant sees its own; another tenant's id is 404."""

    serializer_class = KeyPairSerializer
    lookup_field = "keypair_id"
    lookup_url_kwarg = "keypair_id"
    lookup_value_regex = "[^/]+"
    results_key = "keypairs"
    ordering = ["name", "pk"]
    permission_classes = [IsTenantOrStaff]

    def get_queryset(self):
        return keypairs.keypairs_visible_to(self.request.user).select_related(
            "cloud", "current_task"
        )

    def get_permissions(self):
        if self.action in ("list", "create"):
            return [IsTenantOrStaff()]
        return [IsTenantOrStaff(), PlatformResourcePermission()]

    @extend_schema(request=KeyPairCreateSerializer, responses={202: KeyPairCreatedSerializer})
    def create(self, request):
        """Import a public key, or generate a pair (its private key is in this answer
        only); 202 while the cloud registers it."""
        requested_wait_seconds(request)
        form = KeyPairCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        keypair, task, private_key = keypairs.create_keypair(
            acting_tenant(request, data.get("tenant_id")),
            cloud_for_region(data.get("region")),
            data["keypair_name"],
            public_key=data.get("public_key", ""),
            key_type=data["key_type"],
            actor=actor_of(request.user),
        )
        wait_if_asked(request, task)
        keypair = self.get_queryset().filter(pk=keypair.pk).first() or keypair
        answer = KeyPairCreatedSerializer(keypair, context={"private_key": private_key})
        return Response(answer.data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={202: KeyPairSerializer})
    def destroy(self, request, keypair_id=None):
        """Delete it from the cloud, then from the portal (202 with its Task)."""
        requested_wait_seconds(request)
        keypair, task = keypairs.delete_keypair(self.get_object(), actor=actor_of(request.user))
        wait_if_asked(request, task)
        keypair.current_task = _current(task)
        return Response(KeyPairSerializer(keypair).data, status=status.HTTP_202_ACCEPTED)


def _read_wait(request):
    """How long a read of the cloud waits: `?wait=N`, else the reads' default."""
    seconds = requested_wait_seconds(request)
    return seconds if "wait" in request.query_params else console.DEFAULT_WAIT_SECONDS


def _read_answer(task):
    """200 with what a read found, or 202 with its Task while it runs."""
    result = console.result_of(task)
    if result is None:
        answer = PendingReadSerializer({"task": task}).data
        return Response(answer, status=status.HTTP_202_ACCEPTED)
    return Response(result)


def _current(task):
    """The Task as it stands now (an eager or quick worker may have moved it on)."""
    task.refresh_from_db()
    return task


class UsageView(APIView):
    """`GET /tenants/{tenant_id}/usage`: what the tenant's quota holds (operators, or the
    tenant itself)."""

    permission_classes = [IsTenantOrStaff]

    @extend_schema(responses=UsageSerializer)
    def get(self, request, tenant_id):
        own = tenant_scope(request.user)
        tenant = Tenant.objects.filter(pk=tenant_id).first()
        if tenant is None or (own is not None and own.pk != tenant.pk):
            raise NotFound()
        return Response(UsageSerializer(quotas.usage_of(tenant)).data)


class ServerTemplateViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Server templates (seed 003's 模板), for operators."""

    serializer_class = ServerTemplateSerializer
    permission_classes = [IsOperator]
    lookup_field = "template_id"
    lookup_value_regex = "[^/]+"
    results_key = "server_templates"
    ordering_fields = ["name", "created"]
    ordering = ["name"]
    filterset_fields = {"name": ["exact", "icontains"]}

    def get_queryset(self):
        return ServerTemplate.objects.select_related("image__cloud", "flavor")

    def perform_create(self, serializer):
        serializer.instance = server_templates.create_template(
            serializer.to_service_fields(), actor=actor_of(self.request.user)
        )

    def perform_destroy(self, instance):
        server_templates.delete_template(instance)
