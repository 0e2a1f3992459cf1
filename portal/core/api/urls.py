from rest_framework.routers import SimpleRouter

from portal.core.api.views import TaskViewSet

router = SimpleRouter(trailing_slash="/?")
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = router.urls
