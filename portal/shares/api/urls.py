from portal.core.api.routers import PortalRouter
from portal.shares.api.views import NasDiskViewSet

router = PortalRouter()
router.register("nas-disks", NasDiskViewSet, basename="nas-disk")

urlpatterns = router.urls
