"""Flavors made from the admin: in the cloud by a Celery job, public
or shared with chosen tenants, then mirrored; refusals and cloud failures."""

import pytest

from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.core.errors import Conflict, ValidationFailed
from portal.core.models import Task
from portal.servers import flavors
from portal.servers.models import Flavor
from portal.servers.tests.factories import make_identity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

CHANGELIST = "/admin/servers/flavor/"
CREATE = f"{CHANGELIST}create/"


def request(**changes):
    fields = {"name": "c4.large", "vcpus": 4, "ram": 8192, "disk": 40, "extra_specs": {}}
    return flavors.FlavorRequest(**{**fields, **changes})


def cloud_flavor(cloud, name):
    return next(f for f in SimulatorDriver(cloud).compute.list_flavors() if f.name == name)


def test_a_public_flavor_is_made_in_the_cloud_and_mirrored(cloud):
    task = flavors.create_flavor(
        cloud, request(extra_specs={"hw:cpu_policy": "dedicated"}), actor="staff:alice"
    )
    task.refresh_from_db()
    assert (task.kind, task.state) == ("flavors.create", Task.State.SUCCEEDED)
    made = cloud_flavor(cloud, "c4.large")
    flavor = Flavor.objects.get(cloud=cloud, backend_id=made.id)
    assert (flavor.vcpus, flavor.ram, flavor.disk, flavor.is_public) == (4, 8192, 40, True)
    assert flavor.extra_specs == {"hw:cpu_policy": "dedicated"}


def test_a_shared_flavor_is_offered_to_its_tenants_only(
    cloud, tenant, other_tenant, client_of_tenant, client_of_other_tenant
):
    identity = make_identity(tenant, cloud)
    make_identity(other_tenant, cloud)
    flavors.create_flavor(
        cloud, request(name="gold", is_public=False, tenants=(tenant,)), actor="staff:alice"
    )
    made = cloud_flavor(cloud, "gold")
    assert SimulatorDriver(cloud).compute.list_flavor_access(made.id) == [identity.project_id]
    assert list(Flavor.objects.get(backend_id=made.id).shared_with.all()) == [tenant]
    assert client_of_tenant.get(f"/api/v1/flavors/{made.id}").status_code == 200
    assert client_of_other_tenant.get(f"/api/v1/flavors/{made.id}").status_code == 404


def test_bad_values_and_a_taken_name_are_refused(cloud, tenant):
    with pytest.raises(ValidationFailed) as refused:
        flavors.create_flavor(cloud, request(vcpus=0, name=""), actor="staff:alice")
    assert set(refused.value.fields) == {"vcpus", "name"}
    with pytest.raises(ValidationFailed) as refused:  # not set up in this cloud
        flavors.create_flavor(cloud, request(is_public=False, tenants=(tenant,)), actor="x")
    assert "shared_with" in refused.value.fields
    flavors.create_flavor(cloud, request(), actor="staff:alice")
    with pytest.raises(Conflict):
        flavors.create_flavor(cloud, request(), actor="staff:alice")
    assert Task.objects.filter(kind="flavors.create").count() == 1


def test_a_failed_grant_deletes_the_flavor_again(cloud, tenant):
    make_identity(tenant, cloud)
    inject_fault(cloud, "compute.add_flavor_access", mode="unavailable")
    task = flavors.create_flavor(
        cloud, request(name="gold", is_public=False, tenants=(tenant,)), actor="staff:alice"
    )
    task.refresh_from_db()
    assert (task.state, task.error_code) == (Task.State.FAILED, "unavailable")
    assert not [f for f in SimulatorDriver(cloud).compute.list_flavors() if f.name == "gold"]
    assert not Flavor.objects.filter(name="gold").exists()


def test_cloud_down_fails_the_task(cloud):
    inject_fault(cloud, "compute.create_flavor", mode="unavailable")
    task = flavors.create_flavor(cloud, request(), actor="staff:alice")
    task.refresh_from_db()
    assert (task.state, task.error_code) == (Task.State.FAILED, "unavailable")
    assert not Flavor.objects.exists()


def test_the_admin_create_flavor_page(admin_client, cloud, tenant):
    make_identity(tenant, cloud)
    assert CREATE in admin_client.get(CHANGELIST).content.decode()
    assert admin_client.get(CREATE).status_code == 200
    response = admin_client.post(
        CREATE,
        {
            "cloud": cloud.pk, "name": "gold", "vcpus": 2, "ram": 4096, "disk": 20,
            "extra_specs": "hw:cpu_policy=dedicated\n\nquota:disk_read_iops_sec = 500",
            "shared_with": [tenant.pk],
        },
    )  # fmt: skip
    assert response.status_code == 302
    flavor = Flavor.objects.get(name="gold")
    assert not flavor.is_public
    assert flavor.extra_specs == {
        "hw:cpu_policy": "dedicated", "quota:disk_read_iops_sec": "500"
    }  # fmt: skip
    assert list(flavor.shared_with.all()) == [tenant]


def test_the_admin_page_shows_refusals(admin_client, cloud):
    base = {"cloud": cloud.pk, "name": "m", "vcpus": 1, "ram": 64, "disk": 0, "is_public": "on"}
    admin_client.post(CREATE, base)
    response = admin_client.post(CREATE, base)
    assert response.status_code == 200
    assert "already" in response.content.decode()
    response = admin_client.post(CREATE, {**base, "name": "n", "extra_specs": "no-equals"})
    assert "name=value" in response.content.decode()
