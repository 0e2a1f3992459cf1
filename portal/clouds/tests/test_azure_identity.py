"""A tenant's identity on Azure (clouds/azure/identity.py): the domain is the cloud's
shared resource group, the project a resource group of the tenant's own; no users or
roles. Each call runs the real SDK against replayed ARM exchanges."""

import pytest
import responses

from portal.clouds.azure.identity import TENANT_TAG, AzureIdentity
from portal.clouds.azure.session import AzureSession
from portal.clouds.base import TenantCredentials
from portal.clouds.errors import CloudBadRequest, CloudForbidden

pytestmark = pytest.mark.django_db

SUBSCRIPTION = "/subscriptions/11111111-2222-3333-4444-555555555555"
TENANT_GROUP = f"{SUBSCRIPTION}/resourceGroups/t-0000000001"
TAGS = {TENANT_TAG: "t-0000000001"}


@pytest.fixture
def identity(azure_cloud):
    return AzureIdentity(AzureSession(azure_cloud))


def credentials(project_id):
    return TenantCredentials(username="", password="", project_id=project_id, user_domain_id="")


def arm_requests(arm):
    return [(call.request.method, call.request.url.split("?")[0]) for call in arm.calls[2:]]


def test_the_domain_is_the_clouds_shared_resource_group(arm, identity):
    arm.sign_in().play("resource_group_get", group="portal-rg", tags=None)

    assert identity.create_domain("t-0000000001") == f"{SUBSCRIPTION}/resourceGroups/portal-rg"


def test_the_project_is_a_tagged_resource_group_in_the_clouds_location(arm, identity):
    arm.sign_in().play("resource_group_create", group="t-0000000001", tags=TAGS)
    arm.play("resource_group_get", group="t-0000000001", tags=TAGS)

    project_id = identity.create_project("t-0000000001", "domain")

    assert project_id == TENANT_GROUP
    assert identity.check_login(credentials(project_id)) is True


def test_deleting_the_project_waits_for_azures_long_running_deletion(arm, identity):
    arm.sign_in().play("resource_group_delete", group="t-0000000001", operation="RGDEL-T1")

    identity.delete_project(TENANT_GROUP)

    # The DELETE, then its Location polled until it answers 200.
    assert [method for method, _url in arm_requests(arm)] == ["DELETE", "GET", "GET"]


def test_a_group_already_gone_is_neither_readable_nor_an_error_to_delete(arm, identity):
    arm.sign_in().play("resource_group_get_gone", group="t-0000000001")
    arm.play("resource_group_delete_gone", group="t-0000000001")

    assert identity.check_login(credentials(TENANT_GROUP)) is False
    identity.delete_project(TENANT_GROUP)


def test_azures_refusal_is_a_cloud_error(arm, identity):
    arm.sign_in().play("resource_group_create_refused", group="t-0000000001", tags=TAGS)

    with pytest.raises(CloudForbidden):
        identity.create_project("t-0000000001", "domain")


def test_the_shared_group_is_never_deleted(identity):
    with responses.RequestsMock() as mock:  # any request would fail: none is served
        identity.delete_domain(f"{SUBSCRIPTION}/resourceGroups/portal-rg")

    assert len(mock.calls) == 0  # not even a sign-in


@pytest.mark.parametrize(
    ("method", "arguments"),
    [
        ("create_user", ("t-1", "pw", "d", "p")),
        ("create_role", ("t-1",)),
        ("assign_role", ("r", "u", "p")),
        ("find_role", ("member",)),
        ("unassign_role", ("r", "u", "p")),
        ("delete_role", ("r",)),
        ("delete_user", ("u",)),
    ],
)
def test_there_are_no_tenant_users_or_roles(identity, method, arguments):
    with pytest.raises(CloudBadRequest, match="no tenant users"):
        getattr(identity, method)(*arguments)
