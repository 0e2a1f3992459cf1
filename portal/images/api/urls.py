from portal.core.api.routers import PortalRouter
from portal.images.api.views import ImageViewSet, ServerTemplateViewSet

router = PortalRouter()
router.register("images", ImageViewSet, basename="image")
router.register("server-templates", ServerTemplateViewSet, basename="server-template")

urlpatterns = router.urls
