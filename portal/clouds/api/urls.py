from portal.clouds.api.views import CloudViewSet
from portal.core.api.routers import PortalRouter

router = PortalRouter()
router.register("clouds", CloudViewSet, basename="cloud")

urlpatterns = router.urls
