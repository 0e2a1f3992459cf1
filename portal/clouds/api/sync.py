"""`POST <resources>/sync` ("Sync now") for every mirrored resource: one action, one body."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.clouds.sync import request_sync
from portal.core.api.mixins import requested_wait_seconds, wait_if_asked
from portal.core.api.permissions import IsOperator
from portal.core.api.serializers import TaskSummarySerializer
from portal.core.principals import actor_of


class SyncSerializer(serializers.Serializer):
    """Body `{region}` (optional: the default cloud); answers with the region and the
    pull's Task."""

    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    task = TaskSummarySerializer(read_only=True)


class SyncActionMixin:
    """Adds `POST <list>/sync`: queue a pull of `sync_kind` of one cloud (operators)."""

    sync_kind: str

    @extend_schema(request=SyncSerializer, responses={202: SyncSerializer})
    @action(detail=False, methods=["post"], permission_classes=[IsOperator])
    def sync(self, request):
        """Sync now: queue a pull of one cloud (operators); one at a time per cloud."""
        requested_wait_seconds(request)  # a bad ?wait= is refused before anything is queued
        body = SyncSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cloud, task = request_sync(
            self.sync_kind, body.validated_data.get("region"), actor=actor_of(request.user)
        )
        task = wait_if_asked(request, task)
        answer = SyncSerializer({"region": cloud.region, "task": task})
        return Response(answer.data, status=status.HTTP_202_ACCEPTED)
