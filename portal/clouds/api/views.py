from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from portal.clouds import services
from portal.clouds.api.serializers import CloudSerializer
from portal.clouds.models import Cloud
from portal.core.api.permissions import IsOperator


class CloudViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The clouds the portal manages (operators only). Passwords are write-only."""

    queryset = Cloud.objects.all()
    serializer_class = CloudSerializer
    permission_classes = [IsOperator]
    lookup_url_kwarg = "cloud_id"
    filterset_fields = ["kind", "enabled"]
    ordering_fields = ["name", "region", "created"]
    results_key = "clouds"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cloud = services.save_cloud(Cloud(), serializer.validated_data)
        return Response(self.get_serializer(cloud).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        cloud = self.get_object()
        serializer = self.get_serializer(cloud, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        cloud = services.save_cloud(cloud, serializer.validated_data)
        return Response(self.get_serializer(cloud).data)
