from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.core.api.permissions import IsOperator
from portal.core.sync import cloud_for_region
from portal.isos import services
from portal.isos.api.serializers import ConnectionCheckSerializer, FtpServerSerializer
from portal.isos.models import FtpServer


class FtpServerViewSet(viewsets.ModelViewSet):
    """The FTP servers holding the clouds' ISOs (operators only; secrets write-only)."""

    queryset = FtpServer.objects.select_related("cloud")
    serializer_class = FtpServerSerializer
    permission_classes = [IsOperator]
    lookup_url_kwarg = "ftp_server_id"
    filterset_fields = ["cloud__region", "use_tls"]
    ordering_fields = ["name", "created"]
    results_key = "ftp_servers"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        changes.setdefault("cloud", cloud_for_region(None))
        server = services.save_ftp_server(FtpServer(), changes)
        return Response(self.get_serializer(server).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        server = self.get_object()
        serializer = self.get_serializer(server, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        server = services.save_ftp_server(server, serializer.validated_data)
        return Response(self.get_serializer(server).data)

    def destroy(self, request, *args, **kwargs):
        services.delete_ftp_server(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: ConnectionCheckSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, ftp_server_id=None):
        """Log in and open the ISO directory now; answers the exact failure, if any."""
        check = services.test_connection(self.get_object())
        return Response(ConnectionCheckSerializer(check).data)
