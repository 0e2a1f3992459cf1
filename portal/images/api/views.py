from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.core.api.mixins import requested_wait_seconds, wait_if_asked
from portal.core.api.permissions import IsOperator
from portal.core.principals import actor_of, is_operator
from portal.images import services
from portal.images.api.serializers import (
    ImageSerializer,
    ImageSyncSerializer,
    OperatorImageSerializer,
)
from portal.images.filters import ImageFilter


class ImageViewSet(viewsets.ReadOnlyModelViewSet):
    """Images (seed 004 ImageService), served from the portal's mirror of the clouds.

    A tenant sees enabled, active images the cloud still lists; anything else is 404.
    """

    filterset_class = ImageFilter
    ordering_fields = ["name", "size", "os_type", "created"]
    ordering = ["name", "pk"]
    lookup_field = "image_id"
    lookup_value_regex = "[^/]+"
    results_key = "images"

    def get_queryset(self):
        images = services.images_visible_to(self.request.user).select_related("cloud")
        if is_operator(self.request.user):
            images = images.select_related("uploaded_by")
        return images

    def get_serializer_class(self):
        if is_operator(self.request.user):
            return OperatorImageSerializer
        return ImageSerializer

    @extend_schema(request=ImageSyncSerializer, responses={202: ImageSyncSerializer})
    @action(detail=False, methods=["post"], permission_classes=[IsOperator])
    def sync(self, request):
        """Sync now: queue an image pull of one cloud (operators)."""
        requested_wait_seconds(request)  # a bad ?wait= is refused before anything is queued
        body = ImageSyncSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cloud, task = services.request_image_sync(
            body.validated_data.get("region"), actor=actor_of(request.user)
        )
        task = wait_if_asked(request, task)
        answer = ImageSyncSerializer({"region": cloud.region, "task": task})
        return Response(answer.data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], permission_classes=[IsOperator])
    def enable(self, request, image_id=None):
        """Offer the image to tenants again (a portal flag; operators)."""
        image = services.set_image_enabled(self.get_object(), True)
        return Response(self.get_serializer(image).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], permission_classes=[IsOperator])
    def disable(self, request, image_id=None):
        """Stop offering the image for new templates and servers (operators); existing
        ones are not touched (seed 003)."""
        image = services.set_image_enabled(self.get_object(), False)
        return Response(self.get_serializer(image).data)
