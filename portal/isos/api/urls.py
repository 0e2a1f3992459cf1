from portal.core.api.routers import PortalRouter
from portal.isos.api.views import FtpServerViewSet, IsoViewSet

router = PortalRouter()
router.register("ftp-servers", FtpServerViewSet, basename="ftp-server")
router.register("isos", IsoViewSet, basename="iso")

urlpatterns = router.urls
