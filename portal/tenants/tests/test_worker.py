"""End to end with a real Celery worker on Redis: sign up and wait for the set-up."""

import pytest

from portal.celery import app
from portal.tenants import tasks as tenant_tasks
from portal.tenants.models import Tenant
from portal.tenants.tests.conftest import sign_up


@pytest.mark.django_db(transaction=True)
def test_sign_up_through_a_real_worker(cloud, platform_client, celery_worker):
    assert tenant_tasks.provision_tenant.name in app.tasks
    response = sign_up(platform_client, "Acme", wait=30)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["task"]["state"] == "succeeded", body["task"]
    assert body["status"] == "active"
    identity = Tenant.objects.get(pk=body["tenant_id"]).identities.get()
    assert identity.role_assigned
    assert identity.member_role_id
