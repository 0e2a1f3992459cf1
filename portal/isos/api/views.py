import io

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.clouds.api.sync import SyncActionMixin
from portal.clouds.sync import cloud_for_region
from portal.core.api.mixins import (
    SavedThroughServiceMixin,
    accepted_with_task,
    requested_wait_seconds,
)
from portal.core.api.parsers import RawBodyParser
from portal.core.api.permissions import IsOperator, IsTenantOrStaff
from portal.core.api.schema import read_by_caller
from portal.core.flags import set_row_enabled
from portal.core.principals import actor_of, tenant_scope
from portal.isos import ftp_servers, services, uploads
from portal.isos.api.serializers import (
    ConnectionCheckSerializer,
    FtpServerSerializer,
    IsoSerializer,
    IsoTaskSerializer,
    IsoUpdateSerializer,
    TenantIsoSerializer,
)
from portal.isos.filters import IsoFilter
from portal.isos.models import FtpServer, Iso


class FtpServerViewSet(SavedThroughServiceMixin, viewsets.ModelViewSet):
    """The FTP servers holding the clouds' ISOs (operators only; secrets write-only)."""

    queryset = FtpServer.objects.select_related("cloud")
    serializer_class = FtpServerSerializer
    permission_classes = [IsOperator]
    lookup_url_kwarg = "ftp_server_id"
    filterset_fields = ["cloud__region", "use_tls"]
    ordering_fields = ["name", "created"]
    results_key = "ftp_servers"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def save_instance(self, server, changes):
        if server.pk is None:  # a new one serves the default cloud unless it names one
            changes = dict(changes)
            changes.setdefault("cloud", cloud_for_region(None))
        return ftp_servers.save_ftp_server(server, changes)

    def destroy(self, request, *args, **kwargs):
        ftp_servers.delete_ftp_server(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: ConnectionCheckSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, ftp_server_id=None):
        """Log in and open the ISO directory now; answers the exact failure, if any."""
        check = ftp_servers.test_connection(self.get_object())
        return Response(ConnectionCheckSerializer(check).data)


@read_by_caller("IsoForCaller", TenantIsoSerializer, IsoSerializer)
class IsoViewSet(
    SyncActionMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):  # fmt: skip
    """ISOs on the clouds' FTP servers (operators; tenants read the mountable ones).

    POST creates an ISO waiting for its file (201, status queued); PATCH changes its name,
    description and OS type (there is no PUT of the whole ISO); PUT .../file sends the
    file (202 + Task); DELETE removes an uploaded ISO from the FTP server, then the portal
    (202 + Task). A tenant lists and reads the enabled, available ISOs (to choose one to
    mount on its servers), without where they are stored or mounted.
    """

    serializer_class = IsoSerializer
    filterset_class = IsoFilter
    ordering_fields = ["iso_name", "size", "os_type", "created"]
    ordering = ["iso_name", "pk"]
    lookup_field = "iso_id"
    lookup_value_regex = "[^/]+"
    results_key = "isos"
    sync_kind = "isos.sync"  # every FTP server of one cloud
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [IsTenantOrStaff()]
        return [IsOperator()]

    def get_queryset(self):
        if tenant_scope(self.request.user) is not None:
            return services.mountable_isos().select_related("cloud")
        return services.with_mounts(Iso.objects.select_related("cloud", "uploaded_by"))

    def get_serializer_class(self):
        if tenant_scope(self.request.user) is not None:
            return TenantIsoSerializer
        return IsoSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        iso = services.create_iso(serializer.validated_data, user=request.user)
        return Response(self.get_serializer(iso).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IsoUpdateSerializer, responses=IsoSerializer)
    def partial_update(self, request, *args, **kwargs):
        iso = self.get_object()
        body = IsoUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        iso = services.update_iso(iso, body.validated_data)
        return Response(self.get_serializer(iso).data)

    @extend_schema(responses={202: IsoTaskSerializer})
    def destroy(self, request, *args, **kwargs):
        requested_wait_seconds(request)
        iso, task = services.request_iso_deletion(self.get_object(), actor=actor_of(request.user))
        return self._accepted(request, iso, task)

    @extend_schema(
        request={"application/octet-stream": {"type": "string", "format": "binary"}},
        responses={202: IsoTaskSerializer},
    )
    @action(detail=True, methods=["put"], parser_classes=[RawBodyParser])
    def file(self, request, iso_id=None):
        """The ISO file, as the raw body (streamed to staging; never held in memory)."""
        requested_wait_seconds(request)
        iso = self.get_object()
        length = request.META.get("CONTENT_LENGTH")
        iso, task = uploads.receive_upload(
            iso,
            request.stream or io.BytesIO(),  # the request's input, read in chunks
            int(length) if length and length.isdigit() else None,
            actor=actor_of(request.user),
        )
        return self._accepted(request, iso, task)

    @extend_schema(request=None, responses=IsoSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request, iso_id=None):
        """Allow mounting the ISO."""
        iso = set_row_enabled(self.get_object(), True)
        return Response(self.get_serializer(iso).data)

    @extend_schema(request=None, responses=IsoSerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request, iso_id=None):
        """Refuse new mounts of the ISO (existing mounts stay)."""
        iso = set_row_enabled(self.get_object(), False)
        return Response(self.get_serializer(iso).data)

    def _accepted(self, request, iso, task):
        return accepted_with_task(
            request, iso, task, IsoTaskSerializer, reread=_reread, task_attribute="task"
        )


def _reread(iso):
    """The ISO as the database now holds it (itself if it was deleted meanwhile)."""
    fresh = services.with_mounts(Iso.objects.select_related("cloud", "uploaded_by"))
    return fresh.filter(pk=iso.pk).first() or iso
