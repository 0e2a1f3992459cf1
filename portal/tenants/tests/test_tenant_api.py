"""GET /tenants, /tenants/{id} and /tenants/{id}/quotas."""

import pytest

from portal.tenants.models import TenantQuota
from portal.tenants.tests.conftest import TENANTS_URL, assert_error
from portal.tenants.tests.factories import TenantFactory

pytestmark = pytest.mark.django_db

QUOTA = {
    "instances": 5,
    "cores": 8,
    "ram": 16384,
    "volumes": -1,
    "gigabytes": 500,
    "images": 0,
    "security_groups": 3,
    "security_group_rules": 50,
    "vpcs": 2,
    "routers": 1,
    "floating_ips": 3,
    "shares": 2,
    "share_gigabytes": 200,
}


def test_operators_list_every_tenant_paginated(staff_client, platform_client):
    TenantFactory.create_batch(3)

    for client in (staff_client, platform_client):
        body = client.get(TENANTS_URL, {"page_size": 2}).json()
        assert set(body) == {"tenants", "count", "count_exact", "page_number", "page_size"}
        assert (body["count"], body["page_size"], len(body["tenants"])) == (3, 2, 2)


def test_a_tenant_reads_itself(tenant, client_of_tenant):
    body = client_of_tenant.get(f"{TENANTS_URL}/{tenant.tenant_id}").json()

    assert body == {
        "tenant_id": tenant.tenant_id,
        "tenant_name": tenant.name,
        "status": "active",
        "status_message": "",
        "regions": [],
        "created_time": tenant.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def test_an_unknown_tenant_is_404(staff_client):
    assert_error(staff_client.get(f"{TENANTS_URL}/t-0000000999"), 404, "not_found")


def test_the_list_filters_by_status(staff_client):
    TenantFactory(status="failed")
    TenantFactory()

    body = staff_client.get(TENANTS_URL, {"status": "failed"}).json()

    assert [t["status"] for t in body["tenants"]] == ["failed"]


def test_a_tenant_without_a_quota_row_reads_the_defaults(tenant, client_of_tenant):
    body = client_of_tenant.get(f"{TENANTS_URL}/{tenant.tenant_id}/quotas").json()

    assert body == TenantQuota(tenant=tenant).as_dict()


def test_operators_set_quotas(tenant, staff_client, platform_client, client_of_tenant):
    url = f"{TENANTS_URL}/{tenant.tenant_id}/quotas"

    response = staff_client.put(url, QUOTA, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == QUOTA
    assert client_of_tenant.get(url).json() == QUOTA
    patched = platform_client.patch(url, {"cores": -1}, format="json")
    assert patched.json() == {**QUOTA, "cores": -1}
    tenant.quota.refresh_from_db()
    assert tenant.quota.cores == -1


@pytest.mark.parametrize(
    ("change", "field"),
    [({"cores": -2}, "cores"), ({"ram": "lots"}, "ram"), ({"instances": None}, "instances")],
)
def test_bad_quota_values_are_400(tenant, staff_client, change, field):
    url = f"{TENANTS_URL}/{tenant.tenant_id}/quotas"

    error = assert_error(staff_client.put(url, {**QUOTA, **change}, format="json"), 400)

    assert field in error["fields"]


def test_put_needs_every_limit(tenant, staff_client):
    url = f"{TENANTS_URL}/{tenant.tenant_id}/quotas"

    error = assert_error(staff_client.put(url, {"cores": 4}, format="json"), 400)

    assert "instances" in error["fields"]
