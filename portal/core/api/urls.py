from portal.core.api.routers import PortalRouter
from portal.core.api.views import TaskViewSet

router = PortalRouter()
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = router.urls
