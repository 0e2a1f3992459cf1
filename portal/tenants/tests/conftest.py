"""Fixtures of the tenants app's tests."""

from portal.clouds.simulator.models import SimulatedObject

TENANTS_URL = "/api/v1/tenants"
IDENTITY_KINDS = ("domain", "project", "user", "role", "role_assignment")


def sign_up(client, name, *, wait=None):
    """POST /tenants as `client`; returns the response."""
    url = TENANTS_URL if wait is None else f"{TENANTS_URL}?wait={wait}"
    return client.post(url, {"tenant_name": name}, format="json")


def simulated_identity(cloud, tenant_id):
    """What the simulator holds for a tenant: {kind: [objects]} of its Keystone objects."""
    objects = SimulatedObject.objects.filter(cloud=cloud)
    named = {
        kind: list(objects.filter(kind=kind, name=tenant_id))
        for kind in ("domain", "project", "user", "role")
    }
    user_ids = [user.backend_id for user in named["user"]]
    named["role_assignment"] = list(objects.filter(kind="role_assignment", parent_id__in=user_ids))
    return named


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields", "request_id"}
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    return error
