from portal.core.api.routers import PortalRouter
from portal.network.api.views import NetworkViewSet
from portal.network.floating_ips.api import FloatingIPViewSet

router = PortalRouter()
router.register("networks", NetworkViewSet, basename="network")
router.register("floating-ips", FloatingIPViewSet, basename="floating-ip")

urlpatterns = router.urls
