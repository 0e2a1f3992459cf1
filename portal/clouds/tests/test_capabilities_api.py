"""`GET /clouds/{cloud_id}/capabilities`: what a cloud's kind cannot do and why, for any
API caller (issue 19)."""

import pytest

from portal.clouds.capabilities import UNSUPPORTED
from portal.clouds.tests.factories import AzureCloudFactory, CloudFactory

pytestmark = pytest.mark.django_db


def capabilities(client, cloud_id):
    return client.get(f"/api/v1/clouds/{cloud_id}/capabilities")


def test_an_azure_cloud_lists_each_refused_operation_with_its_reason(platform_client):
    cloud = AzureCloudFactory()

    answer = capabilities(platform_client, cloud.pk)

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["cloud_id"], body["kind"]) == (str(cloud.pk), "azure")
    listed = {item["operation"]: item["message"] for item in body["unsupported"]}
    assert listed == {name: str(message) for name, message in UNSUPPORTED["azure"].items()}
    for operation in ("suspend", "pause", "lock", "rescue", "shelve", "console", "interface_attach",
                      "availability_zone"):  # fmt: skip
        assert operation in listed


@pytest.mark.parametrize("kind", ["simulator", "openstack"])
def test_simulator_and_openstack_clouds_can_do_everything(staff_client, kind):
    cloud = CloudFactory(kind=kind)

    answer = capabilities(staff_client, cloud.pk)

    assert answer.json() == {"cloud_id": str(cloud.pk), "kind": kind, "unsupported": []}


def test_tenants_may_ask_about_enabled_clouds_only(client_of_tenant):
    enabled, disabled = AzureCloudFactory(), AzureCloudFactory(enabled=False)

    assert capabilities(client_of_tenant, enabled.pk).status_code == 200
    assert capabilities(client_of_tenant, disabled.pk).status_code == 404
    # Asking about capabilities opens nothing else of the clouds to tenants.
    assert client_of_tenant.get(f"/api/v1/clouds/{enabled.pk}").status_code == 403


def test_strangers_and_unknown_clouds(anon_client, staff_client):
    cloud = AzureCloudFactory()

    assert capabilities(anon_client, cloud.pk).status_code == 401
    assert capabilities(staff_client, 999999).status_code == 404
    assert capabilities(staff_client, "not-a-number").status_code == 404
