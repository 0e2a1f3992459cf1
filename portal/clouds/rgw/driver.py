"""RgwDriver: one region's Ceph RGW (portal.clouds.base_object_storage.ObjectStorageAPI).

Users, keys, quotas and bucket stats go through the admin API with rgwadmin as the
store's admin user; buckets are made and read through S3 with boto3 as their owner.
rgwadmin pastes its arguments into the query string as they are, so every uid, name and
key passed to it is percent-encoded here (a space as %20, which RGW's signature check
expects; "+" would be taken for a plus sign).

Every call is bounded by the store's timeout (connect and read each) and tried once: a
Celery job retries a whole operation, not a half of it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import quote, urlencode, urlsplit

import boto3
from botocore.config import Config
from rgwadmin import RGWAdmin

from portal.clouds.base_object_storage import (
    CANNED_ACLS,
    BucketInfo,
    BucketPolicy,
    S3Key,
    S3Quota,
    S3UserInfo,
)
from portal.clouds.errors import (
    CloudBadRequest,
    CloudConflict,
    CloudError,
    CloudForbidden,
    CloudNotFound,
)
from portal.clouds.rgw.errors import translate_errors
from portal.clouds.rgw.messages import RgwMessages
from portal.clouds.rgw.policies import canned_acl

logger = logging.getLogger("portal.clouds.rgw")

# The caps the admin user needs for what this driver does (metadata: listing the users),
# with the perms RGW shows that grant them ("*" is read and write).
REQUIRED_CAPS = {
    "users": ("*", "read, write"),
    "buckets": ("*", "read, write"),
    "metadata": ("*", "read", "read, write"),
}
LIST_PAGE = 1000


def _q(value: str) -> str:
    return quote(value, safe="")


def _quota(raw: dict | None) -> S3Quota:
    raw = raw or {}
    return S3Quota(
        max_size_bytes=int(raw.get("max_size", -1)),
        max_objects=int(raw.get("max_objects", -1)),
        enabled=bool(raw.get("enabled", False)),
    )


def _created_at(raw: str | None) -> datetime | None:
    """RGW's "2026-12-04T17:27:11.114334Z" (UTC; older releases put a space for the T)."""
    if not raw:
        return None
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _bucket_info(raw: dict) -> BucketInfo:
    usage = raw.get("usage", {}).get("rgw.main", {})  # the objects; not multipart parts
    return BucketInfo(
        name=raw["bucket"],
        owner=raw.get("owner", ""),
        created_at=_created_at(raw.get("creation_time")),
        used_bytes=int(usage.get("size", 0)),
        used_objects=int(usage.get("num_objects", 0)),
        quota=_quota(raw.get("bucket_quota")),
    )


def _user_info(raw: dict) -> S3UserInfo:
    stats = raw.get("stats", {})
    return S3UserInfo(
        uid=raw["user_id"],
        display_name=raw.get("display_name", ""),
        keys=tuple(S3Key(k["access_key"], k["secret_key"]) for k in raw.get("keys", [])),
        quota=_quota(raw.get("user_quota")),
        used_bytes=int(stats.get("size", 0)),
        used_objects=int(stats.get("num_objects", 0)),
        suspended=bool(raw.get("suspended", 0)),
    )


def _missing_caps(info: dict) -> list[str]:
    """The caps the user lacks; none for a system user, whom RGW lets do everything."""
    if str(info.get("system")).lower() == "true":
        return []
    perms = {cap.get("type"): cap.get("perm", "") for cap in info.get("caps", [])}
    return [kind for kind, granting in REQUIRED_CAPS.items() if perms.get(kind) not in granting]


class RgwDriver:
    def __init__(self, store):
        url = urlsplit(store.admin_url)
        self._base_url = store.admin_url.rstrip("/")
        # RGW's admin API answers under /admin (below any path the URL has, e.g. a proxy's).
        self._admin_path = f"{url.path.strip('/')}/admin".lstrip("/")
        self._access_key = store.access_key
        timeout = store.timeout_seconds
        self._admin = RGWAdmin(
            store.access_key,
            store.secret_key,
            url.netloc,
            admin=self._admin_path,
            secure=url.scheme == "https",
            verify=store.verify_tls,
            timeout=(timeout, timeout),
            pool_connections=True,
        )
        self._verify_tls = store.verify_tls
        self._s3_config = Config(
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"total_max_attempts": 1},
            s3={"addressing_style": "path"},  # bucket names as paths: no wildcard DNS needed
        )
        self.s3_endpoint = store.s3_url

    def __repr__(self):
        return f"<RgwDriver {self._base_url}>"

    def _s3(self, key: S3Key):
        """An S3 client as a bucket's owner. It talks to the admin URL, which the workers
        reach; `s3_endpoint` is the address tenants are given and may be a public one."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self._base_url,
            aws_access_key_id=key.access_key,
            aws_secret_access_key=key.secret_key,
            region_name="us-east-1",  # RGW's default zonegroup accepts it for signing
            verify=self._verify_tls,
            config=self._s3_config,
        )

    def _admin_request(self, method: str, resource: str, params: dict) -> dict | None:
        """An admin call rgwadmin has no method for (or drops arguments of), signed by it."""
        query = urlencode(params, quote_via=quote)
        return self._admin.request(method, f"/{self._admin_path}/{resource}&format=json&{query}")

    # ----------------------------------------------------------------- check and users
    def check(self) -> None:
        with translate_errors("check"):
            # The admin user's own record: refused keys, missing caps and a dead RGW all
            # show here, and its caps tell whether it may manage users and buckets.
            info = self._admin.get_user(access_key=_q(self._access_key))
        missing = _missing_caps(info)
        if missing:
            logger.warning("RGW admin user %s lacks the caps %s", info["user_id"], missing)
            raise CloudForbidden(RgwMessages.NOT_ADMIN)

    def list_user_ids(self) -> list[str]:
        uids, marker = [], None
        with translate_errors("list_user_ids"):
            while True:
                page = self._admin.get_metadata("user", max_entries=LIST_PAGE, marker=marker)
                uids += page.get("keys", [])
                marker = page.get("marker")
                if str(page.get("truncated")).lower() != "true" or not marker:
                    return sorted(uids)

    def get_user(self, uid: str) -> S3UserInfo | None:
        try:
            with translate_errors("get_user"):
                # sync: the usage summed from the buckets now, not as last flushed
                return _user_info(self._admin.get_user(uid=_q(uid), stats=True, sync=True))
        except CloudNotFound:
            return None

    def create_user(self, uid: str, display_name: str, quota: S3Quota) -> S3UserInfo:
        try:
            with translate_errors("create_user"):
                self._admin.create_user(_q(uid), _q(display_name), generate_key=True)
        except CloudConflict as exc:
            raise CloudConflict(RgwMessages.USER_EXISTS(uid=uid), code="oss_user_exists") from exc
        try:
            self.set_user_quota(uid, quota)
        except CloudError:
            self._remove_user(uid)  # no user left without the quota it was meant to have
            raise
        return self.get_user(uid)

    def _remove_user(self, uid: str) -> None:
        try:
            with translate_errors("remove_user"):
                self._admin.remove_user(_q(uid), purge_data=True)
        except CloudError:
            logger.exception("RGW user %s could not be removed after a failed creation", uid)

    def set_user_quota(self, uid: str, quota: S3Quota) -> None:
        # Bytes as they are (max-size): rgwadmin only passes max-size-kb, which rounds.
        params = {
            "uid": uid,
            "quota-type": "user",
            "max-size": quota.max_size_bytes,
            "max-objects": quota.max_objects,
            "enabled": str(quota.enabled).lower(),
        }
        with translate_errors("set_user_quota"):
            self._admin_request("put", "user?quota", params)

    def create_key(self, uid: str) -> S3Key:
        with translate_errors("create_key"):
            before = {k["access_key"] for k in self._admin.get_user(uid=_q(uid))["keys"]}
            keys = self._admin.create_key(_q(uid), key_type="s3", generate_key=True)
        (new,) = [k for k in keys if k["access_key"] not in before]
        return S3Key(new["access_key"], new["secret_key"])

    def remove_key(self, uid: str, access_key: str) -> None:
        # RGW answers a key it does not know with InvalidAccessKeyId, the code of refused
        # admin keys too: so look first, and leave a key that is gone alone.
        user = self.get_user(uid)
        if user is None or access_key not in {key.access_key for key in user.keys}:
            return
        with translate_errors("remove_key"):
            self._admin.remove_key(_q(access_key), key_type="s3", uid=_q(uid))

    # ----------------------------------------------------------------- buckets
    def create_bucket(
        self, owner_key: S3Key, name: str, *, canned_acl: str = "private", policy_document: str = ""
    ) -> None:
        if canned_acl not in CANNED_ACLS:
            raise CloudBadRequest(RgwMessages.ACL_INVALID)
        # S3 lets the owner "create" its bucket again (200 with the same ACL, 409 with
        # another), so ask first: a name in use is "bucket_taken" whoever has it. A job
        # retried after a lost answer sees with get_bucket whether its bucket was made.
        taken = CloudConflict(RgwMessages.BUCKET_TAKEN(name=name), code="bucket_taken")
        if self.get_bucket(name) is not None:
            raise taken
        s3 = self._s3(owner_key)
        try:
            with translate_errors("create_bucket"):
                s3.create_bucket(Bucket=name, ACL=canned_acl)
        except CloudConflict as exc:  # made by someone else since
            raise taken from exc
        except CloudBadRequest as exc:
            raise CloudBadRequest(RgwMessages.BUCKET_NAME_INVALID(name=name)) from exc
        if policy_document:
            self._put_policy(s3, name, policy_document)

    def _put_policy(self, s3, name: str, document: str) -> None:
        """The policy document, or no bucket at all: a bucket without the policy asked for
        must not stay behind (it could be more open or more closed than intended)."""
        try:
            with translate_errors("put_bucket_policy"):
                s3.put_bucket_policy(Bucket=name, Policy=document)
        except CloudError as exc:
            try:
                with translate_errors("delete_bucket"):
                    s3.delete_bucket(Bucket=name)
            except CloudError:
                logger.exception("RGW bucket %s could not be removed after its policy failed", name)
            if isinstance(exc, CloudBadRequest):
                raise CloudBadRequest(RgwMessages.POLICY_REFUSED) from exc
            raise

    def get_bucket(self, name: str) -> BucketInfo | None:
        try:
            with translate_errors("get_bucket"):
                return _bucket_info(self._admin.get_bucket(bucket=_q(name), stats=True))
        except CloudNotFound:
            return None

    def list_buckets(self, uid: str) -> list[BucketInfo]:
        with translate_errors("list_buckets"):
            raw = self._admin.get_bucket(uid=_q(uid), stats=True)
        return sorted((_bucket_info(bucket) for bucket in raw or []), key=lambda b: b.name)

    def get_bucket_policy(self, owner_key: S3Key, name: str) -> BucketPolicy:
        s3 = self._s3(owner_key)
        with translate_errors("get_bucket_acl"):
            acl = s3.get_bucket_acl(Bucket=name)
        try:
            with translate_errors("get_bucket_policy"):
                document = s3.get_bucket_policy(Bucket=name)["Policy"]
        except CloudNotFound:
            document = ""  # NoSuchBucketPolicy: the bucket has none
        return BucketPolicy(canned_acl(acl["Owner"]["ID"], acl.get("Grants", [])), document)
