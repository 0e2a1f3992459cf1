from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.clouds import services
from portal.clouds.api.serializers import CapabilitiesSerializer, CloudSerializer
from portal.clouds.capabilities import unsupported_operations
from portal.clouds.models import Cloud
from portal.core.api.mixins import SavedThroughServiceMixin
from portal.core.api.permissions import IsOperator, IsTenantOrStaff
from portal.core.principals import actor_of, is_operator


class CloudViewSet(
    SavedThroughServiceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The clouds the portal manages (operators only; tenants may ask what an enabled
    cloud cannot do). Secrets are write-only."""

    queryset = Cloud.objects.all()
    serializer_class = CloudSerializer
    permission_classes = [IsOperator]
    lookup_url_kwarg = "cloud_id"
    filterset_fields = ["kind", "enabled"]
    ordering_fields = ["name", "region", "created"]
    results_key = "clouds"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if not is_operator(self.request.user):
            return self.queryset.filter(enabled=True)
        return self.queryset

    def save_instance(self, cloud, changes):
        return services.save_cloud(cloud, changes, actor=actor_of(self.request.user))

    @extend_schema(responses=CapabilitiesSerializer)
    @action(detail=True, methods=["get"], permission_classes=[IsTenantOrStaff])
    def capabilities(self, request, cloud_id=None):
        """The operations this cloud's kind cannot do, each answered 422
        `not_supported_by_cloud` with the sentence given here; empty when it can do all
        the portal offers (any API caller, tenants included)."""
        cloud = self.get_object()
        unsupported = [
            {"operation": operation, "message": message}
            for operation, message in unsupported_operations(cloud.kind).items()
        ]
        answer = {"cloud_id": cloud.cloud_id, "kind": cloud.kind, "unsupported": unsupported}
        return Response(CapabilitiesSerializer(answer).data)
