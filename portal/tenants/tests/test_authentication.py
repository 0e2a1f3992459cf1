"""API-key authentication (seed 004, "API key 验证") and tenant isolation."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from portal.core.models import Task
from portal.tenants import keys
from portal.tenants.tests.conftest import TENANTS_URL, assert_error, sign_up
from portal.tenants.tests.factories import make_tenant_key

pytestmark = pytest.mark.django_db


def client_with(key=None, tenant_id=None, platform_user_id="user-1"):
    headers = {}
    if key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Api-Key {key}"
    if tenant_id is not None:
        headers["HTTP_X_TENANT_ID"] = tenant_id
    if platform_user_id is not None:
        headers["HTTP_X_PLATFORM_USER_ID"] = platform_user_id
    return APIClient(**headers)


def own_url(tenant):
    return f"{TENANTS_URL}/{tenant.tenant_id}"


def test_a_tenant_key_works(tenant):
    _, key = make_tenant_key(tenant)

    assert client_with(key, tenant.tenant_id).get(own_url(tenant)).status_code == 200


def test_missing_authorization_is_401(tenant):
    error = assert_error(APIClient().get(own_url(tenant)), 401, "not_authenticated")

    assert error["request_id"]


def test_a_wrong_key_is_401(tenant):
    _, key = make_tenant_key(tenant)
    prefix, _dot, secret = key.partition(".")

    for wrong in (f"{prefix}.{secret[::-1]}", "nonsense", f"{prefix}."):
        assert_error(client_with(wrong, tenant.tenant_id).get(own_url(tenant)), 401)


def test_another_tenants_key_is_401(tenant, other_tenant):
    _, others_key = make_tenant_key(other_tenant)

    response = client_with(others_key, tenant.tenant_id).get(own_url(tenant))

    assert_error(response, 401, "not_authenticated")


def test_a_revoked_key_is_401(tenant):
    api_key, key = make_tenant_key(tenant)
    client = client_with(key, tenant.tenant_id)
    assert client.get(own_url(tenant)).status_code == 200

    keys.revoke_key(api_key)

    assert_error(client.get(own_url(tenant)), 401)


def test_an_expired_key_is_401(tenant):
    _, key = make_tenant_key(tenant, expiry_date=timezone.now() - timedelta(minutes=1))

    assert_error(client_with(key, tenant.tenant_id).get(own_url(tenant)), 401)


def test_a_missing_platform_user_is_401(tenant):
    _, key = make_tenant_key(tenant)

    client = client_with(key, tenant.tenant_id, platform_user_id=None)
    error = assert_error(client.get(own_url(tenant)), 401)

    assert "X-Platform-User-Id" in error["message"]


def test_a_tenant_key_without_tenant_header_is_401(tenant):
    _, key = make_tenant_key(tenant)

    assert_error(client_with(key, None).get(own_url(tenant)), 401)


def test_a_tenant_key_cannot_sign_tenants_up(cloud, client_of_tenant):
    assert_error(sign_up(client_of_tenant, "Acme"), 403, "permission_denied")


def test_anonymous_sign_up_is_401(cloud):
    assert_error(sign_up(APIClient(), "Acme"), 401)


def test_a_plain_user_session_is_not_enough(cloud, django_user_model):
    client = APIClient()
    client.force_login(django_user_model.objects.create_user("someone", password="pw"))

    assert sign_up(client, "Acme").status_code == 403


# ---- isolation ----------------------------------------------------------------------------


def test_a_tenant_lists_only_itself(tenant, other_tenant, client_of_tenant):
    body = client_of_tenant.get(TENANTS_URL).json()

    assert [t["tenant_id"] for t in body["tenants"]] == [tenant.tenant_id]
    assert body["count"] == 1


@pytest.mark.parametrize("suffix", ["", "/quotas"])
def test_another_tenant_is_404(other_tenant, client_of_tenant, suffix):
    response = client_of_tenant.get(own_url(other_tenant) + suffix)

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("method", ["put", "patch"])
def test_changing_another_tenants_quota_is_404_and_ones_own_403(
    tenant, other_tenant, client_of_tenant, method
):
    send = getattr(client_of_tenant, method)

    assert_error(send(own_url(other_tenant) + "/quotas", {"cores": 1}, format="json"), 404)
    assert_error(send(own_url(tenant) + "/quotas", {"cores": 1}, format="json"), 403)


def make_task(tenant):
    return Task.objects.create(kind="test", tenant=tenant)


def test_tasks_are_isolated(tenant, other_tenant, client_of_tenant):
    own, others = make_task(tenant), make_task(other_tenant)

    assert client_of_tenant.get(f"/api/v1/tasks/{own.pk}").status_code == 200
    assert_error(client_of_tenant.get(f"/api/v1/tasks/{others.pk}"), 404)
    listed = client_of_tenant.get("/api/v1/tasks").json()["tasks"]
    assert [t["task_id"] for t in listed] == [str(own.pk)]


def test_operators_see_every_task(tenant, other_tenant, staff_client, platform_client):
    tasks = [make_task(tenant), make_task(other_tenant)]

    for client in (staff_client, platform_client):
        for task in tasks:
            assert client.get(f"/api/v1/tasks/{task.pk}").status_code == 200
