from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.core.api.mixins import requested_wait_seconds, wait_if_asked
from portal.core.api.permissions import IsOperator
from portal.core.errors import NotFound
from portal.core.principals import actor_of, is_operator
from portal.servers import services
from portal.servers.api.serializers import (
    FlavorSerializer,
    FlavorSyncSerializer,
    OperatorFlavorSerializer,
)
from portal.servers.filters import FlavorFilter


class FlavorViewSet(viewsets.ReadOnlyModelViewSet):
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

    def get_queryset(self):
        flavors = services.flavors_visible_to(self.request.user).select_related("cloud")
        if is_operator(self.request.user):
            flavors = flavors.prefetch_related("shared_with")
        return flavors

    def get_serializer_class(self):
        if is_operator(self.request.user):
            return OperatorFlavorSerializer
        return FlavorSerializer

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        flavor = services.find_flavor(queryset, self.kwargs[self.lookup_url_kwarg])
        if flavor is None:
            raise NotFound()
        self.check_object_permissions(self.request, flavor)
        return flavor

    @extend_schema(request=FlavorSyncSerializer, responses={202: FlavorSyncSerializer})
    @action(detail=False, methods=["post"], permission_classes=[IsOperator])
    def sync(self, request):
        """Sync now: queue a flavor pull of one cloud (operators)."""
        requested_wait_seconds(request)  # a bad ?wait= is refused before anything is queued
        body = FlavorSyncSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cloud, task = services.request_flavor_sync(
            body.validated_data.get("region"), actor=actor_of(request.user)
        )
        task = wait_if_asked(request, task)
        answer = FlavorSyncSerializer({"region": cloud.region, "task": task})
        return Response(answer.data, status=status.HTTP_202_ACCEPTED)
