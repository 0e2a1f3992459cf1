from portal.core.api.routers import PortalRouter
from portal.isos.api.views import FtpServerViewSet

router = PortalRouter()
router.register("ftp-servers", FtpServerViewSet, basename="ftp-server")

urlpatterns = router.urls
