"""The RGW driver against a real Ceph RGW (scripts/ceph-lite; `make test-objectstorage`)."""

import json
import socket
import time

import pytest
from botocore.exceptions import ClientError

from portal.clouds.base_object_storage import UNLIMITED, S3Quota
from portal.clouds.errors import (
    CloudAuthFailed,
    CloudBadRequest,
    CloudConflict,
    CloudForbidden,
    CloudUnavailable,
)
from portal.clouds.rgw.driver import RgwDriver
from portal.clouds.tests.rgw_fixtures import purge_user, unique

pytestmark = pytest.mark.rgw
MB = 1024**2


def eventually(check, seconds=10):
    """RGW applies quotas and sums usage a moment late: retry `check` until it holds."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def public_read_policy(bucket):
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


# ------------------------------------------------------------------ check


def test_check_passes_for_the_admin_user(rgw_driver, make_rgw_store, ceph_lite):
    rgw_driver.check()
    RgwDriver(make_rgw_store(admin_url=ceph_lite["CEPH_LITE_URL"] + "/")).check()


def test_wrong_admin_secret_is_auth_failed(make_rgw_store):
    with pytest.raises(CloudAuthFailed):
        RgwDriver(make_rgw_store(secret_key="not-the-secret")).check()


def test_unknown_admin_key_is_auth_failed(make_rgw_store):
    with pytest.raises(CloudAuthFailed):
        RgwDriver(make_rgw_store(access_key="NOSUCHACCESSKEY00001")).check()


def test_user_without_admin_caps_is_forbidden(make_rgw_store, ceph_lite):
    store = make_rgw_store(
        access_key=ceph_lite["CEPH_LITE_PLAIN_ACCESS_KEY"],
        secret_key=ceph_lite["CEPH_LITE_PLAIN_SECRET_KEY"],
    )
    with pytest.raises(CloudForbidden):
        RgwDriver(store).check()


def test_admin_user_without_bucket_caps_is_forbidden(make_rgw_store, rgw_admin):
    """Its keys work and it may read users, but not manage buckets: check() says so."""
    uid = unique("halfadmin")
    created = rgw_admin.create_user(uid, "half-admin", user_caps="users=*;metadata=read")
    try:
        key = created["keys"][0]
        store = make_rgw_store(access_key=key["access_key"], secret_key=key["secret_key"])
        with pytest.raises(CloudForbidden):
            RgwDriver(store).check()
    finally:
        purge_user(rgw_admin, uid)


def test_closed_port_is_unavailable_at_once(make_rgw_store):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    driver = RgwDriver(make_rgw_store(admin_url=f"http://127.0.0.1:{port}", timeout_seconds=2))
    started = time.monotonic()
    with pytest.raises(CloudUnavailable):
        driver.check()
    assert time.monotonic() - started < 2 + 2


def test_silent_server_is_unavailable_within_the_timeout(make_rgw_store):
    """A socket that accepts connections (the kernel does) but never answers: the read
    timeout, not the test's, ends the call."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        store = make_rgw_store(admin_url=url, timeout_seconds=2)
        started = time.monotonic()
        with pytest.raises(CloudUnavailable):
            RgwDriver(store).check()
        elapsed = time.monotonic() - started
    assert 2 <= elapsed < 2 + 2


def test_ceph_lite_rgw_stopped_is_unavailable(rgw_store, ceph_lite_rgw_stopped):
    with pytest.raises(CloudUnavailable):
        RgwDriver(rgw_store).check()


# ------------------------------------------------------------------ users and keys


def test_create_user_with_quota(rgw_driver, make_rgw_user):
    quota = S3Quota(max_size_bytes=5 * MB + 123, max_objects=40, enabled=True)
    made = make_rgw_user(quota=quota)

    assert made.quota == quota  # in bytes, not rounded to KB
    assert len(made.keys) == 1
    assert made.keys[0].secret_key
    read = rgw_driver.get_user(made.uid)
    assert read.keys == made.keys
    assert read.quota == quota
    assert (read.used_bytes, read.used_objects, read.suspended) == (0, 0, False)
    assert made.uid in rgw_driver.list_user_ids()


def test_uid_with_unusual_characters(rgw_driver, make_rgw_user):
    made = make_rgw_user(prefix="a.b@c_d 1")
    assert rgw_driver.get_user(made.uid).uid == made.uid
    assert made.display_name == f"Test user {made.uid}"


def test_taken_uid_is_a_conflict(rgw_driver, make_rgw_user):
    made = make_rgw_user()
    with pytest.raises(CloudConflict) as caught:
        rgw_driver.create_user(made.uid, "again", S3Quota())
    assert caught.value.code == "oss_user_exists"


def test_missing_user_is_none(rgw_driver):
    assert rgw_driver.get_user(unique("nobody")) is None


def test_new_key_works_and_removed_key_fails(rgw_driver, make_rgw_user, s3_client):
    user = make_rgw_user()
    old = user.keys[0]
    new = rgw_driver.create_key(user.uid)

    assert new != old
    assert set(rgw_driver.get_user(user.uid).keys) == {old, new}
    s3_client(new).list_buckets()
    rgw_driver.remove_key(user.uid, old.access_key)
    rgw_driver.remove_key(user.uid, old.access_key)  # gone already: no error

    assert rgw_driver.get_user(user.uid).keys == (new,)
    with pytest.raises(ClientError) as refused:
        s3_client(old).list_buckets()
    assert refused.value.response["Error"]["Code"] == "InvalidAccessKeyId"
    s3_client(new).list_buckets()


def test_user_quota_is_enforced(rgw_driver, make_rgw_user, s3_client):
    user = make_rgw_user()
    key = user.keys[0]
    bucket = unique("quota")
    rgw_driver.create_bucket(key, bucket)
    s3 = s3_client(key)
    s3.put_object(Bucket=bucket, Key="first", Body=b"x" * MB)

    quota = S3Quota(max_size_bytes=MB, max_objects=UNLIMITED, enabled=True)
    rgw_driver.set_user_quota(user.uid, quota)
    assert rgw_driver.get_user(user.uid).quota.max_size_bytes == MB

    def refused():
        with pytest.raises(ClientError) as caught:
            s3.put_object(Bucket=bucket, Key="second", Body=b"y" * MB)
        assert caught.value.response["Error"]["Code"] == "QuotaExceeded"

    eventually(refused)


# ------------------------------------------------------------------ buckets


def test_private_and_public_read_buckets(rgw_driver, make_rgw_user):
    user = make_rgw_user()
    key = user.keys[0]
    private, public = unique("private"), unique("public")
    rgw_driver.create_bucket(key, private)
    rgw_driver.create_bucket(key, public, canned_acl="public-read")

    assert rgw_driver.get_bucket_policy(key, private).canned_acl == "private"
    assert rgw_driver.get_bucket_policy(key, public).canned_acl == "public-read"
    assert rgw_driver.get_bucket_policy(key, public).document == ""
    info = rgw_driver.get_bucket(private)
    assert info.owner == user.uid
    assert info.created_at.tzinfo is not None
    assert abs(time.time() - info.created_at.timestamp()) < 300


def test_bucket_with_policy_document(rgw_driver, make_rgw_user, s3_client):
    key = make_rgw_user().keys[0]
    bucket = unique("policy")
    rgw_driver.create_bucket(key, bucket, policy_document=public_read_policy(bucket))

    policy = rgw_driver.get_bucket_policy(key, bucket)
    assert policy.canned_acl == "private"
    assert json.loads(policy.document)["Statement"][0]["Action"] == "s3:GetObject"


def test_refused_policy_leaves_no_bucket(rgw_driver, make_rgw_user):
    key = make_rgw_user().keys[0]
    bucket = unique("badpolicy")
    document = public_read_policy(bucket).replace("s3:GetObject", "s3:NoSuchAction")
    with pytest.raises(CloudBadRequest):
        rgw_driver.create_bucket(key, bucket, policy_document=document)
    assert rgw_driver.get_bucket(bucket) is None


def test_bucket_name_taken_by_another_user(rgw_driver, make_rgw_user):
    first, second = make_rgw_user().keys[0], make_rgw_user().keys[0]
    bucket = unique("taken")
    rgw_driver.create_bucket(first, bucket)
    for key in (second, first):
        with pytest.raises(CloudConflict) as caught:
            rgw_driver.create_bucket(key, bucket)
        assert caught.value.code == "bucket_taken"


@pytest.mark.parametrize("name", ["Upper_Case", "ab", "bad name!"])
def test_invalid_bucket_name_is_a_bad_request(rgw_driver, make_rgw_user, name):
    with pytest.raises(CloudBadRequest):
        rgw_driver.create_bucket(make_rgw_user().keys[0], name)


def test_unknown_canned_acl_is_a_bad_request(rgw_driver, make_rgw_user):
    key = make_rgw_user().keys[0]
    with pytest.raises(CloudBadRequest):
        rgw_driver.create_bucket(key, unique("acl"), canned_acl="public-read-write")


def test_list_buckets_with_usage(rgw_driver, make_rgw_user, s3_client):
    user = make_rgw_user()
    key = user.keys[0]
    names = sorted([unique("b"), unique("a")])
    for name in names:
        rgw_driver.create_bucket(key, name)
    s3 = s3_client(key)
    s3.put_object(Bucket=names[0], Key="one", Body=b"1" * 1000)
    s3.put_object(Bucket=names[0], Key="two", Body=b"2" * 500)

    def usage_shows():
        buckets = rgw_driver.list_buckets(user.uid)
        assert [b.name for b in buckets] == names
        assert (buckets[0].used_bytes, buckets[0].used_objects) == (1500, 2)
        assert (buckets[1].used_bytes, buckets[1].used_objects) == (0, 0)
        read = rgw_driver.get_user(user.uid)
        assert (read.used_bytes, read.used_objects) == (1500, 2)

    eventually(usage_shows)


def test_missing_bucket_is_none(rgw_driver):
    assert rgw_driver.get_bucket(unique("nothere")) is None
    assert rgw_driver.list_buckets(unique("nobody")) == []
