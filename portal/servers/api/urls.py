from portal.core.api.routers import PortalRouter
from portal.servers.api.views import FlavorViewSet

router = PortalRouter()
router.register("flavors", FlavorViewSet, basename="flavor")

urlpatterns = router.urls
