from django.urls import path

from portal.core.api.routers import PortalRouter
from portal.servers.api.views import FlavorViewSet, InstanceViewSet, UsageView

router = PortalRouter()
router.register("flavors", FlavorViewSet, basename="flavor")
router.register("instances", InstanceViewSet, basename="instance")

urlpatterns = [
    *router.urls,
    path("tenants/<str:tenant_id>/usage", UsageView.as_view(), name="tenant-usage"),
]
