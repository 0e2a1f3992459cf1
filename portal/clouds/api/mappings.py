"""`/clouds/{cloud_id}/azure-mappings`: what an Azure cloud's flavors, images, networks and
security groups are in Azure (operators only; seed 000's mapping configuration)."""

from django.shortcuts import get_object_or_404
from rest_framework import viewsets

from portal.clouds import mappings
from portal.clouds.api.serializers import AzureMappingSerializer
from portal.clouds.models import AzureMapping, Cloud
from portal.core.api.mixins import SavedThroughServiceMixin
from portal.core.api.permissions import IsOperator


class AzureMappingViewSet(SavedThroughServiceMixin, viewsets.ModelViewSet):
    """An Azure cloud's mappings. A server request naming a flavor, image, network or
    security group its cloud does not map is refused with 422 `mapping_missing`. Creating
    one on a cloud of another kind is 422 `not_an_azure_cloud`; a second mapping of one
    kind and name is 409 `duplicate_name`; an Azure reference that cannot stand for its
    kind is 400."""

    queryset = AzureMapping.objects.all()
    serializer_class = AzureMappingSerializer
    permission_classes = [IsOperator]
    lookup_url_kwarg = "mapping_id"
    lookup_value_regex = "[0-9]{1,18}"
    filterset_fields = ["kind", "name"]
    ordering_fields = ["kind", "name", "created"]
    results_key = "azure_mappings"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def cloud(self) -> Cloud:
        return get_object_or_404(Cloud, pk=_number(self.kwargs["cloud_id"]))

    def get_queryset(self):
        return mappings.mappings_of(self.cloud())

    def save_instance(self, mapping, changes):
        if mapping.pk is None:
            mapping.cloud = self.cloud()
        return mappings.save_mapping(mapping, changes)

    def perform_destroy(self, mapping):
        mappings.delete_mapping(mapping)


def _number(digits) -> int:
    """A cloud id from the path (digits); one too long for a database id names none."""
    return int(digits) if len(digits) < 19 else 0
