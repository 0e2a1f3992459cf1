import pytest

from portal.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW_CLOUD = {"name": "east", "kind": "simulator", "region": "east-1", "password": "pw"}


def test_api_changes_are_audited_with_the_actor(staff_client):
    response = staff_client.post("/api/v1/clouds", NEW_CLOUD, format="json")
    assert response.status_code == 201
    event = AuditEvent.objects.get()
    assert (event.actor_type, event.actor, event.method) == ("staff", "operator", "POST")
    assert event.action == "api:cloud-list POST"
    assert event.status_code == 201
    assert event.request_id == response["X-Request-Id"]
    assert event.ip_address == "127.0.0.1"


def test_refused_attempts_are_audited_too(client_of_tenant, tenant):
    response = client_of_tenant.post("/api/v1/clouds", NEW_CLOUD, format="json")
    assert response.status_code == 403
    event = AuditEvent.objects.get()
    assert (event.actor_type, event.tenant_id, event.status_code) == (
        "tenant",
        tenant.tenant_id,
        403,
    )
    assert event.actor == "user-1"  # the platform user named in X-Platform-User-Id


def test_reads_are_not_audited(staff_client):
    staff_client.get("/api/v1/clouds")
    assert not AuditEvent.objects.exists()


def test_admin_changes_are_audited(client, staff_user, cloud):
    client.force_login(staff_user)
    response = client.post(
        f"/admin/clouds/cloud/{cloud.pk}/change/",
        {
            "name": "renamed", "kind": "simulator", "region": cloud.region, "enabled": "on",
            "user_domain_name": "Default", "project_domain_name": "Default", "options": "{}",
        },
    )  # fmt: skip
    assert response.status_code == 302
    event = AuditEvent.objects.get()
    assert (event.actor, event.object_id) == ("operator", str(cloud.pk))
    assert event.action.startswith("admin:clouds_cloud_change")


def test_audit_log_is_visible_in_the_admin(client, staff_user, staff_client):
    staff_client.post("/api/v1/clouds", NEW_CLOUD, format="json")
    client.force_login(staff_user)
    page = client.get("/admin/core/auditevent/")
    assert page.status_code == 200
    assert "operator created cloud: done (201)" in page.content.decode()
