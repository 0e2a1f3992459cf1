from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from portal.core.api.mixins import TenantScopedMixin, wait_if_asked
from portal.core.api.serializers import TaskSerializer
from portal.core.filters import TaskFilter
from portal.core.models import Task


class TaskViewSet(TenantScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Asynchronous operations and their progress. Tenants see their own only."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    ordering_fields = ["created", "finished", "state"]
    lookup_field = "pk"
    lookup_url_kwarg = "task_id"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"
    results_key = "tasks"

    def get_queryset(self):
        return self.scope_to_tenant(Task.objects.all())

    @extend_schema(
        parameters=[
            OpenApiParameter("wait", OpenApiTypes.NUMBER, description="Seconds to wait (<= 60)")
        ]
    )
    def retrieve(self, request, *args, **kwargs):
        task = wait_if_asked(request, self.get_object())
        return Response(self.get_serializer(task).data)
