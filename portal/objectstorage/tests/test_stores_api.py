"""`/object-stores`: operators register each region's RGW (the admin secret write-only,
stored encrypted), test its connection with exact failure kinds, and pull its usage."""

import pytest
from django.urls import reverse

from portal.clouds.simulator.faults import inject_fault
from portal.clouds.tests.factories import CloudFactory
from portal.objectstorage.models import ObjectStore, OssUser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

STORES = reverse("api:object-store-list")


def store_url(pk, action=None):
    name = f"api:object-store-{action}" if action else "api:object-store-detail"
    return reverse(name, kwargs={"object_store_id": pk})


def new_store_body(**changes):
    return {
        "name": "ceph-two",
        "region": "region-two",
        "kind": "rgw",
        "admin_url": "http://10.0.0.2:7480",
        "s3_url": "https://s3.region-two.example",
        "access_key": "ADMIN2",
        "secret_key": "very-secret",
        **changes,
    }


def test_an_operator_registers_a_store_and_its_secret_stays_hidden(platform_client):
    CloudFactory(region="region-two")
    answer = platform_client.post(STORES, new_store_body(), format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert "secret_key" not in body
    assert "very-secret" not in answer.content.decode()
    store = ObjectStore.objects.get(pk=body["object_store_id"])
    assert store.secret_key == "very-secret"
    # a blank secret keeps the stored one
    answer = platform_client.patch(
        store_url(store.pk), {"secret_key": "", "timeout_seconds": 3}, format="json"
    )
    assert answer.status_code == 200
    store.refresh_from_db()
    assert (store.secret_key, store.timeout_seconds) == ("very-secret", 3)


def test_a_new_store_needs_its_secret(platform_client):
    CloudFactory(region="region-two")
    answer = platform_client.post(STORES, new_store_body(secret_key=""), format="json")
    assert answer.status_code == 400
    assert "secret_key" in answer.json()["error"]["fields"]


def test_a_region_has_one_store(platform_client, store):
    answer = platform_client.post(STORES, new_store_body(region="region-one"), format="json")
    assert answer.status_code in (400, 409)
    assert ObjectStore.objects.count() == 1


def test_tenants_may_not_see_or_register_stores(client_of_tenant, store):
    assert client_of_tenant.get(STORES).status_code == 403
    assert client_of_tenant.post(STORES, new_store_body(), format="json").status_code == 403
    assert client_of_tenant.post(store_url(store.pk, "test")).status_code == 403


def test_the_connection_test_passes(platform_client, store):
    answer = platform_client.post(store_url(store.pk, "test"))
    assert answer.status_code == 200
    body = answer.json()
    assert (body["ok"], body["code"]) == (True, "")
    store.refresh_from_db()
    assert store.check_ok is True
    assert store.checked_at is not None


@pytest.mark.parametrize(
    ("mode", "code"),
    [
        ("unavailable", "unavailable"),
        ("auth_failed", "cloud_auth_failed"),
        ("forbidden", "cloud_forbidden"),
    ],
)
def test_the_connection_test_tells_the_failure_apart(platform_client, store, mode, code):
    inject_fault(store.cloud, "objects.check", mode=mode)
    body = platform_client.post(store_url(store.pk, "test")).json()
    assert (body["ok"], body["code"]) == (False, code)
    assert body["message"]
    store.refresh_from_db()
    assert (store.check_ok, store.check_code) == (False, code)


def test_a_disabled_store_fails_its_test_clearly(platform_client, store):
    ObjectStore.objects.filter(pk=store.pk).update(enabled=False)
    body = platform_client.post(store_url(store.pk, "test")).json()
    assert (body["ok"], body["code"]) == (False, "unavailable")
    assert "disabled" in body["message"]


def test_a_store_with_s3_users_cannot_be_removed(platform_client, store, tenant):
    OssUser.objects.create(store=store, tenant=tenant, uid="someone")
    answer = platform_client.delete(store_url(store.pk))
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "in_use"
    OssUser.objects.all().delete()
    assert platform_client.delete(store_url(store.pk)).status_code == 204


def test_sync_now_pulls_the_region(platform_client, store, client_of_tenant):
    client_of_tenant.post(reverse("api:oss-user-list"), {"bucket_name": "b-1"}, format="json")
    sync = f"{reverse('api:object-store-sync')}?wait=5"
    answer = platform_client.post(sync, {"region": "region-one"}, format="json")
    assert answer.status_code == 202
    assert answer.json()["task"]["state"] == "succeeded"


def test_a_region_with_a_nul_byte_is_an_unknown_region(platform_client):
    answer = platform_client.post(STORES, new_store_body(region="region\x00two"), format="json")
    assert answer.status_code == 400
    assert "region" in answer.json()["error"]["fields"]
