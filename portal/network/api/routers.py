"""`/routers`: a tenant's Neutron routers with their external gateway, interfaces on VPC
subnets and route table (seed 004 leaves RouteService open). Served from the portal's
mirror; every change answers 202 with its Task (`?wait=N` for the router as re-read)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action

from portal.clouds.sync import cloud_for_region
from portal.core.api.mixins import requested_wait_seconds
from portal.core.principals import actor_of
from portal.network import routers, vpcs
from portal.network.api.serializers import (
    GatewaySerializer,
    InterfaceSerializer,
    RouterCreateSerializer,
    RouterSerializer,
    RouterUpdateSerializer,
    RouteSerializer,
)
from portal.network.api.tenant_rows import TenantRowViewSet
from portal.network.filters import RouterFilter
from portal.network.models import Subnet
from portal.tenants.api.permissions import (
    acting_tenant,
    ask_about_body,
)

ROUTE_PARAMETERS = [
    OpenApiParameter("destination", str, required=True, description="The entry's CIDR."),
    OpenApiParameter("nexthop", str, required=True, description="The entry's next hop."),
]


class RouterViewSet(TenantRowViewSet):
    """Routers. A tenant sees its own; another tenant's id is 404. Operators see every
    tenant's."""

    serializer_class = RouterSerializer
    filterset_class = RouterFilter
    lookup_field = "router_id"
    lookup_url_kwarg = "router_id"
    results_key = "routers"

    def get_queryset(self):
        return routers.with_interfaces(routers.routers_visible_to(self.request.user))

    def _subnet(self, subnet_id):
        """A subnet of the caller's VPCs (404 for anyone else's)."""
        visible = Subnet.objects.filter(
            network__in=vpcs.vpcs_visible_to(self.request.user), missing_since__isnull=True
        ).select_related("network")
        return get_object_or_404(visible, subnet_id=subnet_id)

    @extend_schema(request=RouterCreateSerializer, responses={202: RouterSerializer})
    def create(self, request):
        """Create a router, with its gateway on an external network if one is named."""
        requested_wait_seconds(request)
        form = RouterCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        router, task = routers.create_router(
            acting_tenant(request, data.get("tenant_id")),
            cloud_for_region(data.get("region")),
            name=data["router_name"],
            external_network_id=data["external_network_id"],
            actor=actor_of(request.user),
        )
        return self._answer(request, router, task)

    @extend_schema(request=RouterUpdateSerializer, responses={202: RouterSerializer})
    def partial_update(self, request, router_id=None):
        """Rename the router, in the cloud."""
        requested_wait_seconds(request)
        form = RouterUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        router, task = routers.rename(
            self.get_object(), form.validated_data["router_name"], actor=actor_of(request.user)
        )
        return self._answer(request, router, task)

    @extend_schema(responses={202: RouterSerializer})
    def destroy(self, request, router_id=None):
        """Delete the router; 409 while it has interfaces."""
        requested_wait_seconds(request)
        router, task = routers.delete_router(self.get_object(), actor=actor_of(request.user))
        return self._answer(request, router, task)

    @extend_schema(request=GatewaySerializer, responses={202: RouterSerializer})
    @action(detail=True, methods=["post"])
    def gateway(self, request, router_id=None):
        """Set the external gateway (an external network's Neutron id)."""
        requested_wait_seconds(request)
        form = GatewaySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        router, task = routers.set_gateway(
            self.get_object(),
            form.validated_data["external_network_id"],
            actor=actor_of(request.user),
        )
        return self._answer(request, router, task)

    @extend_schema(request=None, responses={202: RouterSerializer})
    @gateway.mapping.delete
    def clear_gateway(self, request, router_id=None):
        """Clear the external gateway."""
        requested_wait_seconds(request)
        router, task = routers.clear_gateway(self.get_object(), actor=actor_of(request.user))
        return self._answer(request, router, task)

    @extend_schema(request=InterfaceSerializer, responses={202: RouterSerializer})
    @action(detail=True, methods=["post"])
    def interfaces(self, request, router_id=None):
        """Add an interface on a subnet of one of the tenant's VPCs."""
        requested_wait_seconds(request)
        form = InterfaceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ask_about_body(self, [form.validated_data["subnet_id"]])
        router = self.get_object()
        subnet = self._subnet(form.validated_data["subnet_id"])
        router, task = routers.add_interface(router, subnet, actor=actor_of(request.user))
        return self._answer(request, router, task)

    @extend_schema(request=None, responses={202: RouterSerializer})
    def remove_interface(self, request, router_id=None, subnet_id=None):
        """Remove the interface on a subnet; 409 while a route needs it."""
        requested_wait_seconds(request)
        router = self.get_object()
        subnet = self._subnet(subnet_id)
        router, task = routers.remove_interface(router, subnet, actor=actor_of(request.user))
        return self._answer(request, router, task)

    @extend_schema(request=RouteSerializer, responses={202: RouterSerializer})
    @action(detail=True, methods=["post"])
    def routes(self, request, router_id=None):
        """Add a route-table entry (the next hop in one of the router's subnets)."""
        requested_wait_seconds(request)
        form = RouteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        router, task = routers.add_route(
            self.get_object(), data["destination"], data["nexthop"], actor=actor_of(request.user)
        )
        return self._answer(request, router, task)

    @extend_schema(request=None, parameters=ROUTE_PARAMETERS, responses={202: RouterSerializer})
    @routes.mapping.delete
    def remove_route(self, request, router_id=None):
        """Remove the route-table entry named by `?destination=&nexthop=`."""
        requested_wait_seconds(request)
        form = RouteSerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        router, task = routers.remove_route(
            self.get_object(), data["destination"], data["nexthop"], actor=actor_of(request.user)
        )
        return self._answer(request, router, task)
