import pytest

from portal.clouds.models import Cloud
from portal.clouds.tests.factories import CloudFactory

pytestmark = pytest.mark.django_db

OPENSTACK = {
    "name": "dc1",
    "kind": "openstack",
    "region": "dc1",
    "auth_url": "http://127.0.0.1:5000/v3",
    "username": "admin",
    "password": "very-secret",
    "project_name": "admin",
}


def test_operators_register_a_cloud_and_never_see_its_password(staff_client):
    response = staff_client.post("/api/v1/clouds", OPENSTACK, format="json")
    assert response.status_code == 201
    body = response.json()
    assert "password" not in body
    assert body["cloud_id"] == str(Cloud.objects.get().pk)
    assert Cloud.objects.get().password == "very-secret"
    listing = staff_client.get("/api/v1/clouds")
    assert "very-secret" not in listing.content.decode()
    assert listing.json()["count"] == 1


def test_a_blank_password_keeps_the_stored_one(staff_client):
    cloud = CloudFactory(password="keep-me")
    response = staff_client.patch(
        f"/api/v1/clouds/{cloud.pk}", {"password": "", "enabled": False}, format="json"
    )
    assert response.status_code == 200
    cloud.refresh_from_db()
    assert (cloud.password, cloud.enabled) == ("keep-me", False)


def test_a_duplicate_name_is_a_409(staff_client):
    CloudFactory(name="dc1")
    response = staff_client.post("/api/v1/clouds", OPENSTACK, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_name"


def test_an_unknown_kind_is_a_400(staff_client):
    response = staff_client.post("/api/v1/clouds", {**OPENSTACK, "kind": "vmware"}, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_making_a_cloud_default_unsets_the_previous_one(platform_client):
    first = CloudFactory(is_default=True)
    second = CloudFactory()
    response = platform_client.patch(
        f"/api/v1/clouds/{second.pk}", {"is_default": True}, format="json"
    )
    assert response.status_code == 200
    assert Cloud.objects.default() == second
    first.refresh_from_db()
    assert not first.is_default


def test_tenants_cannot_read_or_change_clouds(client_of_tenant, cloud):
    assert client_of_tenant.get("/api/v1/clouds").status_code == 403
    response = client_of_tenant.patch(f"/api/v1/clouds/{cloud.pk}", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_clouds_are_not_deleted_through_the_api(staff_client, cloud):
    assert staff_client.delete(f"/api/v1/clouds/{cloud.pk}").status_code == 405


def test_the_default_cloud_skips_disabled_ones():
    CloudFactory(is_default=True, enabled=False)
    enabled = CloudFactory()
    assert Cloud.objects.default() == enabled


def test_the_admin_form_keeps_the_password_when_left_blank(client, staff_user):
    cloud = CloudFactory(password="admin-form-secret")
    client.force_login(staff_user)
    page = client.get(f"/admin/clouds/cloud/{cloud.pk}/change/")
    assert page.status_code == 200
    assert b"admin-form-secret" not in page.content
    response = client.post(
        f"/admin/clouds/cloud/{cloud.pk}/change/",
        {
            "name": cloud.name, "kind": "simulator", "region": cloud.region, "password": "",
            "enabled": "on", "user_domain_name": "Default", "project_domain_name": "Default",
            "options": "{}",
        },
    )  # fmt: skip
    assert response.status_code == 302
    cloud.refresh_from_db()
    assert cloud.password == "admin-form-secret"
