from django.urls import path

from portal.core.api.routers import PortalRouter
from portal.servers.api.floating_ips import FloatingIPOperateViewSet
from portal.servers.api.views import (
    FlavorViewSet,
    InstanceTagsViewSet,
    InstanceViewSet,
    KeyPairViewSet,
    ServerTemplateViewSet,
    UsageView,
)
from portal.servers.cdrom.api import CdromViewSet
from portal.servers.disks.api import CloudDiskViewSet

router = PortalRouter()
router.register("flavors", FlavorViewSet, basename="flavor")
router.register("instances", InstanceViewSet, basename="instance")
router.register("cloud-disks", CloudDiskViewSet, basename="cloud-disk")
router.register("keypairs", KeyPairViewSet, basename="keypair")
router.register("server-templates", ServerTemplateViewSet, basename="server-template")

tags = InstanceTagsViewSet.as_view({"get": "list_tags", "put": "replace_tags"})
tag = InstanceTagsViewSet.as_view({"put": "add_tag", "delete": "remove_tag"})
cdrom = CdromViewSet.as_view({"get": "retrieve", "post": "mount", "delete": "unmount"})
floating_ip_operate = FloatingIPOperateViewSet.as_view({"post": "operate"})

urlpatterns = [
    *router.urls,
    path("instances/<str:instance_id>/tags", tags, name="instance-tags"),
    path("instances/<str:instance_id>/tags/<str:tag>", tag, name="instance-tag"),
    path("tenants/<str:tenant_id>/usage", UsageView.as_view(), name="tenant-usage"),
    path("instances/<str:instance_id>/cdrom", cdrom, name="instance-cdrom"),
    path(
        "floating-ips/<str:floating_ip_id>/operate",
        floating_ip_operate,
        name="floating-ip-operate",
    ),
]
