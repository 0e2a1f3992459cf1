"""The pull of a region's store: usage re-read, buckets the user made with its keys
adopted, buckets gone from RGW dropped, users gone from RGW marked; and what the janitor
gives back when it fails a Task of the app."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.clouds.base_object_storage import S3Key
from portal.core.models import Task
from portal.core.services import fail_stuck_tasks
from portal.objectstorage import locking
from portal.objectstorage.models import Bucket, OssUser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


@pytest.fixture
def made(store, client_of_tenant):
    answer = client_of_tenant.post(reverse("api:oss-user-list"), {"bucket_name": "b-1"})
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_the_pull_adopts_and_drops_buckets(made, store, rgw, sync_now):
    key = S3Key(made["oss_access_key"], made["oss_secret_key"])
    rgw.create_bucket(key, "made-with-the-keys")
    sync_now("objectstorage.sync", store.cloud)
    assert sorted(Bucket.objects.values_list("name", flat=True)) == ["b-1", "made-with-the-keys"]
    assert OssUser.objects.get(uid="user-1").total_buckets == 2
    rgw.delete_bucket("b-1")
    sync_now("objectstorage.sync", store.cloud)
    assert list(Bucket.objects.values_list("name", flat=True)) == ["made-with-the-keys"]


def test_the_pull_marks_a_user_gone_from_rgw(made, store, rgw, sync_now):
    rgw.delete_user("user-1")
    sync_now("objectstorage.sync", store.cloud)
    assert OssUser.objects.get(uid="user-1").missing_since is not None


def test_an_abandoned_create_leaves_no_rows(store, tenant):
    """A create whose job never ran (a lost message): the janitor removes its rows."""
    owner = OssUser.objects.create(store=store, tenant=tenant, uid="user-9")
    bucket = Bucket.objects.create(store=store, owner=owner, name="lost")
    Task.objects.create(
        kind=locking.CREATE_KIND, target_type="bucket", target_id=bucket.pk,
        deadline=timezone.now(),
    )  # fmt: skip
    fail_stuck_tasks(now=timezone.now() + timezone.timedelta(seconds=1))
    assert not Bucket.objects.exists()
    assert not OssUser.objects.exists()


def test_an_abandoned_quota_change_unlocks_the_user(made):
    user = OssUser.objects.get(uid="user-1")
    OssUser.objects.filter(pk=user.pk).update(locked=True)
    task = Task.objects.create(
        kind=locking.QUOTA_KIND, target_type="oss_user", target_id=user.pk,
        deadline=timezone.now(),
    )  # fmt: skip
    fail_stuck_tasks(now=timezone.now() + timezone.timedelta(seconds=1))
    task.refresh_from_db()
    assert task.state == Task.State.FAILED
    assert OssUser.objects.get(pk=user.pk).locked is False
