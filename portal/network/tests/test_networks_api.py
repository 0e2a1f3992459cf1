"""GET /networks: the networks a tenant may boot on (its own and shared ones)."""

import pytest

from portal.network.tests.factories import NetworkFactory
from portal.servers.tests.factories import make_identity

pytestmark = pytest.mark.django_db

URL = "/api/v1/networks"


@pytest.fixture
def networks(cloud, tenant, other_tenant):
    mine = make_identity(tenant, cloud).project_id
    theirs = make_identity(other_tenant, cloud).project_id
    return {
        "shared": NetworkFactory(cloud=cloud, name="shared-net"),
        "mine": NetworkFactory(cloud=cloud, name="my-net", project_id=mine),
        "theirs": NetworkFactory(cloud=cloud, name="their-net", project_id=theirs),
        "external": NetworkFactory(cloud=cloud, name="ext", project_id="admin", external=True),
    }


def names(answer):
    return [network["network_name"] for network in answer.json()["networks"]]


def test_a_tenant_lists_its_own_and_shared_networks(client_of_tenant, networks):
    answer = client_of_tenant.get(URL)
    assert answer.status_code == 200
    assert names(answer) == ["my-net", "shared-net"]
    assert answer.json()["networks"][0] == {
        "network_uuid": networks["mine"].backend_id,
        "network_name": "my-net",
        "region": "region-one",
        "shared": False,
        "status": "ACTIVE",
    }


def test_another_tenants_network_is_404(client_of_tenant, client_of_other_tenant, networks):
    theirs = networks["theirs"].backend_id
    assert client_of_tenant.get(f"{URL}/{theirs}").status_code == 404
    assert client_of_other_tenant.get(f"{URL}/{theirs}").json()["network_name"] == "their-net"


def test_operators_see_every_network_with_its_project(platform_client, networks):
    answer = platform_client.get(URL, {"shared": "false"})
    assert names(answer) == ["ext", "my-net", "their-net"]
    assert answer.json()["networks"][0]["external"] is True


def test_a_page_costs_a_constant_number_of_queries(
    cloud, tenant, client_of_tenant, networks, django_assert_max_num_queries
):
    for number in range(30):
        NetworkFactory(cloud=cloud, name=f"more-{number}")
    with django_assert_max_num_queries(8):
        answer = client_of_tenant.get(URL, {"page_size": 50})
    assert answer.json()["count"] == 32
