"""Object storage in the admin, on the simulated RGW: the pages of stores, S3 users and
buckets; a store's write-only secret, its connection test and refused deletion; the
forms of an S3 user (create a bucket, set the quota, rotate the key), which go through
the request side and queue its Tasks."""

import pytest
from django.urls import reverse

from portal.clouds.simulator.faults import inject_fault
from portal.clouds.tests.factories import CloudFactory
from portal.core.models import Task
from portal.core.tests.factories import TaskFactory
from portal.objectstorage.models import GB, Bucket, ObjectStore, OssUser
from portal.objectstorage.tests.factories import (
    BucketFactory,
    ObjectStoreFactory,
    OssUserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

CREATE = reverse("admin:objectstorage_ossuser_create")


@pytest.fixture
def oss_store(cloud):
    return ObjectStoreFactory(cloud=cloud, default_max_size_in_g=50, default_max_objects=1000)


@pytest.fixture
def made(admin_client, oss_store, tenant):
    """S3 user "alice" of the tenant, made in the simulated RGW with bucket "photos"."""
    answer = admin_client.post(CREATE, create_body(tenant, oss_store))
    assert answer.status_code == 302, answer.content
    return OssUser.objects.get(uid="alice")


def create_body(tenant, store, **changes):
    return {
        "tenant": tenant.pk,
        "platform_userid": "alice",
        "store": store.pk,
        "bucket_name": "photos",
        "bucket_policy": "private",
        "user_max_size_in_g": "",
        "user_max_objects": "",
        **changes,
    }


def user_url(name, oss_user):
    return reverse(f"admin:objectstorage_ossuser_{name}", args=[oss_user.pk])


def page_urls(store, oss_user, bucket):
    return [
        reverse("admin:objectstorage_objectstore_changelist"),
        reverse("admin:objectstorage_objectstore_add"),
        reverse("admin:objectstorage_objectstore_change", args=[store.pk]),
        reverse("admin:objectstorage_ossuser_changelist"),
        user_url("change", oss_user),
        CREATE,
        user_url("quota", oss_user),
        user_url("rotate", oss_user),
        reverse("admin:objectstorage_bucket_changelist"),
        reverse("admin:objectstorage_bucket_change", args=[bucket.pk]),
    ]


# ---- pages -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_renders_for_staff(admin_client, oss_store, language):
    bucket = BucketFactory(owner=OssUserFactory(store=oss_store))
    for url in page_urls(oss_store, bucket.owner, bucket):
        page = admin_client.get(url, headers={"accept-language": language})
        assert page.status_code == 200, url


def test_non_staff_are_sent_to_the_login(client, django_user_model, oss_store):
    user = django_user_model.objects.create_user("someone", "s@example.com", "pw")
    client.force_login(user)
    bucket = BucketFactory(owner=OssUserFactory(store=oss_store))
    for url in page_urls(oss_store, bucket.owner, bucket):
        answer = client.get(url)
        assert answer.status_code == 302, url
        assert answer["Location"].startswith(reverse("admin:login"))
    assert client.post(CREATE, {}).status_code == 302
    assert not Task.objects.exists()


def test_the_users_page_shows_usage_buckets_and_operations(admin_client, oss_store):
    oss_user = OssUserFactory(store=oss_store, used_bytes=20 * GB, max_size_in_g=50)
    BucketFactory(owner=oss_user, name="logs", acl="public-read", used_objects=7)
    BucketFactory(owner=oss_user, name="docs", policy_document='{"Statement": []}')
    body = admin_client.get(user_url("change", oss_user)).content.decode()
    assert "20.0 of 50 GB (40%)" in body
    assert "300 of 1000 (30%)" in body
    assert body.index(">docs<") < body.index(">logs<")
    assert "public-read" in body
    assert "{&quot;Statement&quot;: []}" in body
    assert user_url("quota", oss_user) in body
    assert user_url("rotate", oss_user) in body
    assert "Secret keys are never shown here" in body
    assert "user-secret" not in body


def test_a_bucket_being_made_shows_its_progress(admin_client, oss_store):
    oss_user = OssUserFactory(store=oss_store)
    task = TaskFactory(kind="objectstorage.create", state=Task.State.RUNNING, progress=50)
    BucketFactory(owner=oss_user, name="new", status=Bucket.Status.CREATING, current_task=task)
    body = admin_client.get(user_url("change", oss_user)).content.decode()
    assert f'data-task-id="{task.pk}" data-state="running"' in body


def test_an_unlimited_quota_is_shown_as_such(admin_client, oss_store):
    OssUserFactory(store=oss_store, max_size_in_g=-1, used_bytes=GB)
    body = admin_client.get(reverse("admin:objectstorage_ossuser_changelist")).content.decode()
    assert "1.0 GB (unlimited)" in body


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:objectstorage_objectstore_changelist",
        "admin:objectstorage_ossuser_changelist",
        "admin:objectstorage_bucket_changelist",
    ],
)
def test_lists_of_20_rows_take_few_queries(admin_client, django_assert_max_num_queries, changelist):
    for _ in range(20):
        store = ObjectStoreFactory()
        BucketFactory(owner=OssUserFactory(store=store), store=store)
    with django_assert_max_num_queries(10):
        page = admin_client.get(reverse(changelist))
    assert page.status_code == 200
    assert len(page.context["cl"].result_list) == 20


# ---- the S3 user's forms -------------------------------------------------------------


def test_create_bucket_makes_the_user_and_leads_to_its_page(admin_client, oss_store, tenant):
    answer = admin_client.post(CREATE, create_body(tenant, oss_store, user_max_size_in_g=7))
    oss_user = OssUser.objects.get(uid="alice")
    assert answer["Location"] == user_url("change", oss_user)
    task = oss_user.current_task
    assert (task.kind, task.state) == ("objectstorage.create", Task.State.SUCCEEDED)
    assert (oss_user.status, oss_user.tenant, oss_user.max_size_in_g) == ("ready", tenant, 7)
    assert Bucket.objects.get(name="photos").status == Bucket.Status.READY
    page = admin_client.get(answer["Location"]).content.decode()
    assert 'class="task-progress"' in page
    assert ">photos<" in page


def test_create_bucket_with_a_json_policy(admin_client, oss_store, tenant):
    policy = (
        '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",'
        ' "Resource": "arn:aws:s3:::photos/*"}]}'
    )
    answer = admin_client.post(CREATE, create_body(tenant, oss_store, bucket_policy=policy))
    assert answer.status_code == 302
    assert Bucket.objects.get(name="photos").policy_document


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"bucket_name": "No_Such"}, "lower-case letters"),
        ({"bucket_policy": "everyone"}, "or a JSON policy document"),
    ],
)
def test_create_bucket_shows_what_is_wrong(admin_client, oss_store, tenant, changes, sentence):
    answer = admin_client.post(CREATE, create_body(tenant, oss_store, **changes))
    assert answer.status_code == 200
    assert sentence in answer.content.decode()
    assert not Task.objects.exists()
    assert not OssUser.objects.exists()


def test_a_taken_bucket_name_is_refused(admin_client, made, oss_store, other_tenant):
    answer = admin_client.post(CREATE, create_body(other_tenant, oss_store, platform_userid="bob"))
    assert answer.status_code == 200
    assert "The bucket name photos is taken in this region." in answer.content.decode()
    assert Task.objects.count() == 1


def test_set_quota_queues_the_task_and_rgw_takes_it(admin_client, made):
    answer = admin_client.post(user_url("quota", made), {"max_size_in_g": 5, "max_objects": -1})
    assert answer["Location"] == user_url("change", made)
    made.refresh_from_db()
    task = made.current_task
    assert (task.kind, task.state) == ("objectstorage.quota", Task.State.SUCCEEDED)
    assert (made.max_size_in_g, made.max_objects, made.locked) == (5, -1, False)


def test_set_quota_while_locked_shows_the_conflict(admin_client, oss_store):
    oss_user = OssUserFactory(store=oss_store, locked=True)
    answer = admin_client.post(user_url("quota", oss_user), {"max_size_in_g": 5, "max_objects": 9})
    assert answer.status_code == 200
    sentence = f"Another operation is running on S3 user {oss_user.uid}; try again when it ends."
    assert sentence in answer.content.decode()
    assert not Task.objects.exists()


def test_set_quota_checks_the_figures(admin_client, made):
    form = admin_client.get(user_url("quota", made)).content.decode()
    assert 'value="50"' in form  # the store's default, as RGW holds it
    answer = admin_client.post(user_url("quota", made), {"max_size_in_g": -2, "max_objects": 1})
    assert answer.status_code == 200
    assert "errorlist" in answer.content.decode()
    assert Task.objects.count() == 1


def test_rotate_key_issues_a_new_key_and_shows_no_secret(admin_client, made):
    old_key = made.access_key
    confirm = admin_client.get(user_url("rotate", made)).content.decode()
    assert "every previous key of this S3 user is revoked" in confirm
    answer = admin_client.post(user_url("rotate", made))
    assert answer["Location"] == user_url("change", made)
    made.refresh_from_db()
    task = made.current_task
    assert (task.kind, task.action, task.state) == ("objectstorage.key", "rotate", "succeeded")
    assert made.access_key != old_key
    page = admin_client.get(answer["Location"]).content.decode()
    assert made.secret_key not in page


def test_a_failed_task_shows_on_the_users_page(admin_client, oss_store):
    """A row RGW does not have: the quota Task fails, and its page says why."""
    oss_user = OssUserFactory(store=oss_store)
    admin_client.post(user_url("quota", oss_user), {"max_size_in_g": 5, "max_objects": 9})
    oss_user.refresh_from_db()
    assert oss_user.current_task.state == Task.State.FAILED
    page = admin_client.get(user_url("change", oss_user)).content.decode()
    assert 'data-state="failed"' in page
    assert oss_user.current_task.message in page


# ---- the object stores -----------------------------------------------------------------


def store_body(cloud, **changes):
    return {
        "name": "ceph-two", "cloud": cloud.pk, "kind": "simulator",
        "admin_url": "http://rgw.two.example:7480", "s3_url": "http://s3.two.example",
        "access_key": "ADMIN2", "secret_key": "very-secret", "verify_tls": "on",
        "timeout_seconds": 10, "default_max_size_in_g": 100, "default_max_objects": -1,
        "enabled": "on",
    }  | changes  # fmt: skip


def test_a_store_needs_its_secret_and_keeps_it_hidden(admin_client):
    cloud = CloudFactory(region="region-two")
    add = reverse("admin:objectstorage_objectstore_add")
    answer = admin_client.post(add, store_body(cloud, secret_key=""))
    assert answer.status_code == 200
    assert "This field is required." in answer.content.decode()
    assert admin_client.post(add, store_body(cloud)).status_code == 302
    store = ObjectStore.objects.get(name="ceph-two")
    change = reverse("admin:objectstorage_objectstore_change", args=[store.pk])
    assert "very-secret" not in admin_client.get(change).content.decode()
    answer = admin_client.post(change, store_body(cloud, secret_key="", timeout_seconds=3))
    assert answer.status_code == 302
    store.refresh_from_db()
    assert (store.secret_key, store.timeout_seconds) == ("very-secret", 3)


def test_a_region_has_one_store(admin_client, oss_store, cloud):
    answer = admin_client.post(
        reverse("admin:objectstorage_objectstore_add"), store_body(cloud, name="another")
    )
    assert answer.status_code == 200
    assert "errorlist" in answer.content.decode()
    assert ObjectStore.objects.count() == 1


def test_a_store_with_s3_users_is_not_deleted(admin_client, oss_store):
    OssUserFactory(store=oss_store)
    delete = reverse("admin:objectstorage_objectstore_delete", args=[oss_store.pk])
    answer = admin_client.post(delete, {"post": "yes"})
    assert answer.status_code == 200
    assert ObjectStore.objects.filter(pk=oss_store.pk).exists()
    OssUser.objects.all().delete()
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not ObjectStore.objects.exists()


def run_action(admin_client, action, store):
    return admin_client.post(
        reverse("admin:objectstorage_objectstore_changelist"),
        {"action": action, "_selected_action": [store.pk]},
        follow=True,
    )


def test_the_connection_test_passes(admin_client, oss_store):
    page = run_action(admin_client, "test_connection", oss_store).content.decode()
    assert f"{oss_store.name}: " in page
    assert 'class="success"' in page
    oss_store.refresh_from_db()
    assert oss_store.check_ok is True


def test_the_connection_test_tells_the_failure(admin_client, oss_store):
    inject_fault(oss_store.cloud, "objects.check", mode="auth_failed")
    page = run_action(admin_client, "test_connection", oss_store).content.decode()
    assert f"{oss_store.name}: cloud_auth_failed: " in page
    assert 'class="error"' in page
    oss_store.refresh_from_db()
    assert (oss_store.check_ok, oss_store.check_code) == (False, "cloud_auth_failed")


def test_sync_now_pulls_the_region(admin_client, made, oss_store):
    run_action(admin_client, "sync_now", oss_store)
    task = Task.objects.get(kind="objectstorage.sync")
    assert task.state == Task.State.SUCCEEDED
