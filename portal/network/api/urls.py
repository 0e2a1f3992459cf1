from django.urls import path

from portal.core.api.routers import PortalRouter
from portal.network.api.routers import RouterViewSet
from portal.network.api.views import NetworkViewSet
from portal.network.api.vpcs import VpcViewSet
from portal.network.floating_ips.api import FloatingIPViewSet
from portal.network.security_groups.api import SecurityGroupViewSet

router = PortalRouter()
router.register("networks", NetworkViewSet, basename="network")
router.register("vpcs", VpcViewSet, basename="vpc")
router.register("routers", RouterViewSet, basename="router")
router.register("security-groups", SecurityGroupViewSet, basename="security-group")
router.register("floating-ips", FloatingIPViewSet, basename="floating-ip")

remove_subnet = VpcViewSet.as_view({"delete": "remove_subnet"})
remove_interface = RouterViewSet.as_view({"delete": "remove_interface"})

urlpatterns = [
    *router.urls,
    path("vpcs/<str:vpc_id>/subnets/<str:subnet_id>", remove_subnet, name="vpc-subnet"),
    path(
        "routers/<str:router_id>/interfaces/<str:subnet_id>",
        remove_interface,
        name="router-interface",
    ),
]
