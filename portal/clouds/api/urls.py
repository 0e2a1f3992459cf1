from portal.clouds.api.mappings import AzureMappingViewSet
from portal.clouds.api.views import CloudViewSet
from portal.core.api.routers import PortalRouter

router = PortalRouter()
router.register("clouds", CloudViewSet, basename="cloud")
router.register(
    r"clouds/(?P<cloud_id>[^/.]+)/azure-mappings", AzureMappingViewSet, basename="azure-mapping"
)

urlpatterns = router.urls
