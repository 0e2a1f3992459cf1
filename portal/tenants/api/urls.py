from rest_framework.routers import SimpleRouter

from portal.tenants.api.views import TenantViewSet

router = SimpleRouter(trailing_slash="/?")
router.register("tenants", TenantViewSet, basename="tenant")

urlpatterns = router.urls
