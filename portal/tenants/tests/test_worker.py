"""End to end with a real Celery worker on Redis: sign up and wait for the set-up."""

import pytest
from celery.contrib.testing.worker import start_worker

from portal.celery import app
from portal.tenants import tasks as tenant_tasks
from portal.tenants.models import Tenant
from portal.tenants.tests.conftest import sign_up


@pytest.fixture
def celery_worker():
    """A worker thread consuming from the test broker (CELERY_BROKER_URL), not eager."""
    assert tenant_tasks.provision_tenant.name in app.tasks
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = eager


@pytest.mark.django_db(transaction=True)
def test_sign_up_through_a_real_worker(cloud, platform_client, celery_worker):
    response = sign_up(platform_client, "Acme", wait=30)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["task"]["state"] == "succeeded", body["task"]
    assert body["status"] == "active"
    assert Tenant.objects.get(pk=body["tenant_id"]).identities.get().role_assigned
