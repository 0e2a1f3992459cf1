"""The simulated Ceph RGW behind the object-storage driver interface: users, keys, quotas,
buckets and their policies, RGW's refusals, and the injected faults."""

import json
import re
import time

import pytest

from portal.clouds import errors
from portal.clouds.base_object_storage import S3Key, S3Quota
from portal.clouds.drivers import get_object_storage_driver
from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.models import SimulatedFault, SimulatedObject
from portal.clouds.simulator.object_storage import SimulatedObjectStorage
from portal.clouds.simulator.testing import record_usage, suspend_s3_user
from portal.clouds.tests.factories import CloudFactory
from portal.objectstorage.models import ObjectStore

QUOTA = S3Quota(max_size_bytes=10 * 1024**3, max_objects=1000, enabled=True)
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::photos/*",
            }
        ],
    }
)


def make_store(cloud, **fields):
    values = {
        "name": f"oss-{cloud.name}",
        "cloud": cloud,
        "kind": ObjectStore.Kind.SIMULATOR,
        "admin_url": "http://rgw.example:7480",
        "s3_url": "http://s3.example:7480",
        "access_key": "ADMINACCESSKEY000000",
        "secret_key": "admin-secret",
    }
    return ObjectStore.objects.create(**{**values, **fields})


@pytest.fixture
def store(cloud):
    return make_store(cloud)


@pytest.fixture
def objects(store):
    return get_object_storage_driver(store)


@pytest.fixture
def alice(objects):
    """An S3 user and its key."""
    return objects.create_user("alice", "Alice", QUOTA)


@pytest.fixture
def alice_key(alice):
    return alice.keys[0]


def bucket_names(cloud):
    buckets = SimulatedObject.objects.filter(cloud=cloud, kind=SimulatedObject.Kind.BUCKET)
    return sorted(buckets.values_list("name", flat=True))


# ---- the driver and check() ----------------------------------------------------------


def test_store_of_kind_simulator_opens_the_simulator(store, objects):
    assert isinstance(objects._section, SimulatedObjectStorage)
    assert objects.s3_endpoint == "http://s3.example:7480"
    assert objects.check() is None


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("unavailable", errors.CloudUnavailable),
        ("auth_failed", errors.CloudAuthFailed),
        ("forbidden", errors.CloudForbidden),
    ],
)
def test_check_tells_the_faults_apart(cloud, objects, mode, error):
    inject_fault(cloud, "objects.check", mode=mode)

    with pytest.raises(error):
        objects.check()
    objects.check()
    assert not SimulatedFault.objects.exists()


def test_check_times_out_as_unavailable(cloud, objects):
    cloud.options = {**cloud.options, "timeout_seconds": 0.2}
    cloud.save()
    inject_fault(cloud, "objects.check", mode="timeout")

    started = time.monotonic()
    with pytest.raises(errors.CloudUnavailable):
        objects.check()
    assert time.monotonic() - started >= 0.2


def test_blank_admin_keys_are_refused_on_every_call(store):
    store.secret_key = ""
    objects = get_object_storage_driver(store)

    with pytest.raises(errors.CloudAuthFailed):
        objects.check()
    with pytest.raises(errors.CloudAuthFailed):
        objects.list_user_ids()


def test_each_operation_consumes_its_own_fault(cloud, objects, alice, alice_key):
    calls = {
        "list_user_ids": lambda: objects.list_user_ids(),
        "get_user": lambda: objects.get_user("alice"),
        "create_user": lambda: objects.create_user("bob", "Bob", QUOTA),
        "set_user_quota": lambda: objects.set_user_quota("alice", S3Quota()),
        "create_key": lambda: objects.create_key("alice"),
        "remove_key": lambda: objects.remove_key("alice", "NOSUCHKEY"),
        "create_bucket": lambda: objects.create_bucket(alice_key, "photos"),
        "get_bucket": lambda: objects.get_bucket("photos"),
        "list_buckets": lambda: objects.list_buckets("alice"),
        "get_bucket_policy": lambda: objects.get_bucket_policy(alice_key, "photos"),
        "delete_bucket": lambda: objects.delete_bucket("photos"),
        "delete_user": lambda: objects.delete_user("bob"),
    }
    for method, call in calls.items():
        inject_fault(cloud, f"objects.{method}", mode="fail")
        with pytest.raises(errors.CloudError):
            call()
        call()
    assert not SimulatedFault.objects.exists()
    assert objects.list_user_ids() == ["alice"]  # bob made and removed once each
    assert objects.get_bucket("photos") is None


# ---- users and keys ------------------------------------------------------------------


def test_create_user_generates_a_key_like_rgw(objects, alice):
    assert alice.uid == "alice"
    assert alice.display_name == "Alice"
    assert alice.quota == QUOTA
    assert (alice.used_bytes, alice.used_objects, alice.suspended) == (0, 0, False)
    [key] = alice.keys
    assert re.fullmatch(r"[A-Z0-9]{20}", key.access_key)
    assert re.fullmatch(r"[A-Za-z0-9]{40}", key.secret_key)
    assert objects.get_user("alice") == alice


def test_uids_are_listed_by_name(objects):
    for uid in ("carol", "alice", "bob"):
        objects.create_user(uid, uid.title(), S3Quota())

    assert objects.list_user_ids() == ["alice", "bob", "carol"]


def test_unknown_user_is_none(objects):
    assert objects.get_user("nobody") is None


def test_a_taken_uid_is_refused_in_its_store_only(cloud, objects, alice):
    with pytest.raises(errors.CloudConflict) as refused:
        objects.create_user("alice", "Another Alice", S3Quota())

    assert refused.value.code == "oss_user_exists"
    assert objects.get_user("alice").display_name == "Alice"
    other = get_object_storage_driver(make_store(CloudFactory()))
    assert other.create_user("alice", "Alice elsewhere", S3Quota()).uid == "alice"


@pytest.mark.parametrize(("uid", "display_name"), [("", "Nobody"), ("nobody", "")])
def test_a_user_needs_an_id_and_a_display_name(objects, uid, display_name):
    with pytest.raises(errors.CloudBadRequest):
        objects.create_user(uid, display_name, S3Quota())

    assert objects.list_user_ids() == []


def test_set_user_quota(objects, alice):
    objects.set_user_quota("alice", S3Quota(max_size_bytes=5, max_objects=-1, enabled=False))

    assert objects.get_user("alice").quota == S3Quota(5, -1, False)


def test_unknown_user_is_not_found_by_quota_keys_and_buckets(objects):
    with pytest.raises(errors.CloudNotFound):
        objects.set_user_quota("nobody", S3Quota())
    with pytest.raises(errors.CloudNotFound):
        objects.create_key("nobody")
    with pytest.raises(errors.CloudNotFound):
        objects.list_buckets("nobody")


def test_create_key_keeps_the_other_keys(objects, alice, alice_key):
    new_key = objects.create_key("alice")

    assert new_key.access_key != alice_key.access_key
    assert objects.get_user("alice").keys == (alice_key, new_key)


def test_remove_key_revokes_that_key_only(objects, alice, alice_key):
    new_key = objects.create_key("alice")

    objects.remove_key("alice", alice_key.access_key)
    objects.remove_key("alice", alice_key.access_key)  # gone already: no error
    objects.remove_key("alice", "NOSUCHKEY")
    objects.remove_key("nobody", new_key.access_key)  # not that user's key

    assert objects.get_user("alice").keys == (new_key,)
    with pytest.raises(errors.CloudAuthFailed):
        objects.create_bucket(alice_key, "photos")


# ---- buckets -------------------------------------------------------------------------


def test_create_bucket_as_its_owner(objects, alice, alice_key):
    objects.create_bucket(alice_key, "photos")

    bucket = objects.get_bucket("photos")
    assert (bucket.name, bucket.owner, bucket.used_bytes, bucket.used_objects) == (
        "photos",
        "alice",
        0,
        0,
    )
    assert bucket.created_at is not None
    assert bucket.quota == S3Quota()
    policy = objects.get_bucket_policy(alice_key, "photos")
    assert (policy.canned_acl, policy.document) == ("private", "")


def test_unknown_bucket_is_none(objects):
    assert objects.get_bucket("nothing-here") is None


def test_canned_acl_and_policy_document_are_kept(objects, alice, alice_key):
    objects.create_bucket(alice_key, "photos", canned_acl="public-read", policy_document=POLICY)

    policy = objects.get_bucket_policy(alice_key, "photos")
    assert (policy.canned_acl, policy.document) == ("public-read", POLICY)


def test_buckets_are_listed_by_name_per_owner(objects, alice, alice_key):
    bob_key = objects.create_user("bob", "Bob", S3Quota()).keys[0]
    for name in ("zebra", "apple", "mango"):
        objects.create_bucket(alice_key, name)
    objects.create_bucket(bob_key, "bobs-bucket")

    assert [b.name for b in objects.list_buckets("alice")] == ["apple", "mango", "zebra"]
    assert [b.name for b in objects.list_buckets("bob")] == ["bobs-bucket"]
    objects.create_user("carol", "Carol", S3Quota())
    assert objects.list_buckets("carol") == []


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "a" * 64,
        "Photos",
        "my_bucket",
        "-photos",
        "photos-",
        ".photos",
        "photos.",
        "my..photos",
        "my.-photos",
        "my-.photos",
        "192.168.5.4",
        "999.1.1.1",
        "photos/2024",
        "fotos\u00e9",
    ],
)
def test_bucket_names_rgw_refuses(cloud, objects, alice, alice_key, name):
    with pytest.raises(errors.CloudBadRequest):
        objects.create_bucket(alice_key, name)

    assert bucket_names(cloud) == []


@pytest.mark.parametrize("name", ["abc", "a" * 63, "my.photos-2024", "1.2.3.a", "1.2.3", "123"])
def test_bucket_names_rgw_accepts(objects, alice, alice_key, name):
    objects.create_bucket(alice_key, name)

    assert objects.get_bucket(name).owner == "alice"


def test_a_bucket_name_is_taken_for_every_user_of_the_cluster(cloud, objects, alice, alice_key):
    bob_key = objects.create_user("bob", "Bob", S3Quota()).keys[0]
    objects.create_bucket(alice_key, "photos")

    for key in (bob_key, alice_key):
        with pytest.raises(errors.CloudConflict) as refused:
            objects.create_bucket(key, "photos")
        assert refused.value.code == "bucket_taken"
    assert objects.get_bucket("photos").owner == "alice"
    other_alice = get_object_storage_driver(make_store(CloudFactory()))
    other_key = other_alice.create_user("alice", "Alice", S3Quota()).keys[0]
    other_alice.create_bucket(other_key, "photos")  # another cluster, another namespace


def test_canned_acl_must_be_one_s3_knows(cloud, objects, alice, alice_key):
    with pytest.raises(errors.CloudBadRequest):
        objects.create_bucket(alice_key, "photos", canned_acl="public-read-write")

    assert bucket_names(cloud) == []


@pytest.mark.parametrize(
    "document",
    ["not json", "[]", '{"Version": "2012-10-17"}', '{"Statement": {"Effect": "Allow"}}'],
)
def test_a_bad_policy_leaves_no_bucket_behind(cloud, objects, alice, alice_key, document):
    with pytest.raises(errors.CloudBadRequest):
        objects.create_bucket(alice_key, "photos", policy_document=document)

    assert bucket_names(cloud) == []


@pytest.mark.parametrize("which", ["unknown access key", "wrong secret"])
def test_a_key_rgw_does_not_know_is_refused(cloud, objects, alice, alice_key, which):
    if which == "unknown access key":
        key = S3Key("AAAAAAAAAAAAAAAAAAAA", alice_key.secret_key)
    else:
        key = S3Key(alice_key.access_key, "x" * 40)

    with pytest.raises(errors.CloudAuthFailed):
        objects.create_bucket(key, "photos")
    with pytest.raises(errors.CloudAuthFailed):
        objects.get_bucket_policy(key, "photos")
    assert bucket_names(cloud) == []


def test_a_suspended_user_is_forbidden(cloud, store, objects, alice, alice_key):
    suspend_s3_user(store, "alice")

    assert objects.get_user("alice").suspended is True
    with pytest.raises(errors.CloudForbidden):
        objects.create_bucket(alice_key, "photos")
    assert bucket_names(cloud) == []
    suspend_s3_user(store, "alice", suspended=False)
    objects.create_bucket(alice_key, "photos")


def test_bucket_policy_of_another_users_bucket_is_forbidden(objects, alice, alice_key):
    bob_key = objects.create_user("bob", "Bob", S3Quota()).keys[0]
    objects.create_bucket(alice_key, "photos")

    with pytest.raises(errors.CloudForbidden):
        objects.get_bucket_policy(bob_key, "photos")
    with pytest.raises(errors.CloudNotFound):
        objects.get_bucket_policy(bob_key, "nothing-here")


def test_usage_of_buckets_adds_up_to_their_owners(store, objects, alice, alice_key):
    objects.create_bucket(alice_key, "photos")
    objects.create_bucket(alice_key, "videos")

    record_usage(store, "photos", used_bytes=1000, used_objects=3)
    record_usage(store, "videos", used_bytes=5000, used_objects=2)

    assert (objects.get_bucket("photos").used_bytes, objects.get_bucket("photos").used_objects) == (
        1000,
        3,
    )
    user = objects.get_user("alice")
    assert (user.used_bytes, user.used_objects) == (6000, 5)
    assert [b.used_bytes for b in objects.list_buckets("alice")] == [1000, 5000]


# ---- what operators do behind the portal's back --------------------------------------


def test_delete_user_purges_its_keys_and_buckets(cloud, objects, alice, alice_key):
    bob_key = objects.create_user("bob", "Bob", S3Quota()).keys[0]
    objects.create_bucket(alice_key, "photos")
    objects.create_bucket(bob_key, "bobs-bucket")

    objects.delete_user("alice")

    assert objects.get_user("alice") is None
    assert bucket_names(cloud) == ["bobs-bucket"]
    with pytest.raises(errors.CloudAuthFailed):
        objects.create_bucket(alice_key, "photos")
    with pytest.raises(errors.CloudNotFound):
        objects.delete_user("alice")
    objects.create_bucket(bob_key, "photos")  # the name is free again


def test_delete_bucket(objects, alice, alice_key):
    objects.create_bucket(alice_key, "photos")

    objects.delete_bucket("photos")

    assert objects.get_bucket("photos") is None
    assert objects.list_buckets("alice") == []
    with pytest.raises(errors.CloudNotFound):
        objects.delete_bucket("photos")
