"""A test-only API: tasks behind the platform's per-resource check."""

from django.urls import path

from portal.core.api.permissions import IsTenantOrStaff
from portal.core.api.views import TaskViewSet
from portal.tenants.api.permissions import PlatformResourcePermission


class CheckedTaskViewSet(TaskViewSet):
    permission_classes = [IsTenantOrStaff, PlatformResourcePermission]
    authz_action = "task.read"


urlpatterns = [
    path(
        "checked-tasks/<str:task_id>",
        CheckedTaskViewSet.as_view({"get": "retrieve"}),
        name="checked-task",
    ),
]
