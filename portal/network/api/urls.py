from portal.core.api.routers import PortalRouter
from portal.network.api.views import NetworkViewSet
from portal.network.security_groups.api import SecurityGroupViewSet

router = PortalRouter()
router.register("networks", NetworkViewSet, basename="network")
router.register("security-groups", SecurityGroupViewSet, basename="security-group")

urlpatterns = router.urls
