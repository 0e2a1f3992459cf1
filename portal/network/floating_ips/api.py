"""Floating IPs in the API: `/floating-ips` (list, get, allocate, release; routed in
portal/network/api/urls.py). `POST /floating-ips/{id}/operate` needs a server and is the
servers app's (portal/servers/api/floating_ips.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from portal.clouds.api.sync import SyncActionMixin
from portal.clouds.sync import cloud_for_region
from portal.core.api.mixins import requested_wait_seconds, wait_if_asked
from portal.core.api.permissions import IsTenantOrStaff
from portal.core.api.serializers import TaskSummarySerializer
from portal.core.principals import actor_of
from portal.network.filters import FloatingIPFilter
from portal.network.floating_ips import services
from portal.network.floating_ips.models import FloatingIP
from portal.tenants.api.permissions import PlatformResourcePermission, acting_tenant


class FloatingIPSerializer(serializers.ModelSerializer):
    """A floating IP as Neutron last reported it; `instance_id` is the portal's server it
    is associated with (null when none, or a server the portal does not know). `state`:
    allocating | ready | associating | dissociating | releasing | failed ("released" in
    a release's answer)."""

    floating_ip_status = serializers.CharField(source="status")
    region = serializers.CharField(source="cloud.region")
    created_time = serializers.DateTimeField(source="created")
    floating_ip_uuid = serializers.CharField(source="backend_id", allow_null=True)
    instance_id = serializers.SerializerMethodField()
    task = TaskSummarySerializer(source="current_task", allow_null=True)
    tenant_id = serializers.CharField(allow_null=True)

    class Meta:
        model = FloatingIP
        fields = [
            "floating_ip_id", "floating_ip_uuid", "floating_ip_address", "external_network_id",
            "instance_id", "fixed_ip_address", "port_id", "floating_ip_status", "state",
            "status_message", "region", "created_time", "missing_since", "task", "tenant_id",
        ]  # fmt: skip
        read_only_fields = fields

    def get_instance_id(self, floating_ip) -> str | None:
        instance_ids = self.context.get("instance_ids")
        if instance_ids is None:
            instance_ids = services.instance_ids_of([floating_ip])
        return instance_ids.get((floating_ip.cloud_id, floating_ip.device_id))


class AllocateSerializer(serializers.Serializer):
    """`POST /floating-ips`: the region, and the external network when it has several.
    `tenant_id` only for operators."""

    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    external_network_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    tenant_id = serializers.CharField(required=False, max_length=20)


class FloatingIPViewSet(
    SyncActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):  # fmt: skip
    """A tenant's floating IPs (operators see all): allocate (202 + Task), list, get,
    release (202 + Task). Another tenant's id is 404."""

    serializer_class = FloatingIPSerializer
    filterset_class = FloatingIPFilter
    lookup_field = "floating_ip_id"
    lookup_url_kwarg = "floating_ip_id"
    lookup_value_regex = "[^/]+"
    results_key = "floating_ips"
    ordering_fields = ["created", "floating_ip_address"]
    ordering = ["-created", "pk"]
    sync_kind = "network.sync"

    def get_queryset(self):
        return services.floating_ips_visible_to(self.request.user).select_related(
            "cloud", "current_task"
        )

    def get_permissions(self):
        if self.action == "sync":  # operators only: the action's own permission
            return super().get_permissions()
        if self.action in ("list", "create"):
            return [IsTenantOrStaff()]
        return [IsTenantOrStaff(), PlatformResourcePermission()]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        page = getattr(self, "_page", None)
        if page is not None:
            context["instance_ids"] = services.instance_ids_of(page)
        return context

    def paginate_queryset(self, queryset):
        self._page = super().paginate_queryset(queryset)
        return self._page

    @extend_schema(request=AllocateSerializer, responses={202: FloatingIPSerializer})
    def create(self, request):
        """Allocate an address of an external network; 202 while Neutron does."""
        requested_wait_seconds(request)
        body = AllocateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        floating_ip, task = services.allocate(
            acting_tenant(request, data.get("tenant_id")),
            cloud_for_region(data.get("region")),
            external_network_id=data.get("external_network_id", ""),
            actor=actor_of(request.user),
        )
        return accepted_answer(request, floating_ip, task)

    @extend_schema(request=None, responses={202: FloatingIPSerializer})
    def destroy(self, request, floating_ip_id=None):
        """Release it (dissociated first); 202 while Neutron does."""
        requested_wait_seconds(request)
        floating_ip, task = services.release(self.get_object(), actor=actor_of(request.user))
        return accepted_answer(request, floating_ip, task)


def accepted_answer(request, floating_ip, task):
    """202 with the floating IP as it stands after `?wait=N` (released: as it was)."""
    if task is not None:
        task = wait_if_asked(request, task)
        task.refresh_from_db()
    now = FloatingIP.objects.select_related("cloud").filter(pk=floating_ip.pk).first()
    if now is None:  # released (or a failed allocation forgotten): the row is gone
        floating_ip.state = "released"
    floating_ip = now or floating_ip
    floating_ip.current_task = task
    answer = FloatingIPSerializer(floating_ip, context={"request": request})
    return Response(answer.data, status=status.HTTP_202_ACCEPTED)
