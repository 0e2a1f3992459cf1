"""CreateUserAndBucket, GetBucketInfo, ListBucketsInfo, SetOssUserQuota and RecoverKey
through the API on the simulated RGW: what each answers and what RGW then holds; every
refusal and failure branch; what is left behind (nothing) when one fails."""

import json

import pytest
from django.urls import reverse

from portal.clouds.base_object_storage import S3Quota
from portal.clouds.simulator.faults import inject_fault
from portal.objectstorage.models import GB, Bucket, OssUser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

USERS = reverse("api:oss-user-list")
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::photos/*"],
        }
    ],
}


def user_url(uid, action=None, **kwargs):
    name = f"api:oss-user-{action}" if action else "api:oss-user-detail"
    return reverse(name, kwargs={"oss_uid": uid, **kwargs})


def create(client, body, expect=201):
    answer = client.post(USERS, body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def rows():
    return OssUser.objects.count(), Bucket.objects.count()


# ---- CreateUserAndBucket -------------------------------------------------------------


def test_create_answers_the_keys_user_and_bucket_as_rgw_holds_them(
    store, rgw, client_of_tenant, create_body, tenant
):
    answer = create(client_of_tenant, create_body())
    held = rgw.get_user("user-1")
    assert held.display_name == f"portal:{tenant.tenant_id}:user-1"
    assert [key.access_key for key in held.keys] == [answer["oss_access_key"]]
    assert held.keys[0].secret_key == answer["oss_secret_key"]
    assert answer["oss_endpoint"] == "http://s3.region-one.example"
    assert answer["task"]["state"] == "succeeded"
    user = answer["oss_user"]
    assert user["oss_uid"] == "user-1"
    assert user["region"] == "region-one"
    assert (user["user_max_size_in_g"], user["user_max_objects"]) == (50, 1000)
    assert held.quota.max_size_bytes == 50 * GB
    assert held.quota.max_objects == 1000
    assert user["user_quota_enabled"] is True
    assert held.quota.enabled
    assert user["total_buckets"] == 1
    assert user["portal_state"] == "ready"
    bucket = answer["oss_bucket"]
    assert bucket["bucket_name"] == "photos"
    assert bucket["oss_uid"] == "user-1"
    assert bucket["bucket_policy"] == bucket["bucket_acl"] == "private"
    created = rgw.get_bucket("photos").created_at.replace(microsecond=0)
    assert bucket["created_time"] == created.isoformat().replace("+00:00", "Z")
    assert rgw.get_bucket("photos").owner == "user-1"


def test_a_second_bucket_reuses_the_s3_user_and_its_keys(store, rgw, client_of_tenant, create_body):
    first = create(client_of_tenant, create_body())
    second = create(
        client_of_tenant, create_body(bucket_name="videos", bucket_policy="public-read")
    )
    assert second["oss_access_key"] == first["oss_access_key"]
    assert second["oss_secret_key"] == first["oss_secret_key"]
    assert second["oss_user"]["total_buckets"] == 2
    assert second["oss_bucket"]["bucket_acl"] == "public-read"
    assert [bucket.name for bucket in rgw.list_buckets("user-1")] == ["photos", "videos"]
    assert len(rgw.get_user("user-1").keys) == 1


def test_quotas_of_the_request_replace_the_store_defaults(
    store, rgw, client_of_tenant, create_body
):
    answer = create(client_of_tenant, create_body(user_max_size_in_g=5, user_max_objects=-1))
    assert (answer["oss_user"]["user_max_size_in_g"], answer["oss_user"]["user_max_objects"]) == (
        5,
        -1,
    )
    assert rgw.get_user("user-1").quota.max_size_bytes == 5 * GB


def test_a_json_policy_document_is_applied_and_reported(store, rgw, client_of_tenant, create_body):
    answer = create(client_of_tenant, create_body(bucket_policy=json.dumps(POLICY)))
    bucket = answer["oss_bucket"]
    assert json.loads(bucket["bucket_policy_document"]) == POLICY
    assert json.loads(bucket["bucket_policy"]) == POLICY
    assert bucket["bucket_acl"] == "private"
    key = rgw.get_user("user-1").keys[0]
    assert json.loads(rgw.get_bucket_policy(key, "photos").document) == POLICY


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("ab", "3 to 63"),
        ("Photos", "lower-case"),
        ("-photos", "lower-case"),
        ("my..photos", "side by side"),
        ("192.168.1.10", "IP address"),
        ("xn--photos", "reserved"),
        ("a" * 64, "3 to 63"),
    ],
)
def test_an_invalid_bucket_name_is_400_before_anything_is_made(
    store, rgw, client_of_tenant, create_body, name, fragment
):
    answer = client_of_tenant.post(USERS, create_body(bucket_name=name), format="json")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_bucket_name"
    assert fragment in error["fields"]["bucket_name"][0]
    assert rows() == (0, 0)
    assert rgw.get_user("user-1") is None


@pytest.mark.parametrize(
    ("policy", "fragment"),
    [
        ("public-read-write", "JSON policy document"),
        ("{not json", "not valid JSON"),
        ('{"Version": "2012-10-17"}', "no Statement"),
        (
            json.dumps({"Statement": [{**POLICY["Statement"][0], "Effect": "Maybe"}]}),
            "Allow or Deny",
        ),
        (
            json.dumps(
                {"Statement": [{**POLICY["Statement"][0], "Resource": "arn:aws:s3:::other/*"}]}
            ),
            "this bucket",
        ),
        (json.dumps({"Statement": [{**POLICY["Statement"][0], "Action": "iam:*"}]}), "S3 actions"),
    ],
)
def test_an_invalid_policy_is_400_before_anything_is_made(
    store, rgw, client_of_tenant, create_body, policy, fragment
):
    answer = client_of_tenant.post(USERS, create_body(bucket_policy=policy), format="json")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_bucket_policy"
    assert fragment in error["fields"]["bucket_policy"][0]
    assert rows() == (0, 0)


def test_an_unknown_storage_type_is_400(store, client_of_tenant, create_body):
    answer = client_of_tenant.post(USERS, create_body(storege_type="GLACIER"), format="json")
    assert answer.status_code == 400
    assert "storege_type" in answer.json()["error"]["fields"]


def test_a_region_without_object_storage_is_422(cloud, client_of_tenant, create_body):
    answer = client_of_tenant.post(USERS, create_body(), format="json")
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "no_object_store"


def test_a_bucket_name_the_portal_knows_is_409_at_once(
    store, client_of_tenant, other_tenant, platform_client, create_body
):
    create(client_of_tenant, create_body())
    body = create_body(tenant_id=other_tenant.tenant_id, platform_userid="user-2")
    answer = platform_client.post(USERS, body, format="json")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "bucket_taken"
    assert Bucket.objects.count() == 1


def test_a_bucket_name_taken_in_the_cluster_is_409_and_leaves_no_bucket_row(
    store, rgw, client_of_tenant, create_body
):
    outsider = rgw.create_user("outsider", "made outside the portal", S3Quota())
    rgw.create_bucket(outsider.keys[0], "photos")
    answer = client_of_tenant.post(USERS, create_body(), format="json")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "bucket_taken"
    assert not Bucket.objects.exists()
    # the S3 user was made before the bucket was refused: RGW has it, and so does the portal
    assert OssUser.objects.get(uid="user-1").status == OssUser.Status.READY
    assert rgw.get_user("user-1") is not None


def test_rgw_unavailable_is_503_and_leaves_nothing(store, rgw, client_of_tenant, create_body):
    inject_fault(store.cloud, "objects.create_user", mode="unavailable")
    answer = client_of_tenant.post(USERS, create_body(), format="json")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "unavailable"
    assert rows() == (0, 0)
    assert rgw.get_user("user-1") is None
    # and the next try works
    create(client_of_tenant, create_body())


def test_rgw_refusing_the_bucket_is_an_error_and_keeps_no_bucket(
    store, rgw, client_of_tenant, create_body
):
    inject_fault(store.cloud, "objects.create_bucket", mode="bad_request")
    answer = client_of_tenant.post(USERS, create_body(), format="json")
    assert answer.status_code == 400
    assert not Bucket.objects.exists()
    assert rgw.get_bucket("photos") is None


def test_an_rgw_user_the_portal_did_not_make_for_the_tenant_is_not_taken_over(
    store, rgw, client_of_tenant, create_body
):
    rgw.create_user("user-1", "someone else", S3Quota())
    answer = client_of_tenant.post(USERS, create_body(), format="json")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "oss_user_taken"
    assert rows() == (0, 0)


def test_an_rgw_user_the_portal_made_for_the_tenant_is_taken_over_with_its_key(
    store, rgw, client_of_tenant, create_body, tenant
):
    made = rgw.create_user("user-1", f"portal:{tenant.tenant_id}:user-1", S3Quota())
    answer = create(client_of_tenant, create_body())
    assert answer["oss_access_key"] == made.keys[0].access_key


def test_the_s3_user_of_another_tenant_is_409(
    store, client_of_tenant, other_tenant, create_body, platform_client
):
    create(client_of_tenant, create_body())
    body = create_body(
        bucket_name="theirs", tenant_id=other_tenant.tenant_id, platform_userid="user-1"
    )
    answer = platform_client.post(USERS, body, format="json")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "oss_user_taken"


def test_operators_name_the_tenant_and_platform_user(store, platform_client, tenant, create_body):
    answer = platform_client.post(USERS, create_body(), format="json")
    assert answer.status_code == 400
    body = create_body(tenant_id=tenant.tenant_id, platform_userid="ops-made")
    assert create(platform_client, body)["oss_user"]["oss_uid"] == "ops-made"


def test_a_tenant_cannot_create_for_another_platform_user(store, client_of_tenant, create_body):
    answer = client_of_tenant.post(USERS, create_body(platform_userid="user-2"), format="json")
    assert answer.status_code == 400
    assert "platform_userid" in answer.json()["error"]["fields"]


def test_wait_zero_answers_202_without_keys(store, client_of_tenant, create_body):
    answer = client_of_tenant.post(f"{USERS}?wait=0", create_body(), format="json")
    assert answer.status_code == 202
    body = answer.json()
    assert body["oss_access_key"] is None
    assert body["oss_secret_key"] is None
    assert body["task"]["task_id"]


def test_a_second_create_while_the_user_is_being_made_is_409(
    store, tenant, client_of_tenant, create_body
):
    OssUser.objects.create(store=store, tenant=tenant, uid="user-1")
    answer = client_of_tenant.post(USERS, create_body(), format="json")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "locked"
