from rest_framework import serializers

from portal.core.api.serializers import TaskSummarySerializer
from portal.servers.models import Flavor


class FlavorSerializer(serializers.ModelSerializer):
    """Seed 004's Flavor, plus `region` and `extra_specs`.

    The seed's proto types flavor_vcpus, flavor_ram and flavor_disk as strings, and the
    REST API keeps its field types so clients generated from it parse the answers: they
    are strings here too (RAM in MB, disk in GB).
    """

    flavor_id = serializers.CharField(source="backend_id")
    flavor_name = serializers.CharField(source="name")
    flavor_vcpus = serializers.CharField(source="vcpus")
    flavor_ram = serializers.CharField(source="ram")
    flavor_disk = serializers.CharField(source="disk")
    region = serializers.CharField(source="cloud.region")

    class Meta:
        model = Flavor
        fields = [
            "flavor_id", "flavor_name", "flavor_vcpus", "flavor_ram", "flavor_disk",
            "region", "extra_specs",
        ]  # fmt: skip
        read_only_fields = fields


class OperatorFlavorSerializer(FlavorSerializer):
    """What operators see besides: the portal flag, the access list, and whether the
    cloud still lists the flavor."""

    missing = serializers.BooleanField(source="is_missing")
    synced_time = serializers.DateTimeField(source="synced_at")
    shared_with = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(FlavorSerializer.Meta):
        fields = [
            *FlavorSerializer.Meta.fields,
            "enabled", "is_public", "shared_with", "missing", "missing_since", "synced_time",
        ]  # fmt: skip
        read_only_fields = fields


class FlavorSyncSerializer(serializers.Serializer):
    """`POST /flavors/sync`: body `{region}` (optional: the default cloud); answers with
    the region and the sync's Task."""

    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    task = TaskSummarySerializer(read_only=True)
