"""The OSS API against the real Ceph RGW of scripts/ceph-lite (`make test-objectstorage`):
a tenant gets an S3 user and bucket, writes to it with the returned keys, has its quota
set and sees RGW refuse the write past it, lists its buckets page by page, recovers and
rotates its key (the old key then fails, the new one works); RGW stopped and bad admin
keys fail clearly."""

import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from django.urls import reverse
from rest_framework.test import APIClient

from portal.clouds.tests.rgw_fixtures import purge_user, unique
from portal.objectstorage.models import Bucket, ObjectStore, OssUser
from portal.tenants.tests.factories import make_tenant_key

pytestmark = [
    pytest.mark.rgw,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("run_commit_hooks"),
]

USERS = reverse("api:oss-user-list")
MB = 1024 * 1024


def user_url(uid, action=None, **kwargs):
    name = f"api:oss-user-{action}" if action else "api:oss-user-detail"
    return reverse(name, kwargs={"oss_uid": uid, **kwargs})


@pytest.fixture
def store(cloud, make_rgw_store):
    store = make_rgw_store(cloud=cloud, default_max_size_in_g=1, default_max_objects=-1)
    store.save()
    return store


@pytest.fixture
def uid(store, tenant, rgw_admin):
    """A platform user of the tenant new to the cluster; its S3 user is purged after."""
    name = unique("pu")
    yield name
    purge_user(rgw_admin, name)


def s3_as(endpoint, access_key, secret_key):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=10),
    )


def client_for(tenant, uid):
    """The tenant's API client, calling as platform user `uid`."""
    _, key = make_tenant_key(tenant)
    return APIClient(
        HTTP_AUTHORIZATION=f"Api-Key {key}",
        HTTP_X_TENANT_ID=tenant.tenant_id,
        HTTP_X_PLATFORM_USER_ID=uid,
    )


def test_a_tenant_gets_an_s3_user_and_bucket_and_uses_them(store, tenant, uid):
    client = client_for(tenant, uid)
    answer = client.post(USERS, {"bucket_name": f"{uid}-photos"}, format="json")
    assert answer.status_code == 201, answer.content
    made = answer.json()
    s3 = s3_as(made["oss_endpoint"], made["oss_access_key"], made["oss_secret_key"])
    s3.put_object(Bucket=f"{uid}-photos", Key="hello.txt", Body=b"hello, object storage")
    body = s3.get_object(Bucket=f"{uid}-photos", Key="hello.txt")["Body"].read()
    assert body == b"hello, object storage"
    assert made["oss_user"]["user_max_size_in_g"] == 1
    assert made["oss_bucket"]["bucket_acl"] == "private"
    assert made["oss_bucket"]["created_time"]

    # the quota: set, read back from RGW, and enforced by RGW on the next write past it
    quota = {"user_max_size_in_g": 1, "user_max_objects": 2}
    answer = client.put(user_url(uid, "quota"), quota, format="json")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["user_max_objects"], answer.json()["user_quota_enabled"]) == (2, True)
    s3.put_object(Bucket=f"{uid}-photos", Key="second.txt", Body=b"2")
    assert_refused_past_quota(s3, f"{uid}-photos")

    # raised again: writes work
    raised = {"user_max_size_in_g": 10, "user_max_objects": -1}
    assert client.put(user_url(uid, "quota"), raised, format="json").status_code == 200
    write_when_allowed(s3, f"{uid}-photos", "third.txt")


def assert_refused_past_quota(s3, bucket):
    """RGW enforces a user quota about a second late: retry until it refuses."""
    for attempt in range(20):
        try:
            s3.put_object(Bucket=bucket, Key=f"over-{attempt}.txt", Body=b"x")
        except ClientError as exc:
            refused = exc.response["Error"]["Code"]
            break
        time.sleep(0.5)
    else:
        pytest.fail("RGW never refused a write past the quota")
    assert refused == "QuotaExceeded"


def write_when_allowed(s3, bucket, key):
    for _attempt in range(20):
        try:
            s3.put_object(Bucket=bucket, Key=key, Body=b"x")
            return
        except ClientError:
            time.sleep(0.5)
    pytest.fail("RGW still refused writes after the quota was raised")


def test_buckets_are_listed_page_by_page_with_their_usage(store, tenant, uid, sync_now):
    client = client_for(tenant, uid)
    names = [f"{uid}-b{number}" for number in range(3)]
    for name in names:
        answer = client.post(USERS, {"bucket_name": name}, format="json")
        assert answer.status_code == 201, answer.content
    made = answer.json()
    s3 = s3_as(made["oss_endpoint"], made["oss_access_key"], made["oss_secret_key"])
    s3.put_object(Bucket=names[0], Key="a", Body=b"x" * MB)
    sync_now("objectstorage.sync", store.cloud)
    first = client.get(user_url(uid, "buckets"), {"page_size": 2, "page_number": 1}).json()
    second = client.get(user_url(uid, "buckets"), {"page_size": 2, "page_number": 2}).json()
    listed = [bucket["bucket_name"] for bucket in first["oss_buckets"] + second["oss_buckets"]]
    assert listed == names
    assert first["count"] == 3
    bucket = client.get(user_url(uid, "bucket", bucket_name=names[0])).json()
    assert (bucket["object_count"], bucket["size_bytes"]) == (1, MB)


def test_recover_and_rotate_the_key(store, tenant, uid):
    client = client_for(tenant, uid)
    made = client.post(USERS, {"bucket_name": f"{uid}-keys"}, format="json").json()
    recovered = client.post(user_url(uid, "recover-key"), {}, format="json").json()
    assert (recovered["oss_access_key"], recovered["oss_secret_key"]) == (
        made["oss_access_key"],
        made["oss_secret_key"],
    )
    answer = client.post(user_url(uid, "recover-key"), {"rotate": True}, format="json")
    assert answer.status_code == 200, answer.content
    rotated = answer.json()
    assert rotated["oss_access_key"] != made["oss_access_key"]
    new = s3_as(made["oss_endpoint"], rotated["oss_access_key"], rotated["oss_secret_key"])
    new.put_object(Bucket=f"{uid}-keys", Key="k", Body=b"new key works")
    old = s3_as(made["oss_endpoint"], made["oss_access_key"], made["oss_secret_key"])
    with pytest.raises(ClientError) as refused:
        old.list_objects_v2(Bucket=f"{uid}-keys")
    assert refused.value.response["Error"]["Code"] == "InvalidAccessKeyId"


def test_a_name_taken_in_the_cluster_is_409(store, tenant, uid, other_tenant, rgw_admin):
    client = client_for(tenant, uid)
    assert client.post(USERS, {"bucket_name": f"{uid}-x"}, format="json").status_code == 201
    Bucket.objects.filter(name=f"{uid}-x").delete()  # the portal forgets it; RGW does not
    other_uid = f"{uid}-other"
    try:
        answer = client_for(other_tenant, other_uid).post(
            USERS, {"bucket_name": f"{uid}-x"}, format="json"
        )
        assert answer.status_code == 409
        assert answer.json()["error"]["code"] == "bucket_taken"
    finally:
        purge_user(rgw_admin, other_uid)


def test_rgw_stopped_is_unavailable_within_the_timeout(store, tenant, uid, ceph_lite_rgw_stopped):
    client = client_for(tenant, uid)
    started = time.monotonic()
    answer = client.post(USERS, {"bucket_name": f"{uid}-down"}, format="json")
    assert time.monotonic() - started < store.timeout_seconds * 3 + 5
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "unavailable"
    assert not OssUser.objects.filter(uid=uid).exists()


def test_bad_admin_keys_fail_the_task_clearly(store, tenant, uid):
    ObjectStore.objects.filter(pk=store.pk).update(secret_key="not-the-secret")
    answer = client_for(tenant, uid).post(USERS, {"bucket_name": f"{uid}-bad"}, format="json")
    assert answer.status_code == 502
    error = answer.json()["error"]
    assert error["code"] == "cloud_auth_failed"
    assert "not-the-secret" not in error["message"]
    assert not OssUser.objects.filter(uid=uid).exists()
