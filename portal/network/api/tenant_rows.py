"""What the network app's viewsets of a tenant's rows (VPCs, routers) share: who may do
what, and the 202 answer with the row as it stands after its Task."""

from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from portal.clouds.api.sync import SyncActionMixin
from portal.core.api.mixins import wait_if_asked
from portal.core.api.permissions import IsOperator, IsTenantOrStaff
from portal.tenants.api.permissions import PlatformResourcePermission


class TenantRowViewSet(
    SyncActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A tenant sees its own rows, another tenant's id is 404; operators see every
    tenant's and may ask for the network pull ("Sync now")."""

    ordering_fields = ["name", "created"]
    ordering = ["name", "pk"]
    lookup_value_regex = "[^/]+"
    sync_kind = "network.sync"

    def get_permissions(self):
        if self.action == "sync":
            return [IsOperator()]
        if self.action in ("list", "create"):
            return [IsTenantOrStaff()]
        return [IsTenantOrStaff(), PlatformResourcePermission()]

    def _answer(self, request, row, task):
        task = wait_if_asked(request, task)
        task.refresh_from_db()  # an eager or quick worker may have moved it on
        # A deleted row is shown as it was last, with the Task that deleted it.
        row = self.get_queryset().filter(pk=row.pk).first() or row
        row.current_task = task
        return Response(self.serializer_class(row).data, status=status.HTTP_202_ACCEPTED)
