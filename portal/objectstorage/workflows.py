"""The object-storage flows the Celery jobs run (tasks.py), with the store's driver: make
a bucket (and its owner's S3 user on first use), set a user's quota, read or rotate its
key, check a store's connection, and pull the usage of every S3 user the portal knows.

Whatever a flow changed is read back from RGW and written to the rows, so every answer
shows what RGW holds (seed 004 rule 4)."""

from django.db import transaction
from django.utils import timezone

from portal.clouds.base_object_storage import UNLIMITED, S3Key, S3Quota, S3UserInfo
from portal.clouds.errors import CloudConflict, CloudNotFound
from portal.core.services import report_step
from portal.objectstorage.models import GB, Bucket, ObjectStore, OssUser
from portal.objectstorage.task_messages import OssMessages

BUCKET_FIELDS = [
    "used_bytes", "used_objects", "max_size_bytes", "max_objects", "quota_enabled",
    "cloud_created", "read_at",
]  # fmt: skip


def quota_of(max_size_in_g: int, max_objects: int) -> S3Quota:
    size = UNLIMITED if max_size_in_g < 0 else max_size_in_g * GB
    return S3Quota(max_size_bytes=size, max_objects=max_objects, enabled=True)


# ---- create a bucket (and its owner) -------------------------------------------------


def create_user_and_bucket(task, bucket: Bucket, driver) -> object:
    """Find or make the owner in RGW, make the bucket as its owner, read both back."""
    owner = bucket.owner
    key = _ensure_user(task, owner, driver)
    report_step(task, 50, OssMessages.CREATING_BUCKET(bucket=bucket.name))
    document = bucket.policy if bucket.policy.startswith("{") else ""
    canned_acl = "private" if document else bucket.policy
    driver.create_bucket(key, bucket.name, canned_acl=canned_acl, policy_document=document)
    report_step(task, 80, OssMessages.READING_BACK)
    with transaction.atomic():
        _read_bucket(bucket, driver, key)
        bucket.mark_created()
        bucket.save()
        refresh_user(owner, driver)
    return OssMessages.BUCKET_READY(bucket=bucket.name, uid=owner.uid)


def _ensure_user(task, owner: OssUser, driver) -> S3Key:
    """The key to make the bucket with: the S3 user's, made now when it is new. A user
    RGW has and the portal has no row of is taken over only if the portal made it for
    this tenant (its display name says so)."""
    report_step(task, 10, OssMessages.FINDING_USER(uid=owner.uid))
    info = driver.get_user(owner.uid)
    if owner.status == OssUser.Status.READY:
        if info is None:
            raise CloudNotFound(OssMessages.USER_GONE(uid=owner.uid))
        return _mirror_user(owner, info, driver)
    if info is None:
        report_step(task, 25, OssMessages.CREATING_USER(uid=owner.uid))
        quota = quota_of(owner.max_size_in_g, owner.max_objects)
        info = driver.create_user(owner.uid, owner.display_name, quota)
    elif info.display_name != owner.display_name:
        raise CloudConflict(OssMessages.USER_TAKEN(uid=owner.uid), code="oss_user_taken")
    key = _mirror_user(owner, info, driver)
    owner.mark_created()
    owner.save()
    return key


def _mirror_user(owner: OssUser, info: S3UserInfo, driver) -> S3Key:
    """Write what RGW holds of the user to its row; the key handed out stays the one the
    portal knows while RGW still has it, else the user's first (one is made if none)."""
    key = next((k for k in info.keys if k.access_key == owner.access_key), None)
    if key is None:
        key = info.keys[0] if info.keys else driver.create_key(owner.uid)
    owner.access_key, owner.secret_key = key.access_key, key.secret_key
    owner.display_name = info.display_name
    quota = info.quota
    owner.max_size_in_g = quota.max_size_bytes // GB if quota.max_size_bytes >= 0 else UNLIMITED
    owner.max_objects = quota.max_objects
    owner.quota_enabled = quota.enabled
    owner.used_bytes, owner.used_objects = info.used_bytes, info.used_objects
    owner.suspended = info.suspended
    owner.read_at, owner.missing_since = timezone.now(), None
    owner.total_buckets = Bucket.objects.filter(owner=owner, status=Bucket.Status.READY).count()
    return key


def refresh_user(owner: OssUser, driver) -> None:
    """Re-read the user from RGW and save its row."""
    info = driver.get_user(owner.uid)
    if info is None:
        raise CloudNotFound(OssMessages.USER_GONE(uid=owner.uid))
    _mirror_user(owner, info, driver)
    owner.save()


def _read_bucket(bucket: Bucket, driver, key: S3Key) -> None:
    info = driver.get_bucket(bucket.name)
    if info is None:
        raise CloudNotFound(OssMessages.BUCKET_GONE(bucket=bucket.name))
    _mirror_bucket(bucket, info)
    policy = driver.get_bucket_policy(key, bucket.name)
    bucket.acl, bucket.policy_document = policy.canned_acl, policy.document


def _mirror_bucket(bucket: Bucket, info) -> None:
    bucket.used_bytes, bucket.used_objects = info.used_bytes, info.used_objects
    bucket.max_size_bytes, bucket.max_objects = info.quota.max_size_bytes, info.quota.max_objects
    bucket.quota_enabled = info.quota.enabled
    bucket.cloud_created = info.created_at
    bucket.read_at = timezone.now()


# ---- quota and keys -------------------------------------------------------------------


def set_user_quota(task, owner: OssUser, driver, max_size_in_g: int, max_objects: int):
    report_step(task, 20, OssMessages.SETTING_QUOTA(uid=owner.uid))
    driver.set_user_quota(owner.uid, quota_of(max_size_in_g, max_objects))
    refresh_user(owner, driver)
    return OssMessages.QUOTA_SET(
        uid=owner.uid,
        size=OssMessages.UNLIMITED if max_size_in_g < 0 else max_size_in_g,
        objects=OssMessages.UNLIMITED if max_objects < 0 else max_objects,
    )


def recover_key(task, owner: OssUser, driver, rotate: bool):
    """Read the user's key as RGW has it; with `rotate`, issue a new key and revoke every
    other. The row always ends with what RGW holds, even when a revocation failed."""
    report_step(task, 20, OssMessages.READING_KEYS(uid=owner.uid))
    if not rotate:
        refresh_user(owner, driver)
        return OssMessages.KEY_READ(uid=owner.uid)
    report_step(task, 30, OssMessages.ROTATING(uid=owner.uid))
    new_key = driver.create_key(owner.uid)
    owner.access_key, owner.secret_key = new_key.access_key, new_key.secret_key
    try:
        report_step(task, 60, OssMessages.REVOKING)
        info = driver.get_user(owner.uid)
        for old in info.keys if info else ():
            if old.access_key != new_key.access_key:
                driver.remove_key(owner.uid, old.access_key)
    finally:
        refresh_user(owner, driver)
    return OssMessages.ROTATED(uid=owner.uid)


# ---- the connection check and the pull ------------------------------------------------


def check_store(task, store: ObjectStore, driver):
    report_step(task, 10, OssMessages.CHECKING(store=store.name))
    driver.check()
    return OssMessages.CHECK_PASSED(store=store.name)


def record_check(store: ObjectStore, error=None) -> None:
    ObjectStore.objects.filter(pk=store.pk).update(
        checked_at=timezone.now(),
        check_ok=error is None,
        check_code=getattr(error, "code", "")[:50] if error else "",
        check_message=str(getattr(error, "message", ""))[:500] if error else "",
    )


def sync_store(store: ObjectStore, driver, progress=None):
    """Re-read every S3 user the portal knows on the store and its buckets (adopting
    buckets the user made with its keys, dropping those RGW no longer has)."""
    owners = list(OssUser.objects.filter(store=store, status=OssUser.Status.READY))
    bucket_count = 0
    for done, owner in enumerate(owners, 1):
        info = driver.get_user(owner.uid)
        if info is None:
            OssUser.objects.filter(pk=owner.pk, missing_since=None).update(
                missing_since=timezone.now()
            )
            continue
        bucket_count += _sync_buckets(store, owner, driver.list_buckets(owner.uid))
        _mirror_user(owner, info, driver)
        owner.save()
        if progress:
            progress(100 * done // len(owners))
    return OssMessages.READ(users=len(owners), buckets=bucket_count)


def _sync_buckets(store, owner: OssUser, infos) -> int:
    """Upsert the user's buckets in bulk; remove the rows of buckets RGW no longer has."""
    now = timezone.now()
    rows = []
    for info in infos:
        row = Bucket(store=store, owner=owner, name=info.name, status=Bucket.Status.READY)
        _mirror_bucket(row, info)
        row.read_at = now
        rows.append(row)
    with transaction.atomic():
        Bucket.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["store", "name"],
            update_fields=[*BUCKET_FIELDS, "updated"],
        )
        Bucket.objects.filter(owner=owner, status=Bucket.Status.READY).exclude(
            name__in=[info.name for info in infos]
        ).delete()
    return len(rows)
