"""`/oss/users` (seed 004's OSSService) and `/object-stores` (the operators' RGW
endpoints). An S3 user is named by its uid within a region (`?region=` or the body's
`region`; the default cloud's when absent). A tenant reaches only its own S3 users;
another tenant's is 404."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.clouds.api.sync import SyncActionMixin
from portal.core.api.mixins import SavedThroughServiceMixin
from portal.core.api.permissions import IsOperator, IsTenantOrStaff
from portal.core.errors import ValidationFailed
from portal.core.principals import actor_of, tenant_scope
from portal.objectstorage import answers, services, stores
from portal.objectstorage.api.serializers import (
    CreateUserAndBucketAnswerSerializer,
    CreateUserAndBucketSerializer,
    KeysSerializer,
    ObjectStoreSerializer,
    OssBucketSerializer,
    OssQuotaSerializer,
    OssUserSerializer,
    RecoverKeySerializer,
    StoreConnectionCheckSerializer,
)
from portal.objectstorage.filters import OssUserFilter
from portal.objectstorage.models import ObjectStore
from portal.tenants.api.permissions import PlatformResourcePermission, acting_tenant

REGION = OpenApiParameter("region", str, description="The S3 user's region (default cloud's).")
BUCKET_NAME = OpenApiParameter("bucket_name", str, OpenApiParameter.PATH)
WAIT = OpenApiParameter("wait", float, description="Seconds to wait for the Task (0-60).")


class OssUserViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """S3 users and their buckets, served from the portal's database as RGW last reported
    them (after every change, and by the pull every two minutes). Changes run as Tasks;
    the answer waits for them (`?wait=N`, default 20 s) and is 202 if they still run."""

    serializer_class = OssUserSerializer
    filterset_class = OssUserFilter
    ordering_fields = ["uid", "created", "used_bytes"]
    ordering = ["uid"]
    lookup_field = "uid"
    lookup_url_kwarg = "oss_uid"
    lookup_value_regex = "[^/]+"
    results_key = "oss_users"
    authz_id_attr = "uid"

    def get_queryset(self):
        return services.oss_users_visible_to(self.request.user).select_related(
            "store__cloud", "current_task"
        )

    def get_permissions(self):
        if self.action in ("list", "create"):
            return [IsTenantOrStaff()]
        return [IsTenantOrStaff(), PlatformResourcePermission()]

    def get_object(self):
        region = self.request.data.get("region") if self.request.data else None
        region = region or self.request.query_params.get("region")
        oss_user = services.oss_user_of(self.request.user, self.kwargs["oss_uid"], region)
        self.check_object_permissions(self.request, oss_user)
        return oss_user

    @extend_schema(
        request=CreateUserAndBucketSerializer,
        parameters=[WAIT],
        responses={
            201: CreateUserAndBucketAnswerSerializer,
            202: CreateUserAndBucketAnswerSerializer,
        },
    )
    def create(self, request):
        """CreateUserAndBucket: the caller's S3 user in the region (made on first use with
        the store's default quota, or the one asked) and a bucket with its policy (a
        canned ACL or a JSON policy document). 201 with the keys once done."""
        wait = answers.wait_seconds(request)
        form = CreateUserAndBucketSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        tenant = acting_tenant(request, form.validated_data.get("tenant_id"))
        uid = self._uid_for(request, form.validated_data.get("platform_userid"))
        bucket, task = services.create_user_and_bucket(
            tenant, form.to_request(uid), actor=actor_of(request.user)
        )
        answer, done = answers.created(bucket, task, wait)
        body = CreateUserAndBucketAnswerSerializer(answer).data
        return Response(body, status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED)

    def _uid_for(self, request, platform_userid):
        """A tenant's S3 user is its caller's platform user; operators name one."""
        caller = request.user.platform_user_id if tenant_scope(request.user) else ""
        uid = caller or platform_userid
        if not uid or (platform_userid and platform_userid != uid):
            message = _("Give the platform user the S3 user is for (your own, as a tenant).")
            raise ValidationFailed(fields={"platform_userid": [message]})
        return uid

    @extend_schema(parameters=[REGION])
    def retrieve(self, request, oss_uid=None):
        """One S3 user with its quota and usage."""
        return Response(OssUserSerializer(self.get_object()).data)

    @extend_schema(parameters=[REGION], responses=OssBucketSerializer(many=True))
    @action(detail=True, methods=["get"], results_key="oss_buckets")
    def buckets(self, request, oss_uid=None):
        """ListBucketsInfo: the user's buckets with their usage, by name, paged
        (`page_number`, `page_size`)."""
        buckets = services.buckets_of(self.get_object()).select_related("owner", "store__cloud")
        page = self.paginate_queryset(buckets.order_by("name"))
        return self.get_paginated_response(OssBucketSerializer(page, many=True).data)

    @extend_schema(parameters=[REGION, BUCKET_NAME], responses=OssBucketSerializer)
    @action(detail=True, methods=["get"], url_path=r"buckets/(?P<bucket_name>[^/]+)")
    def bucket(self, request, oss_uid=None, bucket_name=None):
        """GetBucketInfo: size, object count, quota, created time and policy."""
        bucket = answers.bucket_of(self.get_object(), bucket_name)
        return Response(OssBucketSerializer(bucket).data)

    @extend_schema(
        request=OssQuotaSerializer,
        parameters=[WAIT],
        responses={200: OssUserSerializer, 202: OssUserSerializer},
    )
    @action(detail=True, methods=["put"])
    def quota(self, request, oss_uid=None):
        """SetOssUserQuota: set and enable the user quota; answers the user as RGW then
        reports it (202 with the Task if it is still running)."""
        wait = answers.wait_seconds(request)
        form = OssQuotaSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        oss_user = self.get_object()
        task = services.set_quota(
            oss_user,
            form.validated_data["user_max_size_in_g"],
            form.validated_data["user_max_objects"],
            actor=actor_of(request.user),
        )
        oss_user, done = answers.user_after(oss_user, task, wait)
        body = OssUserSerializer(oss_user).data
        return Response(body, status=status.HTTP_200_OK if done else status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=RecoverKeySerializer,
        parameters=[WAIT],
        responses={200: KeysSerializer, 202: KeysSerializer},
    )
    @action(detail=True, methods=["post"], url_path="recover-key")
    def recover_key(self, request, oss_uid=None):
        """RecoverKey: the user's current key pair as RGW holds it; `rotate` issues a new
        one and revokes the old."""
        wait = answers.wait_seconds(request)
        form = RecoverKeySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        oss_user = self.get_object()
        task = services.recover_key(
            oss_user, rotate=form.validated_data["rotate"], actor=actor_of(request.user)
        )
        answer, done = answers.keys_after(oss_user, task, wait)
        body = KeysSerializer(answer).data
        return Response(body, status=status.HTTP_200_OK if done else status.HTTP_202_ACCEPTED)


class ObjectStoreViewSet(SavedThroughServiceMixin, SyncActionMixin, viewsets.ModelViewSet):
    """Each region's Ceph RGW (operators only; the admin secret key is write-only)."""

    queryset = ObjectStore.objects.select_related("cloud")
    serializer_class = ObjectStoreSerializer
    permission_classes = [IsOperator]
    lookup_url_kwarg = "object_store_id"
    filterset_fields = ["cloud__region", "kind", "enabled"]
    ordering_fields = ["name", "created"]
    results_key = "object_stores"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    sync_kind = "objectstorage.sync"

    def save_instance(self, store, changes):
        if store.pk is None and not changes.get("secret_key"):
            raise ValidationFailed(fields={"secret_key": [_("This field is required.")]})
        return stores.save_store(store, changes)

    def destroy(self, request, *args, **kwargs):
        stores.delete_store(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, parameters=[WAIT], responses={200: StoreConnectionCheckSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, object_store_id=None):
        """Call the store's admin API now (in a worker); answers ok or the exact failure:
        unavailable, cloud_auth_failed (keys refused), cloud_forbidden (not an admin);
        `pending` if the test runs longer than the wait (default 30 s)."""
        wait = answers.wait_seconds(request, default=stores.CHECK_WAIT_SECONDS)
        check = stores.check_connection(self.get_object(), actor=actor_of(request.user), wait=wait)
        return Response(StoreConnectionCheckSerializer(check).data)
