from portal.core.api.routers import PortalRouter
from portal.tenants.api.views import TenantViewSet

router = PortalRouter()
router.register("tenants", TenantViewSet, basename="tenant")

urlpatterns = router.urls
