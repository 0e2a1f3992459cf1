from portal.clouds.api.mappings import AzureMappingViewSet
from portal.clouds.api.views import CloudViewSet
from portal.core.api.routers import PortalRouter

router = PortalRouter()
router.register("clouds", CloudViewSet, basename="cloud")
# A typed cloud id: the schema takes its type from the pattern, not from the model.
router.register(
    r"clouds/(?P<cloud_id>[0-9]+)/azure-mappings", AzureMappingViewSet, basename="azure-mapping"
)

urlpatterns = router.urls
