"""Signing a tenant up on an Azure cloud (issue 19): the domain is the cloud's shared
resource group, the project a resource group of the tenant's own; no user, role or role
assignment is made (the portal acts as the cloud's service principal). The sign-up runs
through the API and the job, the SDK against replayed ARM exchanges."""

import pytest

from portal.core.models import Task
from portal.tenants.credentials import tenant_credentials
from portal.tenants.models import Tenant, TenantIdentity
from portal.tenants.tests.azure_sign_up import expect_sign_up
from portal.tenants.tests.conftest import sign_up

pytestmark = pytest.mark.django_db

SUBSCRIPTION = "/subscriptions/11111111-2222-3333-4444-555555555555"


@pytest.fixture
def azure(azure_cloud, monkeypatch):
    azure_cloud.is_default = True
    azure_cloud.save(update_fields=["is_default"])
    return azure_cloud


TAGS = {"portal-tenant": "t-0000000001"}


def arm_requests(arm):
    """(method, last segment of the path) of each ARM request, the sign-in left out."""
    return [
        (call.request.method, call.request.url.split("?")[0].rsplit("/", 1)[-1])
        for call in arm.calls[2:]
    ]


def test_a_tenant_signed_up_on_azure_gets_a_resource_group_of_its_own(
    azure, arm, platform_client, run_commit_hooks
):
    expect_sign_up(arm)

    answer = sign_up(platform_client, "Acme")

    assert answer.status_code == 201, answer.content
    task = Task.objects.get(pk=answer.json()["task"]["task_id"])
    assert task.state == Task.State.SUCCEEDED, task.message
    identity = TenantIdentity.objects.get(tenant_id=answer.json()["tenant_id"])
    assert identity.state == TenantIdentity.State.READY
    assert identity.domain_id == f"{SUBSCRIPTION}/resourceGroups/portal-rg"
    assert identity.project_id == f"{SUBSCRIPTION}/resourceGroups/t-0000000001"
    assert (identity.user_id, identity.role_id, identity.member_role_id) == ("", "", "")
    assert not identity.role_assigned
    assert identity.tenant.status == Tenant.Status.ACTIVE
    # Only the resource groups were asked for: read the shared one, make the tenant's,
    # read it back.
    asked = [("GET", "portal-rg"), ("PUT", "t-0000000001"), ("GET", "t-0000000001")]
    assert arm_requests(arm) == asked


def test_the_credentials_of_an_azure_identity_name_only_its_resource_group(azure, tenant):
    identity = TenantIdentity.objects.create(
        tenant=tenant, cloud=azure, domain_name="t", project_name="t", username="t",
        role_name="t", password="unused", project_id=f"{SUBSCRIPTION}/resourceGroups/t",
    )  # fmt: skip

    credentials = tenant_credentials(identity)

    assert (credentials.username, credentials.password) == ("", "")
    assert credentials.project_id == identity.project_id


def test_a_refused_resource_group_fails_the_sign_up_and_leaves_nothing(
    azure, arm, platform_client, run_commit_hooks
):
    arm.sign_in().play("resource_group_get", group="portal-rg", tags=None)
    arm.play("resource_group_create_refused", group="t-0000000001", tags=TAGS)

    answer = sign_up(platform_client, "Acme")

    task = Task.objects.get(pk=answer.json()["task"]["task_id"])
    assert (task.state, task.error_code) == (Task.State.FAILED, "cloud_forbidden")
    assert "Creating the tenant's project failed" in task.message
    identity = TenantIdentity.objects.get(tenant_id=answer.json()["tenant_id"])
    assert identity.state == TenantIdentity.State.FAILED
    # The shared group is the operator's: undoing forgets it, deletes nothing in Azure.
    assert (identity.domain_id, identity.project_id) == ("", "")
    assert arm_requests(arm) == [("GET", "portal-rg"), ("PUT", "t-0000000001")]
    assert Tenant.objects.get().status == Tenant.Status.FAILED
