from django.urls import path

from portal.core.api.routers import PortalRouter
from portal.isos.api.views import CdromViewSet, FtpServerViewSet, IsoViewSet

router = PortalRouter()
router.register("ftp-servers", FtpServerViewSet, basename="ftp-server")
router.register("isos", IsoViewSet, basename="iso")

cdrom = CdromViewSet.as_view({"get": "retrieve", "post": "mount", "delete": "unmount"})

urlpatterns = [
    *router.urls,
    path("instances/<str:instance_id>/cdrom", cdrom, name="instance-cdrom"),
]
