"""Sign-up through the API: ids, the provisioning Task, the simulator's objects, secrets."""

from dataclasses import replace

import pytest
from django.db import connection

from portal.clouds.drivers import get_driver
from portal.core.fields import decrypt
from portal.core.models import Task
from portal.tenants.credentials import tenant_credentials
from portal.tenants.models import Tenant, TenantAPIKey, TenantIdentity
from portal.tenants.tests.conftest import (
    IDENTITY_KINDS,
    TENANTS_URL,
    assert_error,
    sign_up,
    simulated_identity,
)

pytestmark = pytest.mark.django_db


def test_sign_up_creates_numbered_tenants_and_their_cloud_identity(
    cloud, platform_client, run_commit_hooks
):
    first = sign_up(platform_client, "Acme")
    second = sign_up(platform_client, "Globex")

    assert first.status_code == 201, first.content
    assert second.status_code == 201, second.content
    assert first.json()["tenant_id"] == "t-0000000001"
    assert second.json()["tenant_id"] == "t-0000000002"
    body = first.json()
    assert body["tenant_name"] == "Acme"
    assert body["apikey"]
    assert set(body["task"]) == {
        "task_id", "state", "progress", "message", "error_code", "created_time", "finished_time"
    }  # fmt: skip

    task = Task.objects.get(pk=body["task"]["task_id"])
    assert (task.kind, task.state, task.progress) == ("tenant.provision", "succeeded", 100)
    assert task.tenant_id == "t-0000000001"
    tenant = Tenant.objects.get(pk="t-0000000001")
    assert tenant.status == Tenant.Status.ACTIVE
    assert tenant.quota.instances == 10

    identity = TenantIdentity.objects.get(tenant=tenant)
    held = simulated_identity(cloud, "t-0000000001")
    # Two role assignments: the tenant's own role and the cloud's stock member role.
    assert {kind: len(held[kind]) for kind in IDENTITY_KINDS} == {
        **dict.fromkeys(IDENTITY_KINDS, 1),
        "role_assignment": 2,
    }
    assert held["domain"][0].backend_id == identity.domain_id
    assert held["project"][0].backend_id == identity.project_id
    assert held["user"][0].backend_id == identity.user_id
    assert held["role"][0].backend_id == identity.role_id
    assert identity.member_role_id == get_driver(cloud).identity.find_role("member")
    assignments = held["role_assignment"]
    assert {a.project_id for a in assignments} == {identity.project_id}
    assert {a.data["role_id"] for a in assignments} == {identity.role_id, identity.member_role_id}
    names = {identity.domain_name, identity.project_name, identity.username, identity.role_name}
    assert names == {"t-0000000001"}
    assert identity.role_assigned


def test_the_stored_password_logs_in(cloud, platform_client, run_commit_hooks):
    sign_up(platform_client, "Acme")
    identity = TenantIdentity.objects.get(tenant_id="t-0000000001")

    credentials = tenant_credentials(identity)
    assert get_driver(cloud).identity.check_login(credentials)
    assert not get_driver(cloud).identity.check_login(replace(credentials, password="not-it"))


def test_the_password_is_strong_encrypted_and_never_shown(
    cloud, platform_client, staff_client, run_commit_hooks
):
    created = sign_up(platform_client, "Acme")
    identity = TenantIdentity.objects.get(tenant_id="t-0000000001")
    password = identity.password
    assert len(password) >= 20
    assert any(c.isupper() for c in password)
    assert any(c.isdigit() for c in password)

    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM tenants_tenantidentity")
        (stored,) = cursor.fetchone()
    assert password not in stored
    assert decrypt(stored) == password

    task_id = created.json()["task"]["task_id"]
    pages = [
        created,
        platform_client.get(TENANTS_URL),
        platform_client.get(f"{TENANTS_URL}/t-0000000001"),
        platform_client.get(f"{TENANTS_URL}/t-0000000001/quotas"),
        platform_client.get(f"/api/v1/tasks/{task_id}"),
        platform_client.get("/api/v1/tasks"),
        staff_client.get("/admin/tenants/tenant/"),
        staff_client.get("/admin/tenants/tenant/t-0000000001/change/"),
    ]
    for page in pages:
        assert page.status_code in (200, 201)
        assert password.encode() not in page.content
        assert stored.encode() not in page.content


def test_the_key_is_stored_hashed_and_works(cloud, platform_client, run_commit_hooks):
    key = sign_up(platform_client, "Acme").json()["apikey"]

    stored = TenantAPIKey.objects.get(tenant_id="t-0000000001")
    assert key.split(".")[1] not in stored.hashed_key
    response = platform_client.get(
        TENANTS_URL,
        HTTP_AUTHORIZATION=f"Api-Key {key}",
        HTTP_X_TENANT_ID="t-0000000001",
        HTTP_X_PLATFORM_USER_ID="u1",
    )
    assert response.status_code == 200
    assert [t["tenant_id"] for t in response.json()["tenants"]] == ["t-0000000001"]


def test_wait_returns_the_finished_task(cloud, platform_client, run_commit_hooks):
    response = sign_up(platform_client, "Acme", wait=5)

    assert response.status_code == 201
    assert response.json()["status"] == "active"
    assert response.json()["task"]["state"] == "succeeded"


def test_a_bad_wait_is_refused_before_anything_is_made(cloud, platform_client):
    error = assert_error(sign_up(platform_client, "Acme", wait="soon"), 400, "invalid")

    assert "wait" in error["fields"]
    assert not Tenant.objects.exists()


def test_staff_may_sign_tenants_up(cloud, staff_client, run_commit_hooks):
    response = sign_up(staff_client, "Acme")

    assert response.status_code == 201
    task = Task.objects.get(pk=response.json()["task"]["task_id"])
    assert task.requested_by == "staff:operator"


@pytest.mark.parametrize("name", ["Acme", "ACME", "  acme  "])
def test_duplicate_names_are_refused_whatever_their_case(cloud, platform_client, name):
    assert sign_up(platform_client, "acme").status_code == 201

    error = assert_error(sign_up(platform_client, name), 409, "duplicate_name")

    assert "tenant_name" in error["fields"]
    assert Tenant.objects.count() == 1


def test_a_refused_sign_up_uses_no_number(cloud, platform_client):
    sign_up(platform_client, "acme")
    sign_up(platform_client, "ACME")

    assert sign_up(platform_client, "globex").json()["tenant_id"] == "t-0000000002"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "tab\there"])
def test_bad_names_are_400_with_fields(cloud, platform_client, name):
    error = assert_error(sign_up(platform_client, name), 400, "invalid")

    assert "tenant_name" in error["fields"]
    assert not Tenant.objects.exists()


def test_a_name_is_stored_stripped(cloud, platform_client):
    assert sign_up(platform_client, "  Acme Corp ").json()["tenant_name"] == "Acme Corp"


def test_missing_name_is_400(cloud, platform_client):
    error = assert_error(platform_client.post(TENANTS_URL, {}, format="json"), 400, "invalid")

    assert "tenant_name" in error["fields"]


def test_without_a_cloud_sign_up_is_503_and_uses_no_number(db, platform_client):
    assert_error(sign_up(platform_client, "Acme"), 503, "no_cloud")

    assert not Tenant.objects.exists()
