from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.clouds.api.sync import SyncActionMixin
from portal.core.api.mixins import accepted_with_task, requested_wait_seconds
from portal.core.api.parsers import RawBodyParser
from portal.core.api.permissions import IsOperator
from portal.core.api.schema import read_by_caller
from portal.core.flags import set_row_enabled
from portal.core.principals import actor_of, is_operator
from portal.images import services, uploads
from portal.images.api.serializers import (
    ImageSerializer,
    ImageTaskSerializer,
    ImageUploadSerializer,
    OperatorImageSerializer,
)
from portal.images.filters import ImageFilter


class OctetStreamParser(RawBodyParser):
    media_type = "application/octet-stream"


@read_by_caller("ImageForCaller", ImageSerializer, OperatorImageSerializer)
class ImageViewSet(
    SyncActionMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Images (seed 004 ImageService), served from the portal's mirror of the clouds.

    A tenant sees enabled, active images the cloud still lists; anything else is 404.
    Operators also upload images (`POST` + `PUT .../file`) and delete uploaded ones.
    """

    filterset_class = ImageFilter
    ordering_fields = ["name", "size", "os_type", "created"]
    ordering = ["name", "pk"]
    lookup_field = "image_id"
    lookup_value_regex = "[^/]+"
    results_key = "images"
    sync_kind = "images.sync"

    def get_queryset(self):
        images = services.images_visible_to(self.request.user).select_related("cloud")
        if is_operator(self.request.user):
            images = images.select_related("uploaded_by")
        return images

    def get_permissions(self):
        if self.action in ("create", "destroy", "upload_file"):
            return [IsOperator()]
        return super().get_permissions()

    def get_serializer_class(self):
        if self.action == "create":
            return ImageUploadSerializer
        if is_operator(self.request.user):
            return OperatorImageSerializer
        return ImageSerializer

    @extend_schema(request=ImageUploadSerializer, responses={201: OperatorImageSerializer})
    def create(self, request, *args, **kwargs):
        """Upload, step 1: the image's metadata; answers 201 with the image `queued`."""
        body = ImageUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        metadata = dict(body.validated_data)
        region = metadata.pop("region", None)
        image = uploads.create_upload(metadata, user=request.user, region=region)
        return Response(OperatorImageSerializer(image).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"application/octet-stream": OpenApiTypes.BINARY},
        parameters=[
            OpenApiParameter(
                "Content-Range",
                location=OpenApiParameter.HEADER,
                required=False,
                description="bytes START-END/TOTAL: one piece of a resumable upload.",
            )
        ],
        responses={200: OperatorImageSerializer, 202: ImageTaskSerializer},
    )
    @action(detail=True, methods=["put"], url_path="file", parser_classes=[OctetStreamParser])
    def upload_file(self, request, image_id=None):
        """Upload, step 2: the file as the raw body (streamed), whole or in pieces with
        Content-Range. A piece answers 200 with `received_bytes`; the last byte answers
        202 with the Task moving the image to the cloud."""
        requested_wait_seconds(request)
        image = self.get_object()
        length = _content_length(request)
        image, task = uploads.receive_upload_piece(
            image, request.stream, length, request.headers.get("Content-Range"),
            actor=actor_of(request.user),
        )  # fmt: skip
        if task is None:
            return Response(OperatorImageSerializer(image).data)
        return self._answer_with_task(request, image, task)

    @extend_schema(request=None, responses={202: ImageTaskSerializer})
    def destroy(self, request, *args, **kwargs):
        """Delete an image uploaded through the portal: from the cloud, then the portal."""
        requested_wait_seconds(request)
        image, task = uploads.request_image_deletion(
            self.get_object(), actor=actor_of(request.user)
        )
        return self._answer_with_task(request, image, task)

    def _answer_with_task(self, request, image, task):
        task.refresh_from_db()  # as it stands now (a fast job may already have ended)
        return accepted_with_task(
            request, image, task, ImageTaskSerializer,
            reread=services.reread, task_attribute="current_task",
        )  # fmt: skip

    @extend_schema(request=None, responses=OperatorImageSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsOperator])
    def enable(self, request, image_id=None):
        """Offer the image to tenants again (a portal flag; operators)."""
        image = set_row_enabled(self.get_object(), True)
        return Response(self.get_serializer(image).data)

    @extend_schema(request=None, responses=OperatorImageSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsOperator])
    def disable(self, request, image_id=None):
        """Stop offering the image for new templates and servers (operators); existing
        ones are not touched (seed 003)."""
        image = set_row_enabled(self.get_object(), False)
        return Response(self.get_serializer(image).data)


def _content_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0
