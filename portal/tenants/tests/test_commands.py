"""Management commands: keys are printed alone on the last line, and they work."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from portal.tenants.models import PlatformAPIKey, TenantAPIKey
from portal.tenants.tests.conftest import TENANTS_URL, sign_up
from portal.tenants.tests.factories import make_tenant_key

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().rstrip("\n").split("\n")


def tenant_api(key, tenant_id):
    return APIClient(
        HTTP_AUTHORIZATION=f"Api-Key {key}",
        HTTP_X_TENANT_ID=tenant_id,
        HTTP_X_PLATFORM_USER_ID="u1",
    )


def test_create_platform_key(cloud, run_commit_hooks):
    key = run("create_platform_key", "billing")[-1]

    assert PlatformAPIKey.objects.get().name == "billing"
    assert sign_up(APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}"), "Acme").status_code == 201


def test_create_platform_key_refuses_a_long_name():
    with pytest.raises(CommandError):
        run("create_platform_key", "x" * 51)


def test_create_tenant_waits_and_prints_the_key(cloud, run_commit_hooks):
    lines = run("create_tenant", "Acme", "--wait", "5")

    assert "t-0000000001" in lines[0]
    assert "succeeded" in lines[1]
    response = tenant_api(lines[-1], "t-0000000001").get(f"{TENANTS_URL}/t-0000000001")
    assert response.json()["status"] == "active"


def test_create_tenant_refuses_a_duplicate(cloud):
    run("create_tenant", "Acme")

    with pytest.raises(CommandError, match="already exists"):
        run("create_tenant", "acme")


def test_rotate_tenant_key(tenant):
    _, old_key = make_tenant_key(tenant)

    new_key = run("rotate_tenant_key", tenant.tenant_id)[-1]

    url = f"{TENANTS_URL}/{tenant.tenant_id}"
    assert tenant_api(new_key, tenant.tenant_id).get(url).status_code == 200
    assert tenant_api(old_key, tenant.tenant_id).get(url).status_code == 401


def test_rotate_an_unknown_tenant():
    with pytest.raises(CommandError):
        run("rotate_tenant_key", "t-0000000404")


def test_revoke_api_key(tenant):
    api_key, key = make_tenant_key(tenant)

    assert "revoked" in run("revoke_api_key", api_key.prefix)[-1]

    assert TenantAPIKey.objects.get(pk=api_key.pk).revoked
    url = f"{TENANTS_URL}/{tenant.tenant_id}"
    assert tenant_api(key, tenant.tenant_id).get(url).status_code == 401
    assert "already" in run("revoke_api_key", key)[-1]


def test_revoke_an_unknown_key():
    with pytest.raises(CommandError):
        run("revoke_api_key", "nothere")
