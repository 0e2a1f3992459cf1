"""A server's `network_uuid` takes the tenant's VPCs (by the portal's vpc_id or the
Neutron id), and may be left out when the tenant has exactly one usable network."""

import pytest
from django.urls import reverse

from portal.network.models import Network
from portal.network.tests.test_vpcs_api import make_vpc
from portal.servers.models import Server
from portal.servers.tests.test_server_placement import create, refused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("identity", "run_commit_hooks")]


@pytest.fixture
def only_vpcs(catalog):
    """The demo's shared network gone: the tenant's networks are its VPCs only."""
    Network.objects.filter(backend_id=catalog["network_id"]).update(shared=False)


@pytest.mark.parametrize("id_field", ["vpc_id", "cloud_vpc_id"])
def test_a_server_boots_in_a_vpc(client_of_tenant, create_body, id_field):
    vpc = make_vpc(client_of_tenant)
    answer = create(client_of_tenant, create_body(network_uuid=vpc[id_field]), expect=202)
    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert answer["network_uuid"] == vpc["cloud_vpc_id"]
    assert list(Server.objects.get().addresses) == ["prod"]


def test_the_only_usable_network_is_taken_when_none_is_named(
    only_vpcs, client_of_tenant, create_body
):
    vpc = make_vpc(client_of_tenant)
    body = create_body()
    del body["network_uuid"]
    answer = create(client_of_tenant, body, expect=202)
    assert answer["network_uuid"] == vpc["cloud_vpc_id"]


def test_no_network_named_with_several_usable_ones_is_400(client_of_tenant, create_body):
    make_vpc(client_of_tenant)  # besides the demo's shared network
    answer = create(client_of_tenant, create_body(network_uuid=""), expect=400)
    assert "several" in answer["error"]["fields"]["network_uuid"][0]
    assert not Server.objects.exists()


def test_no_network_named_with_none_usable_is_400(only_vpcs, client_of_tenant, create_body):
    fields = refused(client_of_tenant, create_body(network_uuid=""))
    assert "create a VPC" in fields["network_uuid"][0]


def test_a_vpc_with_a_server_is_not_deleted(client_of_tenant, create_body):
    vpc = make_vpc(client_of_tenant)
    create(client_of_tenant, create_body(network_uuid=vpc["vpc_id"]), expect=202)
    answer = client_of_tenant.delete(reverse("api:vpc-detail", kwargs={"vpc_id": vpc["vpc_id"]}))
    assert answer.status_code == 409
    assert "web-1" in answer.json()["error"]["message"]
