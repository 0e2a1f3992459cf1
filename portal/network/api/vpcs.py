"""`/vpcs` (seed 004's VpcService) and their subnets. Served from the portal's mirror; every
change answers 202 with its Task (`?wait=N` for the VPC as re-read from the cloud)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from portal.clouds.sync import cloud_for_region
from portal.core.api.mixins import requested_wait_seconds
from portal.core.principals import actor_of
from portal.network import vpcs
from portal.network.api.serializers import (
    SubnetCreateSerializer,
    VpcCreateSerializer,
    VpcSerializer,
    VpcUpdateSerializer,
)
from portal.network.api.tenant_rows import TenantRowViewSet
from portal.network.filters import VpcFilter
from portal.tenants.api.permissions import acting_tenant


class VpcViewSet(TenantRowViewSet):
    """VPCs: a tenant's Neutron networks with their subnets. A tenant sees its own;
    another tenant's id is 404. Operators see every tenant's."""

    serializer_class = VpcSerializer
    filterset_class = VpcFilter
    lookup_field = "vpc_id"
    lookup_url_kwarg = "vpc_id"
    results_key = "vpcs"

    def get_queryset(self):
        return vpcs.with_subnets(vpcs.vpcs_visible_to(self.request.user))

    @extend_schema(request=VpcCreateSerializer, responses={202: VpcSerializer})
    def create(self, request):
        """Create a VPC: a Neutron network and its first subnet (202 with its Task)."""
        requested_wait_seconds(request)
        form = VpcCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        vpc, task = vpcs.create_vpc(
            acting_tenant(request, data.get("tenant_id")),
            cloud_for_region(data.get("region")),
            name=data["vpc_name"],
            description=data["vpc_desc"],
            cidr=data["subnet"],
            actor=actor_of(request.user),
        )
        return self._answer(request, vpc, task)

    @extend_schema(request=VpcUpdateSerializer, responses={202: VpcSerializer})
    def partial_update(self, request, vpc_id=None):
        """Change the name or description (seed 004's SetVpcInfo), in the cloud."""
        requested_wait_seconds(request)
        form = VpcUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        vpc, task = vpcs.update_vpc(
            self.get_object(),
            name=form.validated_data.get("vpc_name"),
            description=form.validated_data.get("vpc_desc"),
            actor=actor_of(request.user),
        )
        return self._answer(request, vpc, task)

    @extend_schema(responses={202: VpcSerializer})
    def destroy(self, request, vpc_id=None):
        """Delete the VPC with its subnets; 409 while routers or servers use it."""
        requested_wait_seconds(request)
        vpc, task = vpcs.delete_vpc(self.get_object(), actor=actor_of(request.user))
        return self._answer(request, vpc, task)

    @extend_schema(request=SubnetCreateSerializer, responses={202: VpcSerializer})
    @action(detail=True, methods=["post"], url_path="subnets")
    def add_subnet(self, request, vpc_id=None):
        """Add a subnet (its CIDR may not overlap the VPC's others: 409)."""
        requested_wait_seconds(request)
        form = SubnetCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        vpc = self.get_object()
        _subnet, task = vpcs.add_subnet(
            vpc,
            cidr=form.validated_data["cidr"],
            name=form.validated_data.get("subnet_name", ""),
            actor=actor_of(request.user),
        )
        return self._answer(request, vpc, task)

    @extend_schema(request=None, responses={202: VpcSerializer})
    def remove_subnet(self, request, vpc_id=None, subnet_id=None):
        """Remove a subnet; 409 while a router has an interface on it."""
        requested_wait_seconds(request)
        vpc = self.get_object()
        subnet = get_object_or_404(vpcs.present_subnets(vpc), subnet_id=subnet_id)
        _subnet, task = vpcs.remove_subnet(vpc, subnet, actor=actor_of(request.user))
        return self._answer(request, vpc, task)
