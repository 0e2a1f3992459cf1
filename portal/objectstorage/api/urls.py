from portal.core.api.routers import PortalRouter
from portal.objectstorage.api.views import ObjectStoreViewSet, OssUserViewSet

router = PortalRouter()
router.register("oss/users", OssUserViewSet, basename="oss-user")
router.register("object-stores", ObjectStoreViewSet, basename="object-store")

urlpatterns = router.urls
