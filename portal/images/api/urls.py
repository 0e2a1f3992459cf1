from portal.core.api.routers import PortalRouter
from portal.images.api.views import ImageViewSet

router = PortalRouter()
router.register("images", ImageViewSet, basename="image")

urlpatterns = router.urls
