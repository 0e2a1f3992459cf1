"""Sign-up grants the cloud's stock member role (Nova, Cinder and Neutron's default
policies require it); a failure at that step is undone; the cloud option can turn it off."""

import pytest

from portal.clouds.drivers import get_driver
from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.identity import SimulatedIdentity
from portal.core.models import Task
from portal.tenants.models import Tenant, TenantIdentity
from portal.tenants.tests.conftest import sign_up, simulated_identity

pytestmark = pytest.mark.django_db

TENANT_ID = "t-0000000001"


def granted_role_ids(cloud):
    return {a.data["role_id"] for a in simulated_identity(cloud, TENANT_ID)["role_assignment"]}


def signed_up_task(client):
    response = sign_up(client, "Acme")
    assert response.status_code == 201, response.content
    return Task.objects.get(pk=response.json()["task"]["task_id"])


def test_sign_up_grants_the_member_role_and_records_it(cloud, platform_client, run_commit_hooks):
    task = signed_up_task(platform_client)

    assert task.state == Task.State.SUCCEEDED, task.message
    identity = TenantIdentity.objects.get(tenant_id=TENANT_ID)
    member_role_id = get_driver(cloud).identity.find_role("member")
    assert identity.member_role_id == member_role_id
    assert granted_role_ids(cloud) == {identity.role_id, member_role_id}


def test_the_member_role_is_named_by_the_cloud_option(cloud, platform_client, run_commit_hooks):
    cloud.options = {**cloud.options, "member_role": "reader"}
    cloud.save()

    signed_up_task(platform_client)

    identity = TenantIdentity.objects.get(tenant_id=TENANT_ID)
    assert identity.member_role_id == get_driver(cloud).identity.find_role("reader")


def test_an_empty_option_grants_no_member_role(
    cloud, platform_client, run_commit_hooks, monkeypatch
):
    cloud.options = {**cloud.options, "member_role": ""}
    cloud.save()
    looked_up = []
    monkeypatch.setattr(SimulatedIdentity, "find_role", lambda self, name: looked_up.append(name))

    task = signed_up_task(platform_client)

    assert task.state == Task.State.SUCCEEDED, task.message
    assert looked_up == []
    identity = TenantIdentity.objects.get(tenant_id=TENANT_ID)
    assert identity.member_role_id == ""
    assert granted_role_ids(cloud) == {identity.role_id}


@pytest.mark.parametrize(
    ("mode", "code"), [("not_found", "not_found"), ("unavailable", "unavailable")]
)
def test_a_failed_lookup_of_the_member_role_is_undone(
    cloud, platform_client, run_commit_hooks, mode, code
):
    inject_fault(cloud, "identity.find_role", mode=mode)

    task = signed_up_task(platform_client)

    assert (task.state, task.error_code) == (Task.State.FAILED, code)
    assert "Granting the cloud's member role to the user failed" in task.message
    assert Tenant.objects.get(pk=TENANT_ID).status == Tenant.Status.FAILED
    held = simulated_identity(cloud, TENANT_ID)
    assert not any(held.values())
    identity = TenantIdentity.objects.get(tenant_id=TENANT_ID)
    assert (identity.role_id, identity.user_id, identity.member_role_id) == ("", "", "")
    assert not identity.role_assigned


def test_a_missing_member_role_fails_the_sign_up(cloud, platform_client, run_commit_hooks):
    cloud.options = {**cloud.options, "member_role": "no-such-role"}
    cloud.save()

    task = signed_up_task(platform_client)

    assert (task.state, task.error_code) == (Task.State.FAILED, "not_found")
    assert not any(simulated_identity(cloud, TENANT_ID).values())


def test_rollback_revokes_the_member_grant(cloud, platform_client, run_commit_hooks, monkeypatch):
    """Granted, then the login check fails: the grant goes, even if the user cannot."""
    monkeypatch.setattr(SimulatedIdentity, "check_login", lambda self, credentials: False)
    inject_fault(cloud, "identity.delete_user", mode="unavailable")

    task = signed_up_task(platform_client)

    assert (task.state, task.error_code) == (Task.State.FAILED, "identity_check_failed")
    identity = TenantIdentity.objects.get(tenant_id=TENANT_ID)
    assert identity.user_id  # kept: its deletion failed
    assert identity.member_role_id == ""
    assert not identity.role_assigned
    assert granted_role_ids(cloud) == set()
