"""S3 users and buckets, the request side (seed 004's OSSService): who sees which S3
users; creating a bucket (and its owner's S3 user on first use), setting a user's quota,
recovering or rotating its key. Each queues a Task; the RGW work is in workflows.py,
run by the jobs of tasks.py. The object stores themselves are in stores.py."""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.core.errors import Conflict, NotFound, ValidationFailed
from portal.core.principals import tenant_scope
from portal.core.services import create_task, enqueue
from portal.objectstorage.locking import CREATE_KIND, KEY_KIND, QUOTA_KIND, lock_for_operation
from portal.objectstorage.models import Bucket, ObjectStore, OssUser
from portal.objectstorage.policies import check_bucket_name, parse_bucket_policy
from portal.objectstorage.stores import store_for_region

logger = logging.getLogger(__name__)

STORAGE_TYPES = ("STANDARD",)  # the one placement a plain RGW zone has
MAX_QUOTA_GB = 1024 * 1024  # 1 PB
MAX_QUOTA_OBJECTS = 2**31 - 1


def oss_users_visible_to(user):
    """A tenant sees the S3 users of its own platform users, operators all."""
    tenant = tenant_scope(user)
    users = OssUser.objects.all()
    return users if tenant is None else users.filter(tenant=tenant)


def oss_user_of(user, uid: str, region: str | None) -> OssUser:
    """The S3 user `uid` of the region's store, if the caller may see it (else 404)."""
    store = store_for_region(region)
    found = (
        oss_users_visible_to(user)
        .select_related("store__cloud", "current_task", "tenant")
        .filter(store=store, uid=uid)
        .first()
    )
    if found is None:
        raise NotFound(_("No such S3 user in this region."), code="not_found")
    return found


def buckets_of(oss_user: OssUser):
    return Bucket.objects.filter(owner=oss_user, status=Bucket.Status.READY)


def display_name_of(tenant, uid: str) -> str:
    """The display name the portal gives the S3 users it makes: it tells, when RGW has a
    user the portal has no row of, whether it is this tenant's (re-adopted) or not."""
    return f"portal:{tenant.tenant_id}:{uid}"


# ---- CreateUserAndBucket ----------------------------------------------------------------


@dataclass(frozen=True)
class CreateRequest:
    """CreateUserAndBucketReq (seed 004) as the service takes it; quotas in GB and
    objects, None for the store's defaults."""

    uid: str
    bucket_name: str
    bucket_policy: str = "private"
    storage_type: str = "STANDARD"
    region: str = ""
    user_max_size_in_g: int | None = None
    user_max_objects: int | None = None


def create_user_and_bucket(tenant, request: CreateRequest, *, actor) -> tuple[Bucket, object]:
    """Check the name and policy, then record the bucket (and its owner, on first use) and
    queue the Task that makes them in RGW, in one transaction. 409 when the portal knows
    the name in this cluster already, or the S3 user belongs to another tenant."""
    check_bucket_name(request.bucket_name)
    policy = parse_bucket_policy(request.bucket_policy, request.bucket_name)
    if request.storage_type not in STORAGE_TYPES:
        raise ValidationFailed(
            fields={"storege_type": [_("Use one of: %s.") % ", ".join(STORAGE_TYPES)]}
        )
    store = store_for_region(request.region)
    with transaction.atomic():
        owner = _owner_for(tenant, store, request)
        bucket = _new_bucket(store, owner, request, policy.text)
        task = create_task(
            CREATE_KIND, target_type="bucket", target_id=bucket.pk, tenant=tenant, actor=actor
        )
        _set_current_task(bucket, task)
        _set_current_task(owner, task)  # the user's page follows each of its operations
        enqueue(task, "portal.objectstorage.tasks.create_user_and_bucket")
    logger.info("bucket %s of %s accepted (task %s)", bucket.name, owner.uid, task.pk)
    return bucket, task


def _owner_for(tenant, store: ObjectStore, request: CreateRequest) -> OssUser:
    owner, created = OssUser.objects.select_for_update().get_or_create(
        store=store,
        uid=request.uid,
        defaults={
            "tenant": tenant,
            "display_name": display_name_of(tenant, request.uid),
            "max_size_in_g": _or_default(request.user_max_size_in_g, store.default_max_size_in_g),
            "max_objects": _or_default(request.user_max_objects, store.default_max_objects),
        },
    )
    if owner.tenant_id != tenant.pk:
        raise Conflict(
            _("The S3 user %(uid)s belongs to another tenant.") % {"uid": request.uid},
            code="oss_user_taken",
        )
    if not created and owner.status == OssUser.Status.CREATING:
        raise Conflict(
            _("S3 user %(uid)s is being created; try again when its first bucket is ready.")
            % {"uid": request.uid},
            code="locked",
        )
    return owner


def _or_default(value, default):
    return default if value is None else value


def _new_bucket(store, owner, request: CreateRequest, policy_text: str) -> Bucket:
    try:
        with transaction.atomic():
            return Bucket.objects.create(
                store=store,
                owner=owner,
                name=request.bucket_name,
                storage_type=request.storage_type,
                policy=policy_text,
            )
    except IntegrityError:
        raise Conflict(
            _("The bucket name %(name)s is taken in this region.") % {"name": request.bucket_name},
            code="bucket_taken",
            fields={"bucket_name": [_("Choose another name.")]},
        ) from None


def _set_current_task(row, task) -> None:
    type(row).objects.filter(pk=row.pk).update(current_task=task)
    row.current_task = task


# ---- quota and keys ---------------------------------------------------------------------


def set_quota(oss_user: OssUser, max_size_in_g: int, max_objects: int, *, actor):
    """SetOssUserQuota: queue setting (and enabling) the user quota; 409 while another
    operation runs on the user."""
    with transaction.atomic():
        lock_for_operation(oss_user)
        task = _user_task(oss_user, QUOTA_KIND, actor)
        enqueue(task, "portal.objectstorage.tasks.set_user_quota", max_size_in_g, max_objects)
    return task


def recover_key(oss_user: OssUser, *, rotate: bool, actor):
    """RecoverKey: queue reading the user's key from RGW, or (`rotate`) issuing a new one
    and revoking the others."""
    with transaction.atomic():
        lock_for_operation(oss_user)
        action = "rotate" if rotate else "recover"
        task = _user_task(oss_user, KEY_KIND, actor, action=action)
        enqueue(task, "portal.objectstorage.tasks.recover_key", rotate)
    return task


def _user_task(oss_user, kind, actor, action=""):
    task = create_task(
        kind,
        target_type="oss_user",
        target_id=oss_user.pk,
        tenant=oss_user.tenant,
        actor=actor,
        action=action,
    )
    _set_current_task(oss_user, task)
    return task
