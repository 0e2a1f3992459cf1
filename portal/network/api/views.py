from rest_framework import viewsets

from portal.clouds.api.sync import SyncActionMixin
from portal.core.api.schema import read_by_caller
from portal.core.errors import NotFound
from portal.core.principals import is_operator
from portal.network import services
from portal.network.api.serializers import NetworkSerializer, OperatorNetworkSerializer
from portal.network.filters import NetworkFilter


@read_by_caller("NetworkForCaller", NetworkSerializer, OperatorNetworkSerializer)
class NetworkViewSet(SyncActionMixin, viewsets.ReadOnlyModelViewSet):
    """Networks, served from the portal's mirror of the clouds (refreshed by the network
    sync). A tenant sees its own projects' networks and shared ones, i.e. those it may
    boot servers on; anything else is 404. Operators see every network."""

    filterset_class = NetworkFilter
    ordering_fields = ["name", "status"]
    ordering = ["name", "pk"]
    lookup_url_kwarg = "network_uuid"
    lookup_value_regex = "[^/]+"
    results_key = "networks"
    sync_kind = "network.sync"  # networks, security groups, zones and compute hosts

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
