from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.core.api.mixins import requested_wait_seconds, wait_if_asked
from portal.core.api.permissions import IsOperator
from portal.core.errors import NotFound
from portal.core.principals import actor_of, is_operator
from portal.network import services
from portal.network.api.serializers import (
    NetworkSerializer,
    NetworkSyncSerializer,
    OperatorNetworkSerializer,
)
from portal.network.filters import NetworkFilter


class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Networks, served from the portal's mirror of the clouds (refreshed by the network
    sync). A tenant sees its own projects' networks and shared ones, i.e. those it may
    boot servers on; anything else is 404. Operators see every network."""

    filterset_class = NetworkFilter
    ordering_fields = ["name", "status"]
    ordering = ["name", "pk"]
    lookup_url_kwarg = "network_uuid"
    lookup_value_regex = "[^/]+"
    results_key = "networks"

    def get_queryset(self):
        return services.networks_visible_to(self.request.user).select_related("cloud")

    def get_object(self):
        # Ids are unique per cloud only: the default cloud's network wins, as for flavors.
        networks = self.filter_queryset(self.get_queryset()).filter(
            backend_id=self.kwargs[self.lookup_url_kwarg]
        )
        network = networks.order_by("-cloud__is_default", "cloud__name").first()
        if network is None:
            raise NotFound()
        self.check_object_permissions(self.request, network)
        return network

    def get_serializer_class(self):
        if is_operator(self.request.user):
            return OperatorNetworkSerializer
        return NetworkSerializer

    @extend_schema(request=NetworkSyncSerializer, responses={202: NetworkSyncSerializer})
    @action(detail=False, methods=["post"], permission_classes=[IsOperator])
    def sync(self, request):
        """Sync now: queue a pull of one cloud's networks, security groups, availability
        zones and compute hosts (operators)."""
        requested_wait_seconds(request)  # a bad ?wait= is refused before anything is queued
        body = NetworkSyncSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cloud, task = services.request_network_sync(
            body.validated_data.get("region"), actor=actor_of(request.user)
        )
        task = wait_if_asked(request, task)
        answer = NetworkSyncSerializer({"region": cloud.region, "task": task})
        return Response(answer.data, status=status.HTTP_202_ACCEPTED)
