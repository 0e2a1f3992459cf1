"""An S3 user's reads (the user, its buckets, one bucket), its quota and its key, through
the API on the simulated RGW; and that a tenant reaches only its own S3 users."""

import pytest
from django.urls import reverse

from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.testing import record_usage
from portal.objectstorage.models import GB, OssUser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

USERS = reverse("api:oss-user-list")


def user_url(uid, action=None, **kwargs):
    name = f"api:oss-user-{action}" if action else "api:oss-user-detail"
    return reverse(name, kwargs={"oss_uid": uid, **kwargs})


@pytest.fixture
def made(store, client_of_tenant):
    """user-1 of the tenant with buckets b-0 .. b-4; the create answer of the first."""
    answers = []
    for number in range(5):
        answer = client_of_tenant.post(USERS, {"bucket_name": f"b-{number}"}, format="json")
        assert answer.status_code == 201, answer.content
        answers.append(answer.json())
    return answers[0]


def test_get_the_user(made, client_of_tenant):
    answer = client_of_tenant.get(user_url("user-1"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["oss_uid"] == "user-1"
    assert body["total_buckets"] == 5
    assert "secret" not in str(body).lower()


def test_list_buckets_pages_them_by_name(made, client_of_tenant):
    answer = client_of_tenant.get(user_url("user-1", "buckets"), {"page_size": 2, "page_number": 2})
    assert answer.status_code == 200
    body = answer.json()
    assert [bucket["bucket_name"] for bucket in body["oss_buckets"]] == ["b-2", "b-3"]
    assert body["count"] == 5


def test_list_buckets_takes_a_constant_number_of_queries(
    made, client_of_tenant, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        answer = client_of_tenant.get(user_url("user-1", "buckets"), {"page_size": 100})
    assert len(answer.json()["oss_buckets"]) == 5


def test_list_users_takes_a_constant_number_of_queries(
    made, client_of_tenant, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        answer = client_of_tenant.get(USERS)
    assert [user["oss_uid"] for user in answer.json()["oss_users"]] == ["user-1"]


def test_get_a_bucket_and_its_usage_after_a_pull(made, client_of_tenant, store, sync_now):
    record_usage(store, "b-1", used_bytes=3 * GB + 5, used_objects=42)
    sync_now("objectstorage.sync", store.cloud)
    answer = client_of_tenant.get(user_url("user-1", "bucket", bucket_name="b-1"))
    assert answer.status_code == 200
    bucket = answer.json()
    assert (bucket["size_bytes"], bucket["object_count"]) == (3 * GB + 5, 42)
    assert bucket["bucket_policy"] == "private"
    assert bucket["created_time"]
    user = client_of_tenant.get(user_url("user-1")).json()
    assert (user["user_use_bytes"], user["user_use_objects"]) == (3 * GB + 5, 42)
    assert user["user_use_size_in_g"] == 4


def test_an_unknown_bucket_is_404(made, client_of_tenant):
    answer = client_of_tenant.get(user_url("user-1", "bucket", bucket_name="nope"))
    assert answer.status_code == 404


# ---- quota -------------------------------------------------------------------------------


def test_set_quota_answers_the_user_as_rgw_reports_it(made, client_of_tenant, rgw):
    body = {"user_max_size_in_g": 200, "user_max_objects": 5000}
    answer = client_of_tenant.put(user_url("user-1", "quota"), body, format="json")
    assert answer.status_code == 200, answer.content
    user = answer.json()
    assert (user["user_max_size_in_g"], user["user_max_objects"]) == (200, 5000)
    assert user["user_quota_enabled"] is True
    assert user["task"]["state"] == "succeeded"
    quota = rgw.get_user("user-1").quota
    assert (quota.max_size_bytes, quota.max_objects, quota.enabled) == (200 * GB, 5000, True)
    assert OssUser.objects.get(uid="user-1").locked is False


@pytest.mark.parametrize(
    "body",
    [
        {"user_max_size_in_g": -2, "user_max_objects": 10},
        {"user_max_size_in_g": 10},
        {"user_max_size_in_g": "lots", "user_max_objects": 10},
    ],
)
def test_a_bad_quota_is_400(made, client_of_tenant, rgw, body):
    answer = client_of_tenant.put(user_url("user-1", "quota"), body, format="json")
    assert answer.status_code == 400
    assert rgw.get_user("user-1").quota.max_size_bytes == 50 * GB


def test_a_quota_change_while_another_operation_runs_is_409(made, client_of_tenant):
    OssUser.objects.filter(uid="user-1").update(locked=True)
    body = {"user_max_size_in_g": 1, "user_max_objects": 1}
    answer = client_of_tenant.put(user_url("user-1", "quota"), body, format="json")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "locked"


def test_rgw_down_during_a_quota_change_is_503_and_unlocks(made, client_of_tenant, store, rgw):
    inject_fault(store.cloud, "objects.set_user_quota", mode="unavailable")
    body = {"user_max_size_in_g": 1, "user_max_objects": 1}
    answer = client_of_tenant.put(user_url("user-1", "quota"), body, format="json")
    assert answer.status_code == 503
    assert rgw.get_user("user-1").quota.max_size_bytes == 50 * GB
    user = OssUser.objects.get(uid="user-1")
    assert (user.locked, user.max_size_in_g) == (False, 50)


# ---- keys --------------------------------------------------------------------------------


def test_recover_key_answers_the_current_key(made, client_of_tenant, rgw):
    answer = client_of_tenant.post(user_url("user-1", "recover-key"), {}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    key = rgw.get_user("user-1").keys[0]
    assert (body["oss_access_key"], body["oss_secret_key"]) == (key.access_key, key.secret_key)
    assert body["oss_endpoint"] == "http://s3.region-one.example"


def test_a_key_changed_outside_the_portal_is_what_recover_answers(made, client_of_tenant, rgw):
    old = rgw.get_user("user-1").keys[0]
    new = rgw.create_key("user-1")
    rgw.remove_key("user-1", old.access_key)
    body = client_of_tenant.post(user_url("user-1", "recover-key"), {}, format="json").json()
    assert (body["oss_access_key"], body["oss_secret_key"]) == (new.access_key, new.secret_key)


def test_rotate_issues_a_new_key_and_revokes_the_old(made, client_of_tenant, rgw):
    answer = client_of_tenant.post(
        user_url("user-1", "recover-key"), {"rotate": True}, format="json"
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["oss_access_key"] != made["oss_access_key"]
    assert [key.access_key for key in rgw.get_user("user-1").keys] == [body["oss_access_key"]]
    again = client_of_tenant.post(user_url("user-1", "recover-key"), {}, format="json").json()
    assert again["oss_secret_key"] == body["oss_secret_key"]


def test_a_rotation_whose_revocation_fails_keeps_the_new_key(made, client_of_tenant, store, rgw):
    inject_fault(store.cloud, "objects.remove_key", mode="unavailable")
    answer = client_of_tenant.post(
        user_url("user-1", "recover-key"), {"rotate": True}, format="json"
    )
    assert answer.status_code == 503
    held = [key.access_key for key in rgw.get_user("user-1").keys]
    user = OssUser.objects.get(uid="user-1")
    assert len(held) == 2
    assert user.access_key in held
    assert user.access_key != made["oss_access_key"]
    assert not user.locked


def test_the_secret_key_is_stored_encrypted(made):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_key FROM objectstorage_ossuser")
        (stored,) = cursor.fetchone()
    assert made["oss_secret_key"] not in stored


# ---- tenants never see each other --------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "action", "extra", "body"),
    [
        ("get", None, {}, None),
        ("get", "buckets", {}, None),
        ("get", "bucket", {"bucket_name": "b-0"}, None),
        ("put", "quota", {}, {"user_max_size_in_g": 1, "user_max_objects": 1}),
        ("post", "recover-key", {}, {"rotate": True}),
    ],
)
def test_another_tenant_gets_404_for_every_endpoint(
    made, client_of_other_tenant, rgw, method, action, extra, body
):
    call = getattr(client_of_other_tenant, method)
    answer = call(user_url("user-1", action, **extra), body, format="json")
    assert answer.status_code == 404
    assert len(rgw.get_user("user-1").keys) == 1
    assert rgw.get_user("user-1").quota.max_size_bytes == 50 * GB


def test_another_tenant_lists_none_of_them(made, client_of_other_tenant):
    assert client_of_other_tenant.get(USERS).json()["oss_users"] == []


def test_operators_see_every_tenants_users(made, platform_client):
    assert [user["oss_uid"] for user in platform_client.get(USERS).json()["oss_users"]] == [
        "user-1"
    ]
