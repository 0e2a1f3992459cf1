from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.core.api.mixins import requested_wait_seconds, wait_for_all_if_asked
from portal.core.api.permissions import IsOperator
from portal.core.principals import actor_of, tenant_scope
from portal.tenants import quotas, signup
from portal.tenants.api.permissions import TenantReadsOperatorWrites
from portal.tenants.api.serializers import (
    QuotaSerializer,
    TenantCreatedSerializer,
    TenantCreateSerializer,
    TenantSerializer,
)
from portal.tenants.models import Tenant, TenantIdentity

WAIT_PARAMETER = OpenApiParameter(
    "wait", OpenApiTypes.NUMBER, description="Seconds to wait for the task (<= 60)"
)


class TenantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tenants (seed 004 TenantService). Operators see all; a tenant key sees itself."""

    serializer_class = TenantSerializer
    lookup_url_kwarg = "tenant_id"
    lookup_value_regex = "[^/]+"
    results_key = "tenants"
    filterset_fields = ["status"]
    ordering_fields = ["tenant_id", "created"]

    def get_queryset(self):
        tenant = tenant_scope(self.request.user)
        tenants = Tenant.objects.prefetch_related(
            Prefetch(
                "identities",
                queryset=TenantIdentity.objects.select_related("cloud", "task").order_by(
                    "cloud__region"
                ),
            )
        )
        # Another tenant's row is simply not there: 404, never 403.
        return tenants if tenant is None else tenants.filter(pk=tenant.pk)

    def get_permissions(self):
        if self.action == "create":
            return [IsOperator()]
        if self.action == "quotas":
            return [TenantReadsOperatorWrites()]
        return super().get_permissions()

    @extend_schema(
        request=TenantCreateSerializer,
        responses={201: TenantCreatedSerializer},
        parameters=[WAIT_PARAMETER],
    )
    def create(self, request):
        """Sign a tenant up; answers 201 with its API key (shown only here), the Task that
        sets it up in the default region and, in `regions`, each enabled region's set-up
        (`?wait=N` waits up to N seconds for them all)."""
        requested_wait_seconds(request)  # a bad ?wait= is refused before anything is made
        form = TenantCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        tenant, apikey, task = signup.register_tenant(
            form.validated_data["tenant_name"], actor=actor_of(request.user)
        )
        wait_for_all_if_asked(request, [i.task for i in tenant.identities.select_related("task")])
        tenant = self.get_queryset().get(pk=tenant.pk)
        task.refresh_from_db()
        tenant.apikey, tenant.task = apikey, task
        return Response(TenantCreatedSerializer(tenant).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=QuotaSerializer, responses=QuotaSerializer)
    @action(detail=True, methods=["get", "put", "patch"], serializer_class=QuotaSerializer)
    def quotas(self, request, tenant_id=None):
        """The tenant's limits (-1: unlimited). Tenants may read their own; operators set them
        (PUT with every limit, PATCH with some)."""
        tenant = self.get_object()
        if request.method == "GET":
            return Response(QuotaSerializer(quotas.quota_of(tenant)).data)
        form = QuotaSerializer(data=request.data, partial=request.method == "PATCH")
        form.is_valid(raise_exception=True)
        quota = quotas.update_quota(tenant, form.validated_data, actor=actor_of(request.user))
        return Response(QuotaSerializer(quota).data)
