"""A server's network, security groups, zone and host are checked against the network
pull's mirrors before anything is written."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.testing import make_tenant
from portal.core.errors import ValidationFailed
from portal.core.models import Task
from portal.network.models import ComputeHost, Network, SecurityGroup
from portal.network.services import Placement, check_placement
from portal.network.tests.factories import (
    AvailabilityZoneFactory,
    ComputeHostFactory,
    NetworkFactory,
    SecurityGroupFactory,
)
from portal.network.workflows import sync_network
from portal.servers.models import Server
from portal.servers.tests.wizard import post_step, step_shown, walk
from portal.tenants.credentials import tenant_credentials
from portal.tenants.models import QuotaReservation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("identity", "run_commit_hooks")]

LIST = reverse("api:instance-list")


def create(client, body, expect):
    answer = client.post(LIST, body, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def refused(client, body, expect=400):
    """The error's fields, after checking that nothing was written: no server, no Task,
    no quota held."""
    answer = create(client, body, expect)
    assert not Server.objects.exists()
    assert not Task.objects.filter(kind="server.create").exists()
    assert not QuotaReservation.objects.exists()
    return answer["error"]["fields"]


@pytest.fixture
def other_project(cloud):
    """A second tenant's driver in the same cloud (its own project)."""
    return SimulatorDriver(cloud, make_tenant(cloud, "other"))


# ---- network ---------------------------------------------------------------------------


def test_an_unknown_network_is_400_and_says_how_lists_are_refreshed(client_of_tenant, create_body):
    fields = refused(client_of_tenant, create_body(network_uuid="no-such-net"))
    assert list(fields) == ["network_uuid"]
    assert "network sync" in fields["network_uuid"][0]


def test_another_tenants_network_is_unknown(cloud, client_of_tenant, create_body, other_project):
    theirs = other_project.network.create_network("theirs")
    sync_network(cloud, SimulatorDriver(cloud))
    assert Network.objects.filter(backend_id=theirs.id).exists()
    fields = refused(client_of_tenant, create_body(network_uuid=theirs.id))
    assert "network_uuid" in fields


def test_a_tenant_boots_on_its_own_network(cloud, identity, client_of_tenant, create_body):
    mine = SimulatorDriver(cloud, tenant_credentials(identity)).network
    own = mine.create_network("mine")
    mine.create_subnet(own.id, "192.168.7.0/24")
    sync_network(cloud, SimulatorDriver(cloud))
    answer = create(client_of_tenant, create_body(network_uuid=own.id), expect=202)
    assert answer["task"]["state"] == "succeeded", answer["task"]


def test_a_network_the_cloud_no_longer_lists_is_unknown(
    cloud, client_of_tenant, create_body, catalog
):
    Network.objects.filter(backend_id=catalog["network_id"]).update(missing_since=timezone.now())
    assert "network_uuid" in refused(client_of_tenant, create_body())


def test_a_network_that_is_not_active_is_422(cloud, client_of_tenant, create_body, catalog):
    Network.objects.filter(backend_id=catalog["network_id"]).update(status="DOWN")
    answer = create(client_of_tenant, create_body(), expect=422)
    assert answer["error"]["code"] == "placement_unusable"
    assert "DOWN" in answer["error"]["fields"]["network_uuid"][0]
    assert not Server.objects.exists()


def test_an_external_network_of_another_project_is_422(cloud, client_of_tenant, create_body):
    public = NetworkFactory(cloud=cloud, project_id="admin-project", external=True)
    answer = create(client_of_tenant, create_body(network_uuid=public.backend_id), expect=422)
    assert "external" in answer["error"]["fields"]["network_uuid"][0]
    assert not Server.objects.exists()


# ---- security groups -------------------------------------------------------------------


def test_security_groups_must_be_the_tenants_own(
    cloud, identity, client_of_tenant, create_body, other_project
):
    other_project.network.create_security_group("theirs")
    SimulatorDriver(cloud, tenant_credentials(identity)).network.create_security_group("web")
    sync_network(cloud, SimulatorDriver(cloud))

    fields = refused(client_of_tenant, create_body(security_group_name=["web", "theirs", "x"]))
    assert list(fields) == ["security_group_name"]
    assert "theirs, x" in fields["security_group_name"][0]
    assert "network sync" in fields["security_group_name"][0]

    answer = create(
        client_of_tenant, create_body(security_group_name=["default", "web"]), expect=202
    )
    assert answer["task"]["state"] == "succeeded", answer["task"]
    assert answer["security_group_name"] == ["default", "web"]


def test_default_is_accepted_before_neutron_made_the_projects_group(
    client_of_tenant, create_body, identity
):
    assert not SecurityGroup.objects.filter(project_id=identity.project_id).exists()
    answer = create(client_of_tenant, create_body(security_group_name=["default"]), expect=202)
    assert answer["task"]["state"] == "succeeded", answer["task"]


# ---- zone and host ---------------------------------------------------------------------


def test_an_unknown_zone_is_400_and_an_unavailable_one_422(cloud, client_of_tenant, create_body):
    assert "availability_zone" in refused(client_of_tenant, create_body(availability_zone="az9"))
    AvailabilityZoneFactory(cloud=cloud, name="az-closed", available=False)
    answer = create(client_of_tenant, create_body(availability_zone="az-closed"), expect=422)
    assert "not available" in answer["error"]["fields"]["availability_zone"][0]
    answer = create(client_of_tenant, create_body(availability_zone="nova"), expect=202)
    assert answer["availability_zone"] == "nova"


def operator_body(create_body, tenant, **changes):
    return create_body(tenant_id=tenant.tenant_id, **changes)


@pytest.mark.parametrize(
    ("host", "zone", "expect", "words"),
    [
        ("compute-9", "", 400, "No compute host"),
        ("disabled-1", "", 422, "disabled"),
        ("down-1", "", 422, "down"),
        ("sim-compute-1", "az2", 422, "not az2"),
    ],
)
def test_an_operators_host_must_exist_be_enabled_up_and_in_the_zone(
    cloud, platform_client, create_body, tenant, host, zone, expect, words
):
    ComputeHostFactory(
        cloud=cloud, name="disabled-1", status=ComputeHost.Status.DISABLED, disabled_reason="fan"
    )
    ComputeHostFactory(cloud=cloud, name="down-1", state=ComputeHost.State.DOWN)
    AvailabilityZoneFactory(cloud=cloud, name="az2")
    body = operator_body(create_body, tenant, hypervisor_hostname=host, availability_zone=zone)
    answer = create(platform_client, body, expect)
    assert words in answer["error"]["fields"]["hypervisor_hostname"][0]
    assert not Server.objects.exists()


def test_an_operator_places_a_server_on_a_usable_host(platform_client, create_body, tenant):
    body = operator_body(
        create_body, tenant, hypervisor_hostname="sim-compute-1", availability_zone="nova"
    )
    answer = create(platform_client, body, expect=202)
    assert answer["hypervisor_hostname"] == "sim-compute-1"


def test_every_unknown_field_is_named_at_once(client_of_tenant, create_body):
    body = create_body(network_uuid="nope", security_group_name=["nope"], availability_zone="nope")
    fields = refused(client_of_tenant, body)
    assert set(fields) == {"network_uuid", "security_group_name", "availability_zone"}


def test_the_check_costs_a_constant_number_of_queries(
    cloud, tenant, identity, catalog, django_assert_max_num_queries
):
    names = tuple(f"group-{number}" for number in range(20))
    for name in names:
        SecurityGroupFactory(cloud=cloud, project_id=identity.project_id, name=name)
    placement = Placement(
        network_uuid=catalog["network_id"],
        security_group_name=names,
        availability_zone="nova",
        hypervisor_hostname="sim-compute-1",
    )
    with django_assert_max_num_queries(5):
        check_placement(tenant, cloud, placement)


# ---- the admin form --------------------------------------------------------------------


def test_the_wizard_offers_the_placement_and_shows_a_refusal_on_its_field(
    client, staff_user, tenant, catalog, cloud
):
    """The zone and the host are each offered, but a host outside the chosen zone is
    the service's refusal, shown on the host's picker."""
    AvailabilityZoneFactory(cloud=cloud, name="az-2")
    client.force_login(staff_user)
    review = walk(
        client, tenant, source=f"image:{catalog['images']['cirros-0.6.2']}",
        flavor=catalog["flavor_rows"]["m1.small"].pk, network=catalog["network_id"],
        advanced={"availability_zone": "az-2", "hypervisor_hostname": "sim-compute-1"},
    )  # fmt: skip
    assert review.context["summary"]["hypervisor_hostname"] == "sim-compute-1"
    answer = post_step(client, "review")
    assert answer.status_code == 200
    assert step_shown(answer) == "advanced"
    assert "not az-2" in str(answer.context["form"].errors["hypervisor_hostname"])
    assert not Server.objects.exists()


def test_a_tenant_not_set_up_in_the_cloud_has_no_groups_of_its_own(cloud, other_tenant, catalog):
    SecurityGroupFactory(cloud=cloud, project_id="", name="orphan")
    placement = Placement(network_uuid=catalog["network_id"], security_group_name=("orphan",))
    with pytest.raises(ValidationFailed) as refused:
        check_placement(other_tenant, cloud, placement)
    assert list(refused.value.fields) == ["security_group_name"]
