"""Object storage in the API: seed 004's OssUser, OssBucket and the OSSService requests,
and the object stores operators register."""

from rest_framework import serializers

from portal.clouds.api.fields import RegionField
from portal.core.api.serializers import TaskSummarySerializer
from portal.objectstorage.models import GB, Bucket, ObjectStore, OssUser
from portal.objectstorage.services import (
    MAX_QUOTA_GB,
    MAX_QUOTA_OBJECTS,
    STORAGE_TYPES,
    CreateRequest,
)


class OssUserSerializer(serializers.ModelSerializer):
    """Seed 004's OssUser as RGW last reported it (`read_at`): quota (-1: unlimited) and
    usage; sizes in GB as the seed has them, and in bytes."""

    oss_uid = serializers.CharField(source="uid")
    region = serializers.CharField(source="store.cloud.region")
    oss_user_created_time = serializers.DateTimeField(source="created")
    user_created_time = serializers.DateTimeField(source="created")
    user_max_size_in_g = serializers.IntegerField(source="max_size_in_g")
    user_max_objects = serializers.IntegerField(source="max_objects")
    user_quota_enabled = serializers.BooleanField(source="quota_enabled")
    user_use_size_in_g = serializers.SerializerMethodField()
    user_use_bytes = serializers.IntegerField(source="used_bytes")
    user_use_objects = serializers.IntegerField(source="used_objects")
    portal_state = serializers.ChoiceField(source="status", choices=OssUser.Status.choices)
    tenant_id = serializers.CharField()
    task = TaskSummarySerializer(source="current_task", allow_null=True)

    class Meta:
        model = OssUser
        fields = [
            "oss_uid", "region", "oss_user_created_time", "user_created_time",
            "user_max_size_in_g", "user_max_objects", "user_quota_enabled",
            "user_use_size_in_g", "user_use_bytes", "user_use_objects", "total_buckets",
            "suspended", "read_at", "portal_state", "locked", "tenant_id", "task",
        ]  # fmt: skip
        read_only_fields = fields

    def get_user_use_size_in_g(self, oss_user) -> int:
        return -(-oss_user.used_bytes // GB)  # rounded up: 1 byte uses 1 GB of the quota


class OssBucketSerializer(serializers.ModelSerializer):
    """A bucket as RGW last reported it (`read_at`): usage, bucket quota, creation time,
    and its policy (the canned ACL its grants amount to, and its policy document)."""

    bucket_name = serializers.CharField(source="name")
    oss_uid = serializers.CharField(source="owner.uid")
    region = serializers.CharField(source="store.cloud.region")
    storege_type = serializers.CharField(source="storage_type")
    bucket_policy = serializers.SerializerMethodField()
    bucket_acl = serializers.CharField(source="acl")
    bucket_policy_document = serializers.CharField(source="policy_document")
    size_bytes = serializers.IntegerField(source="used_bytes")
    object_count = serializers.IntegerField(source="used_objects")
    quota_max_size_bytes = serializers.IntegerField(source="max_size_bytes")
    quota_max_objects = serializers.IntegerField(source="max_objects")
    quota_enabled = serializers.BooleanField()
    created_time = serializers.DateTimeField(source="cloud_created", allow_null=True)
    portal_state = serializers.ChoiceField(source="status", choices=Bucket.Status.choices)

    class Meta:
        model = Bucket
        fields = [
            "bucket_name", "oss_uid", "region", "storege_type", "bucket_policy", "bucket_acl",
            "bucket_policy_document", "size_bytes", "object_count", "quota_max_size_bytes",
            "quota_max_objects", "quota_enabled", "created_time", "read_at", "portal_state",
        ]  # fmt: skip
        read_only_fields = fields

    def get_bucket_policy(self, bucket) -> str:
        """The policy document when it has one, else its canned ACL."""
        return bucket.policy_document or bucket.acl


class CreateUserAndBucketSerializer(serializers.Serializer):
    """CreateUserAndBucketReq (seed 004). A tenant's S3 user is its caller's platform
    user (X-Platform-User-Id); operators name `tenant_id` and `platform_userid`."""

    tenant_id = serializers.CharField(required=False, max_length=20)
    platform_userid = serializers.CharField(required=False, max_length=64)
    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    # checked by policies.check_bucket_name, which says which rule a name breaks
    bucket_name = serializers.CharField(max_length=255)
    storege_type = serializers.ChoiceField(choices=STORAGE_TYPES, default="STANDARD")
    user_max_size_in_g = serializers.IntegerField(
        required=False, min_value=-1, max_value=MAX_QUOTA_GB
    )
    user_max_objects = serializers.IntegerField(
        required=False, min_value=-1, max_value=MAX_QUOTA_OBJECTS
    )
    bucket_policy = serializers.CharField(required=False, default="private", max_length=20480)

    def to_request(self, uid: str) -> CreateRequest:
        data = self.validated_data
        return CreateRequest(
            uid=uid,
            bucket_name=data["bucket_name"],
            bucket_policy=data["bucket_policy"],
            storage_type=data["storege_type"],
            region=data.get("region", ""),
            user_max_size_in_g=data.get("user_max_size_in_g"),
            user_max_objects=data.get("user_max_objects"),
        )


class KeysSerializer(serializers.Serializer):
    """RecoverKeyRes (seed 004): the keys are null until the Task has read them."""

    oss_endpoint = serializers.CharField()
    oss_access_key = serializers.CharField(allow_null=True)
    oss_secret_key = serializers.CharField(allow_null=True)
    task = TaskSummarySerializer()


class CreateUserAndBucketAnswerSerializer(KeysSerializer):
    """CreateUserAndBucketRes (seed 004), with the Task that made them."""

    oss_user = OssUserSerializer()
    oss_bucket = OssBucketSerializer()


class RegionSerializer(serializers.Serializer):
    region = serializers.CharField(required=False, allow_blank=True, max_length=100)


class OssQuotaSerializer(RegionSerializer):
    """SetOssUserQuotaReq (seed 004); -1 means unlimited."""

    user_max_size_in_g = serializers.IntegerField(min_value=-1, max_value=MAX_QUOTA_GB)
    user_max_objects = serializers.IntegerField(min_value=-1, max_value=MAX_QUOTA_OBJECTS)


class RecoverKeySerializer(RegionSerializer):
    """RecoverKeyReq (seed 004); `rotate` issues a new key and revokes the others."""

    rotate = serializers.BooleanField(default=False)


class ObjectStoreSerializer(serializers.ModelSerializer):
    """An object store (a region's Ceph RGW); the admin secret key is write-only."""

    object_store_id = serializers.CharField(source="pk", read_only=True)
    region = RegionField(source="cloud")
    secret_key = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = ObjectStore
        fields = [
            "object_store_id", "name", "region", "kind", "admin_url", "s3_url", "access_key",
            "secret_key", "verify_tls", "timeout_seconds", "default_max_size_in_g",
            "default_max_objects", "enabled", "checked_at", "check_ok", "check_code",
            "check_message", "created", "updated",
        ]  # fmt: skip
        read_only_fields = [
            "checked_at", "check_ok", "check_code", "check_message", "created", "updated",
        ]  # fmt: skip


class StoreConnectionCheckSerializer(serializers.Serializer):
    """ "Test connection": ok, or the failure's code (unavailable, cloud_auth_failed,
    cloud_forbidden; pending while the test still runs) and sentence."""

    ok = serializers.BooleanField()
    code = serializers.CharField()
    message = serializers.CharField()
    task = TaskSummarySerializer()
