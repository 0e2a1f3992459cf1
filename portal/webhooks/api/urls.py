from portal.core.api.routers import PortalRouter
from portal.webhooks.api.views import DeliveryViewSet, WebhookEndpointViewSet

router = PortalRouter()
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("webhook-deliveries", DeliveryViewSet, basename="webhook-delivery")

urlpatterns = router.urls
