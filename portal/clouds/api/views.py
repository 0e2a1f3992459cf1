from rest_framework import mixins, viewsets

from portal.clouds import services
from portal.clouds.api.serializers import CloudSerializer
from portal.clouds.models import Cloud
from portal.core.api.mixins import SavedThroughServiceMixin
from portal.core.api.permissions import IsOperator
from portal.core.principals import actor_of


class CloudViewSet(
    SavedThroughServiceMixin,
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

    def save_instance(self, cloud, changes):
        return services.save_cloud(cloud, changes, actor=actor_of(self.request.user))
