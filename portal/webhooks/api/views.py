from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.core.api.mixins import SavedThroughServiceMixin
from portal.core.api.permissions import IsOperator
from portal.core.principals import actor_of
from portal.webhooks import services
from portal.webhooks.api.serializers import DeliverySerializer, WebhookEndpointSerializer
from portal.webhooks.filters import DeliveryFilter
from portal.webhooks.models import Delivery, WebhookEndpoint

UUID_PATTERN = "[0-9a-fA-F-]{32,36}"


class WebhookEndpointViewSet(SavedThroughServiceMixin, viewsets.ModelViewSet):
    """Where the portal POSTs every Task end (platform keys and staff only). The signing
    secret is write-only."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsOperator]
    lookup_url_kwarg = "webhook_id"
    lookup_value_regex = UUID_PATTERN
    filterset_fields = ["enabled"]
    ordering_fields = ["created"]
    results_key = "webhooks"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def save_instance(self, endpoint, changes):
        return services.save_endpoint(endpoint, changes, actor=actor_of(self.request.user))

    def perform_destroy(self, endpoint):
        services.delete_endpoint(endpoint)


class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    """Each Task end sent to each endpoint, and how sending went (platform keys and staff)."""

    queryset = Delivery.objects.all()
    serializer_class = DeliverySerializer
    permission_classes = [IsOperator]
    filterset_class = DeliveryFilter
    lookup_url_kwarg = "delivery_id"
    lookup_value_regex = UUID_PATTERN
    ordering_fields = ["created", "next_attempt"]
    results_key = "deliveries"

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request, delivery_id=None):
        """One more attempt now, with the same body, newly signed."""
        delivery = services.resend(self.get_object())
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)
