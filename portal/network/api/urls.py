from portal.core.api.routers import PortalRouter
from portal.network.api.views import NetworkViewSet

router = PortalRouter()
router.register("networks", NetworkViewSet, basename="network")

urlpatterns = router.urls
