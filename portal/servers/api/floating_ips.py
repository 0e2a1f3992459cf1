"""`POST /floating-ips/{floating_ip_id}/operate`: associate a floating IP with a server
or dissociate it (the rest of `/floating-ips` is the network app's)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from portal.core.api.mixins import requested_wait_seconds
from portal.core.api.permissions import IsTenantOrStaff
from portal.core.errors import ValidationFailed
from portal.core.principals import actor_of
from portal.network.floating_ips.api import FloatingIPSerializer, accepted_answer
from portal.network.floating_ips.services import floating_ips_visible_to
from portal.servers import floating_ips
from portal.servers.services import servers_visible_to
from portal.tenants.api.permissions import PlatformResourcePermission, ask_about_body


class FloatingIPOperateSerializer(serializers.Serializer):
    """`associate` with the server's first fixed address, or `fixed_ip_address`;
    `dissociate` from that server."""

    instance_id = serializers.CharField(max_length=64)
    ops_type = serializers.ChoiceField(choices=floating_ips.OPS_TYPES)
    fixed_ip_address = serializers.IPAddressField(required=False, protocol="IPv4")


class FloatingIPOperateViewSet(viewsets.GenericViewSet):
    """Associate or dissociate (202 + Task). Another tenant's floating IP is 404; another
    tenant's server is 400 `instance_id`."""

    lookup_field = "floating_ip_id"
    lookup_url_kwarg = "floating_ip_id"
    serializer_class = FloatingIPSerializer
    permission_classes = [IsTenantOrStaff, PlatformResourcePermission]
    authz_action = "operate"

    def get_queryset(self):
        return floating_ips_visible_to(self.request.user).select_related("cloud", "tenant")

    @extend_schema(request=FloatingIPOperateSerializer, responses={202: FloatingIPSerializer})
    def operate(self, request, floating_ip_id):
        requested_wait_seconds(request)
        body = FloatingIPOperateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        ask_about_body(self, [data["instance_id"]])
        floating_ip = self.get_object()
        server = servers_visible_to(request.user).filter(instance_id=data["instance_id"]).first()
        if server is None:
            raise ValidationFailed(fields={"instance_id": [_("No such server.")]})
        floating_ip, task = floating_ips.operate(
            floating_ip, server, data["ops_type"],
            fixed_ip_address=data.get("fixed_ip_address", ""), actor=actor_of(request.user),
        )  # fmt: skip
        return accepted_answer(request, floating_ip, task)
