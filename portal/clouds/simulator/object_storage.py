"""A region's Ceph RGW (base_object_storage.ObjectStorageAPI): S3 users with their keys
and user quota, and their buckets, kept as SimulatedObjects of the store's Cloud, with
RGW's refusals.

A user's `name` is its uid, a bucket's its name; the backend ids of both are derived from
those names, so the table's unique constraint refuses a second user of a uid or a second
bucket of a name even when two workers create them at once. A key's backend id is its
access key and its `parent_id` is its user, as a bucket's is its owner.

Besides the interface, delete_user and delete_bucket do what an operator may do in RGW
behind the portal's back (for tests of the pull). Without object writes, a bucket's usage
is what a test sets (testing.record_usage); the user quota is kept and reported but limits
nothing. Every public method first consumes the faults injected for "objects.<method>"
(faults.py; check() is told apart by the modes unavailable, timeout, auth_failed and
forbidden), then checks the store's admin keys.
"""

import hmac
import json
import re
import secrets
import string
import uuid
from dataclasses import asdict

from django.db import IntegrityError
from django.utils.translation import gettext as _

from portal.clouds import errors
from portal.clouds.base_object_storage import (
    CANNED_ACLS,
    BucketInfo,
    BucketPolicy,
    S3Key,
    S3Quota,
    S3UserInfo,
)
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.refusals import bad_request, not_found
from portal.clouds.simulator.service import Kind, SimulatedService, atomic

# RGW's generated keys: 20 characters of 0-9A-Z and a 40-character alphanumeric secret.
ACCESS_KEY_CHARS = string.ascii_uppercase + string.digits
SECRET_KEY_CHARS = string.ascii_letters + string.digits
_NAMESPACE = uuid.UUID("0c9d3f6e-2b7a-4e15-8f4d-6a1e9b3c5d27")
# RGW's valid_s3_bucket_name (rgw_relaxed_s3_bucket_names off), then looks_like_ip_address.
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_BAD_PERIODS = ("..", ".-", "-.")
_IPV4_LIKE = re.compile(r"\d+(\.\d+){3}")


def user_backend_id(uid: str) -> str:
    return uuid.uuid5(_NAMESPACE, f"s3_user:{uid}").hex


def bucket_backend_id(name: str) -> str:
    return uuid.uuid5(_NAMESPACE, f"bucket:{name}").hex


class StoreScope:
    """Who the driver acts as, in the place of the cloud services' Scope: the store's admin
    user. The simulator accepts any admin keys but blank ones, which RGW refuses."""

    is_admin = True
    project_id = ""  # what the store's objects are created with: they are no project's

    def __init__(self, store):
        self.store = store
        self.cloud = store.cloud

    def authenticate(self) -> None:
        if not (self.store.access_key and self.store.secret_key):
            raise errors.CloudAuthFailed(
                _("The object store %(store)s refused its admin keys.") % {"store": self.store}
            )


class SimulatedObjectStorage(SimulatedService):
    group = "objects"

    def __init__(self, store):
        super().__init__(StoreScope(store))
        self.s3_endpoint = store.s3_url

    def check(self) -> None:
        """Passes unless a fault is injected or the admin keys are blank (see above)."""

    # ---- users and keys (the admin API) --------------------------------------------

    def list_user_ids(self) -> list[str]:
        return list(self._all(Kind.S3_USER).order_by("name").values_list("name", flat=True))

    def get_user(self, uid: str) -> S3UserInfo | None:
        user = self._all(Kind.S3_USER).filter(name=uid).first()
        return None if user is None else self._user_info(user)

    def create_user(self, uid: str, display_name: str, quota: S3Quota) -> S3UserInfo:
        if not uid or not display_name:
            raise bad_request(_("An S3 user needs a user id and a display name."))
        data = {"display_name": display_name, "quota": asdict(quota), "suspended": False}
        try:
            with atomic():
                user = self._create(
                    Kind.S3_USER,
                    backend_id=user_backend_id(uid),
                    name=uid,
                    data=data,
                )
                self._new_key(user)
        except IntegrityError:
            raise errors.CloudConflict(
                _("The S3 user %(uid)s exists already.") % {"uid": uid}, code="oss_user_exists"
            ) from None
        return self._user_info(user)

    def set_user_quota(self, uid: str, quota: S3Quota) -> None:
        with atomic():
            user = self._user(self._all(Kind.S3_USER).select_for_update(), uid)
            user.data = {**user.data, "quota": asdict(quota)}
            user.save()

    def create_key(self, uid: str) -> S3Key:
        return self._new_key(self._user(self._all(Kind.S3_USER), uid))

    def remove_key(self, uid: str, access_key: str) -> None:
        keys = self._all(Kind.S3_KEY).filter(parent_id=user_backend_id(uid))
        keys.filter(backend_id=access_key).delete()

    # ---- buckets (S3 as their owner, and the admin API) ----------------------------

    def create_bucket(
        self, owner_key: S3Key, name: str, *, canned_acl: str = "private", policy_document: str = ""
    ) -> None:
        """A key RGW does not know (or a wrong secret) is CloudAuthFailed, as S3's 403
        InvalidAccessKeyId and SignatureDoesNotMatch; a suspended owner's is CloudForbidden."""
        owner = self._key_owner(owner_key)
        _check_bucket_name(name)
        if canned_acl not in CANNED_ACLS:
            raise bad_request(_("The canned ACL %(acl)s is not supported."), acl=canned_acl)
        if policy_document:
            _check_policy(policy_document)
        data = {
            "owner": owner.name,
            "canned_acl": canned_acl,
            "policy_document": policy_document,
            "used_bytes": 0,
            "used_objects": 0,
        }
        try:
            with atomic():
                self._create(
                    Kind.BUCKET,
                    backend_id=bucket_backend_id(name),
                    parent_id=owner.backend_id,
                    name=name,
                    data=data,
                )
        except IntegrityError:
            raise errors.CloudConflict(
                _("The bucket name %(name)s is taken: bucket names are shared by every user.")
                % {"name": name},
                code="bucket_taken",
            ) from None

    def get_bucket(self, name: str) -> BucketInfo | None:
        bucket = self._all(Kind.BUCKET).filter(name=name).first()
        return None if bucket is None else bucket_info(bucket)

    def list_buckets(self, uid: str) -> list[BucketInfo]:
        user = self._user(self._all(Kind.S3_USER), uid)
        buckets = self._all(Kind.BUCKET).filter(parent_id=user.backend_id).order_by("name")
        return [bucket_info(bucket) for bucket in buckets]

    def get_bucket_policy(self, owner_key: S3Key, name: str) -> BucketPolicy:
        """Refused as create_bucket refuses the key; another user's bucket is CloudForbidden
        (S3's AccessDenied)."""
        owner = self._key_owner(owner_key)
        bucket = self._all(Kind.BUCKET).filter(name=name).first()
        if bucket is None:
            raise not_found(_("bucket"), name)
        if bucket.parent_id != owner.backend_id:
            raise errors.CloudForbidden(
                _("Access to the bucket %(name)s is denied.") % {"name": name}
            )
        return BucketPolicy(bucket.data["canned_acl"], bucket.data["policy_document"])

    # ---- outside the interface: what operators do in RGW behind the portal's back ---

    def delete_user(self, uid: str) -> None:
        """`radosgw-admin user rm --purge-data`: the user with its keys and buckets."""
        user = self._user(self._all(Kind.S3_USER), uid)
        with atomic():
            self._all(Kind.S3_KEY).filter(parent_id=user.backend_id).delete()
            self._all(Kind.BUCKET).filter(parent_id=user.backend_id).delete()
            user.delete()

    def delete_bucket(self, name: str) -> None:
        """`radosgw-admin bucket rm --purge-objects`."""
        if not self._all(Kind.BUCKET).filter(name=name).delete()[0]:
            raise not_found(_("bucket"), name)

    # ---- helpers -------------------------------------------------------------------

    def _user(self, users, uid: str) -> SimulatedObject:
        """The user `uid` among `users`; CloudNotFound as RGW's NoSuchUser."""
        user = users.filter(name=uid).first()
        if user is None:
            raise not_found(_("S3 user"), uid)
        return user

    def _new_key(self, user: SimulatedObject) -> S3Key:
        key = S3Key(_random(ACCESS_KEY_CHARS, 20), _random(SECRET_KEY_CHARS, 40))
        # RGW hands the secret back in the user's info, so it is kept as it is.
        self._create(
            Kind.S3_KEY,
            backend_id=key.access_key,
            parent_id=user.backend_id,
            data={"secret_key": key.secret_key},
        )
        return key

    def _key_owner(self, key: S3Key) -> SimulatedObject:
        stored = self._all(Kind.S3_KEY).filter(backend_id=key.access_key).first()
        secret = stored.data["secret_key"].encode() if stored else b""
        if stored is None or not hmac.compare_digest(secret, key.secret_key.encode()):
            raise errors.CloudAuthFailed(
                _("The object store refused the S3 key %(key)s.") % {"key": key.access_key}
            )
        owner = self._all(Kind.S3_USER).get(backend_id=stored.parent_id)
        if owner.data["suspended"]:
            raise errors.CloudForbidden(
                _("The S3 user %(uid)s is suspended.") % {"uid": owner.name}
            )
        return owner

    def _user_info(self, user: SimulatedObject) -> S3UserInfo:
        keys = self._all(Kind.S3_KEY).filter(parent_id=user.backend_id).order_by("pk")
        buckets = list(self._all(Kind.BUCKET).filter(parent_id=user.backend_id))
        return S3UserInfo(
            uid=user.name,
            display_name=user.data["display_name"],
            keys=tuple(S3Key(key.backend_id, key.data["secret_key"]) for key in keys),
            quota=S3Quota(**user.data["quota"]),
            used_bytes=sum(bucket.data["used_bytes"] for bucket in buckets),
            used_objects=sum(bucket.data["used_objects"] for bucket in buckets),
            suspended=user.data["suspended"],
        )


def bucket_info(bucket: SimulatedObject) -> BucketInfo:
    return BucketInfo(
        name=bucket.name,
        owner=bucket.data["owner"],
        created_at=bucket.created,
        used_bytes=bucket.data["used_bytes"],
        used_objects=bucket.data["used_objects"],
    )


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _position in range(length))


def _check_bucket_name(name: str) -> None:
    valid = (
        _BUCKET_NAME.fullmatch(name)
        and not any(pair in name for pair in _BAD_PERIODS)
        and not _IPV4_LIKE.fullmatch(name)
    )
    if not valid:
        raise bad_request(
            _(
                "The bucket name %(name)s is not valid: 3 to 63 lowercase letters, digits, "
                "periods and hyphens, starting and ending with a letter or digit, not an IP "
                "address."
            ),
            name=name,
        )


def _check_policy(document: str) -> None:
    """What RGW's policy parser refuses first: anything but a JSON object with a list of
    statements."""
    try:
        policy = json.loads(document)
    except ValueError:
        policy = None
    if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), list):
        raise bad_request(_("The bucket policy is not a JSON policy with a Statement list."))
