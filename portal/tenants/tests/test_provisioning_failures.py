"""A backend failure at any step of sign-up: undone in the cloud, tenant and Task failed."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.clouds.drivers import get_driver
from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.identity import SimulatedIdentity
from portal.core.models import Task
from portal.core.services import fail_stuck_tasks
from portal.tenants.models import Tenant, TenantIdentity
from portal.tenants.tests.conftest import IDENTITY_KINDS, sign_up, simulated_identity

pytestmark = pytest.mark.django_db

STEPS = [
    "identity.create_domain",
    "identity.create_project",
    "identity.create_user",
    "identity.create_role",
    "identity.assign_role",
]


def nothing_left(cloud, tenant_id):
    held = simulated_identity(cloud, tenant_id)
    return all(not held[kind] for kind in IDENTITY_KINDS)


def sign_up_failing(client, cloud, operation, mode):
    inject_fault(cloud, operation, mode=mode)
    response = sign_up(client, "Acme")
    assert response.status_code == 201, response.content
    return response.json()["tenant_id"], Task.objects.get(pk=response.json()["task"]["task_id"])


@pytest.mark.parametrize("operation", STEPS)
@pytest.mark.parametrize(
    ("mode", "code"),
    [("fail", "cloud_error"), ("unavailable", "unavailable"), ("quota", "quota_exceeded")],
)
def test_a_failed_step_is_undone(cloud, platform_client, run_commit_hooks, operation, mode, code):
    tenant_id, task = sign_up_failing(platform_client, cloud, operation, mode)

    assert task.state == Task.State.FAILED
    assert task.error_code == code
    assert "failed" in task.message
    assert "Simulated" in task.message  # the driver's own (safe) sentence is kept
    tenant = Tenant.objects.get(pk=tenant_id)
    assert tenant.status == Tenant.Status.FAILED
    assert tenant.status_message == task.message
    assert nothing_left(cloud, tenant_id)
    identity = TenantIdentity.objects.get(tenant=tenant)
    assert (identity.domain_id, identity.project_id, identity.user_id, identity.role_id) == (
        ("", "", "", "")
    )
    assert not identity.role_assigned

    # The failed tenant keeps its number; the next one takes the following number.
    assert sign_up(platform_client, "Globex").json()["tenant_id"] == "t-0000000002"
    assert Tenant.objects.get(pk="t-0000000002").status == Tenant.Status.ACTIVE


def test_a_timeout_fails_the_task_and_is_undone(cloud, platform_client, run_commit_hooks):
    cloud.options = {**cloud.options, "timeout_seconds": 0.01}
    cloud.save()

    tenant_id, task = sign_up_failing(platform_client, cloud, "identity.create_user", "timeout")

    assert (task.state, task.error_code) == (Task.State.FAILED, "unavailable")
    assert "Creating the tenant's user failed" in task.message
    assert Tenant.objects.get(pk=tenant_id).status == Tenant.Status.FAILED
    assert nothing_left(cloud, tenant_id)


def test_a_failed_login_check_is_undone(cloud, platform_client, run_commit_hooks, monkeypatch):
    monkeypatch.setattr(SimulatedIdentity, "check_login", lambda self, credentials: False)

    response = sign_up(platform_client, "Acme")

    task = Task.objects.get(pk=response.json()["task"]["task_id"])
    assert (task.state, task.error_code) == (Task.State.FAILED, "identity_check_failed")
    assert nothing_left(cloud, "t-0000000001")


def test_a_failed_deletion_does_not_hide_the_original_error(
    cloud, platform_client, run_commit_hooks, caplog
):
    inject_fault(cloud, "identity.delete_role", mode="unavailable")
    caplog.set_level(logging.INFO, logger="portal.tenants.provisioning")

    tenant_id, task = sign_up_failing(platform_client, cloud, "identity.assign_role", "quota")

    assert task.error_code == "quota_exceeded"
    identity = TenantIdentity.objects.get(tenant_id=tenant_id)
    assert identity.role_id  # kept: the role could not be deleted
    assert (identity.user_id, identity.project_id, identity.domain_id) == ("", "", "")
    assert simulated_identity(cloud, tenant_id)["role"]
    assert any("undoing its role_id failed" in r.getMessage() for r in caplog.records)


def test_an_unexpected_error_is_an_internal_error(
    cloud, platform_client, run_commit_hooks, monkeypatch
):
    def crash(self, name, description=""):
        raise RuntimeError("secret backend detail")

    monkeypatch.setattr(SimulatedIdentity, "create_domain", crash)

    task = Task.objects.get(pk=sign_up(platform_client, "Acme").json()["task"]["task_id"])

    assert task.error_code == "internal_error"
    tenant = Tenant.objects.get(pk="t-0000000001")
    assert tenant.status == Tenant.Status.FAILED
    assert "secret" not in tenant.status_message


def test_a_redelivered_job_reuses_what_exists(cloud, platform_client, run_commit_hooks):
    """acks_late: a job cut short runs again; it must not create a second domain."""
    from portal.tenants.tasks import provision_tenant

    inject_fault(cloud, "identity.create_user", mode="unavailable")
    sign_up(platform_client, "Acme")
    identity = TenantIdentity.objects.get(tenant_id="t-0000000001")
    # As if the worker had died after the project was made: ids kept, Task running.
    tenant = identity.tenant
    tenant.status = Tenant.Status.PROVISIONING
    tenant.save()
    task = Task.objects.create(kind="tenant.provision", tenant=tenant, state="running")
    identity.domain_id = get_driver(cloud).identity.create_domain("t-0000000001")
    identity.state, identity.task = TenantIdentity.State.PENDING, task
    identity.save()

    provision_tenant(str(task.pk))

    task.refresh_from_db()
    assert task.state == Task.State.SUCCEEDED, task.message
    assert len(simulated_identity(cloud, "t-0000000001")["domain"]) == 1


def test_an_abandoned_sign_up_fails_the_tenant(cloud, platform_client):
    # No commit hooks: the job never runs, as if the worker had lost it.
    response = sign_up(platform_client, "Acme")

    assert fail_stuck_tasks(now=timezone.now() + timedelta(days=1)) == 1

    task = Task.objects.get(pk=response.json()["task"]["task_id"])
    assert (task.state, task.error_code) == (Task.State.FAILED, "stuck")
    assert Tenant.objects.get(pk="t-0000000001").status == Tenant.Status.FAILED
