from datetime import datetime

from django.utils.translation import gettext as _
from rest_framework import serializers

from portal.core.api.serializers import TaskSummarySerializer
from portal.network.models import Network, Router, Subnet


class NetworkSerializer(serializers.ModelSerializer):
    """A network a tenant may boot servers on: give `network_uuid` to
    `POST /instances`."""

    network_uuid = serializers.CharField(source="backend_id")
    network_name = serializers.CharField(source="name")
    region = serializers.CharField(source="cloud.region")

    class Meta:
        model = Network
        fields = ["network_uuid", "network_name", "region", "shared", "status"]
        read_only_fields = fields


class OperatorNetworkSerializer(NetworkSerializer):
    """What operators see besides: the owning project, the external flag, and since when
    the cloud no longer lists the network."""

    class Meta(NetworkSerializer.Meta):
        fields = [*NetworkSerializer.Meta.fields, "project_id", "external", "missing_since"]
        read_only_fields = fields


# ---- VPCs ---------------------------------------------------------------------------------


class SubnetSerializer(serializers.ModelSerializer):
    cloud_subnet_id = serializers.CharField(source="backend_id", allow_null=True)
    subnet_name = serializers.CharField(source="name")
    portal_state = serializers.CharField(source="state")

    class Meta:
        model = Subnet
        fields = [
            "subnet_id", "cloud_subnet_id", "subnet_name", "cidr", "gateway_ip", "ip_version",
            "portal_state",
        ]  # fmt: skip
        read_only_fields = fields


class VpcSerializer(serializers.ModelSerializer):
    """A VPC (seed 004's Vpc): `subnet` lists its CIDRs as the seed does, `subnets` the
    subnets in full. `cloud_vpc_id` is the Neutron network: the `network_uuid` of a
    server created in the VPC. `vpc_status` is the cloud's status, `portal_state` the
    portal's operation on it. `missing_since` is set (operators only see such VPCs) once
    the cloud no longer lists it."""

    cloud_vpc_id = serializers.CharField(source="backend_id", allow_null=True)
    vpc_name = serializers.CharField(source="name")
    vpc_desc = serializers.CharField(source="description")
    region = serializers.CharField(source="cloud.region")
    subnet = serializers.SerializerMethodField()
    subnets = SubnetSerializer(many=True, source="subnets.all")
    vpc_status = serializers.CharField(source="status")
    portal_state = serializers.CharField(source="state")
    created_time = serializers.SerializerMethodField()
    updated_time = serializers.DateTimeField(source="updated")
    task = TaskSummarySerializer(source="current_task", allow_null=True)
    tenant_id = serializers.CharField()

    class Meta:
        model = Network
        fields = [
            "vpc_id", "cloud_vpc_id", "vpc_name", "vpc_desc", "region", "subnet", "subnets",
            "vpc_status", "portal_state", "state_message", "created_time", "updated_time",
            "task", "tenant_id", "project_id", "missing_since",
        ]  # fmt: skip
        read_only_fields = fields

    def get_subnet(self, vpc) -> list[str]:
        return [subnet.cidr for subnet in vpc.subnets.all()]

    def get_created_time(self, vpc) -> datetime:
        return vpc.cloud_created_at or vpc.created


class VpcCreateSerializer(serializers.Serializer):
    """CreateVpcReq (seed 004): the VPC and its first subnet's CIDR. `tenant_id` only for
    operators."""

    vpc_name = serializers.CharField(max_length=255)
    vpc_desc = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    subnet = serializers.CharField(max_length=64)
    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    tenant_id = serializers.CharField(required=False, max_length=20)


class VpcUpdateSerializer(serializers.Serializer):
    """SetVpcInfoReq (seed 004): the name, the description or both."""

    vpc_name = serializers.CharField(max_length=255, required=False)
    vpc_desc = serializers.CharField(max_length=255, required=False, allow_blank=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(_("Give vpc_name, vpc_desc or both."))
        return attrs


class SubnetCreateSerializer(serializers.Serializer):
    cidr = serializers.CharField(max_length=64)
    subnet_name = serializers.CharField(max_length=255, required=False, allow_blank=True)


# ---- routers ------------------------------------------------------------------------------


class RouteSerializer(serializers.Serializer):
    """A route-table entry: traffic for `destination` goes to `nexthop`."""

    destination = serializers.CharField(max_length=64)
    nexthop = serializers.CharField(max_length=64)


class RouterInterfaceSerializer(serializers.Serializer):
    subnet_id = serializers.CharField(source="subnet.subnet_id")
    cloud_subnet_id = serializers.CharField(source="subnet.backend_id")
    cidr = serializers.CharField(source="subnet.cidr")
    vpc_id = serializers.CharField(source="subnet.network.vpc_id")


class RouterSerializer(serializers.ModelSerializer):
    """A router: its external gateway (the Neutron id of an external network, "" for
    none), its interfaces on VPC subnets and its whole route table, as last read."""

    cloud_router_id = serializers.CharField(source="backend_id", allow_null=True)
    router_name = serializers.CharField(source="name")
    region = serializers.CharField(source="cloud.region")
    router_status = serializers.CharField(source="status")
    portal_state = serializers.CharField(source="state")
    interfaces = RouterInterfaceSerializer(many=True, source="interfaces.all")
    routes = RouteSerializer(many=True)
    created_time = serializers.SerializerMethodField()
    updated_time = serializers.DateTimeField(source="updated")
    task = TaskSummarySerializer(source="current_task", allow_null=True)
    tenant_id = serializers.CharField()

    class Meta:
        model = Router
        fields = [
            "router_id", "cloud_router_id", "router_name", "region", "external_network_id",
            "interfaces", "routes", "router_status", "portal_state", "state_message",
            "created_time", "updated_time", "task", "tenant_id", "project_id", "missing_since",
        ]  # fmt: skip
        read_only_fields = fields

    def get_created_time(self, router) -> datetime:
        return router.cloud_created_at or router.created


class RouterCreateSerializer(serializers.Serializer):
    router_name = serializers.CharField(max_length=255)
    external_network_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    tenant_id = serializers.CharField(required=False, max_length=20)


class RouterUpdateSerializer(serializers.Serializer):
    router_name = serializers.CharField(max_length=255)


class GatewaySerializer(serializers.Serializer):
    external_network_id = serializers.CharField(max_length=64)


class InterfaceSerializer(serializers.Serializer):
    subnet_id = serializers.CharField(max_length=64, help_text="The portal's subnet id.")
