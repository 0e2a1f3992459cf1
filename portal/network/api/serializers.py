from rest_framework import serializers

from portal.network.models import Network


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
