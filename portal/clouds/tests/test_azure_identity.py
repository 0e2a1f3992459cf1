"""A tenant's identity on Azure (clouds/azure/identity.py): the domain is the cloud's
shared resource group, the project a resource group of the tenant's own; no users or
roles. Each call runs the real SDK against replayed ARM exchanges."""

import pytest
import responses

from portal.clouds.azure.identity import TENANT_TAG, AzureIdentity
from portal.clouds.azure.session import AzureSession
from portal.clouds.base import TenantCredentials
from portal.clouds.errors import CloudBadRequest, CloudForbidden
from portal.clouds.tests.arm_replay import load, replaying
from portal.clouds.tests.factories import AzureCloudFactory

pytestmark = pytest.mark.django_db

SUBSCRIPTION = "/subscriptions/11111111-2222-3333-4444-555555555555"
TENANT_GROUP = f"{SUBSCRIPTION}/resourceGroups/t-0000000001"


@pytest.fixture
def azure():
    return AzureCloudFactory(options={"azure_polling_interval": 0})


@pytest.fixture
def identity(azure):
    return AzureIdentity(AzureSession(azure))


def credentials(project_id):
    return TenantCredentials(username="", password="", project_id=project_id, user_domain_id="")


def test_the_domain_is_the_clouds_shared_resource_group(azure, identity):
    with replaying(azure, load("resource_groups/read_shared_group.json")) as asked:
        domain_id = identity.create_domain("t-0000000001")

    assert domain_id == f"{SUBSCRIPTION}/resourceGroups/portal-rg"
    assert [method for method, _url, _body in asked] == ["GET", "POST", "GET"]  # sign-in, read


def test_the_project_is_a_tagged_resource_group_in_the_clouds_location(azure, identity):
    with replaying(azure, load("resource_groups/create_tenant_group.json")) as asked:
        project_id = identity.create_project("t-0000000001", "domain")
        readable = identity.check_login(credentials(project_id))

    assert (project_id, readable) == (TENANT_GROUP, True)
    put = asked[2]
    assert put[0] == "PUT"
    assert put[2] == {"location": "westeurope", "tags": {TENANT_TAG: "t-0000000001"}}


def test_deleting_the_project_waits_for_azures_long_running_deletion(azure, identity):
    with replaying(azure, load("resource_groups/delete_tenant_group.json")) as asked:
        identity.delete_project(TENANT_GROUP)

    # The DELETE, then the Location polled until it answers 200.
    assert [method for method, _url, _body in asked] == ["GET", "POST", "DELETE", "GET", "GET"]


def test_a_group_already_gone_is_neither_readable_nor_an_error_to_delete(azure, identity):
    with replaying(azure, load("resource_groups/tenant_group_gone.json")):
        assert identity.check_login(credentials(TENANT_GROUP)) is False
        identity.delete_project(TENANT_GROUP)


def test_azures_refusal_is_a_cloud_error(azure, identity):
    refused = load("resource_groups/create_tenant_group_refused.json")
    with replaying(azure, refused), pytest.raises(CloudForbidden):
        identity.create_project("t-0000000001", "domain")


def test_the_shared_group_is_never_deleted(azure, identity):
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
