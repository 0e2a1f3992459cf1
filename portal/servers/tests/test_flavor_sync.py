"""The flavor pull, against the simulator cloud."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.clouds.simulator.demo import seed_demo_cloud
from portal.clouds.simulator.faults import inject_fault
from portal.clouds.tasks import sync_on_schedule
from portal.core.models import Task
from portal.core.tests.queries import writes_to
from portal.servers.models import Flavor
from portal.servers.workflows import flavors
from portal.tenants.models import TenantIdentity

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(cloud):
    return seed_demo_cloud(cloud)["flavors"]


@pytest.fixture
def project_of_tenant(cloud, tenant):
    TenantIdentity.objects.create(
        tenant=tenant, cloud=cloud, domain_name="d", project_name="p", project_id="project-1",
        username="u", password="pw", role_name="member",
    )  # fmt: skip
    return "project-1"


def test_first_sync_mirrors_flavors(cloud, driver, demo):
    counts = flavors.sync_flavors(cloud, driver)

    assert (counts.read, counts.created) == (3, 3)
    small = Flavor.objects.get(backend_id=demo["m1.small"])
    assert (small.name, small.vcpus, small.ram, small.disk, small.is_public) == (
        "m1.small", 1, 2048, 20, True,
    )  # fmt: skip
    assert (small.enabled, small.missing_since, small.flavor_id) == (True, None, small.backend_id)


def test_non_public_flavors_are_shared_with_the_tenants_of_their_projects(
    cloud, driver, tenant, project_of_tenant
):
    gold = driver.compute.create_flavor("gold", 8, 16384, 100, is_public=False)
    driver.compute.add_flavor_access(gold.id, project_of_tenant)
    driver.compute.add_flavor_access(gold.id, "project-of-nobody")

    flavors.sync_flavors(cloud, driver)

    flavor = Flavor.objects.get(backend_id=gold.id)
    assert not flavor.is_public
    assert list(flavor.shared_with.all()) == [tenant]

    driver.compute.remove_flavor_access(gold.id, project_of_tenant)
    flavors.sync_flavors(cloud, driver)
    assert not flavor.shared_with.exists()


def test_changed_vanished_and_unchanged_flavors(cloud, driver, demo):
    flavors.sync_flavors(cloud, driver)
    Flavor.objects.filter(backend_id=demo["m1.large"]).update(enabled=False)
    driver.compute.delete_flavor(demo["m1.medium"])
    bigger = driver.compute.create_flavor("m1.xlarge", 8, 16384, 160, extra_specs={"a": "b"})

    counts = flavors.sync_flavors(cloud, driver)

    assert (counts.created, counts.updated, counts.missing) == (1, 0, 1)
    assert Flavor.objects.get(backend_id=demo["m1.medium"]).missing_since is not None
    assert Flavor.objects.get(backend_id=bigger.id).extra_specs == {"a": "b"}
    assert not Flavor.objects.get(backend_id=demo["m1.large"]).enabled  # the portal's flag


def test_a_second_unchanged_sync_writes_nothing(cloud, driver, demo, project_of_tenant):
    gold = driver.compute.create_flavor("gold", 8, 16384, 100, is_public=False)
    driver.compute.add_flavor_access(gold.id, project_of_tenant)
    flavors.sync_flavors(cloud, driver)

    with CaptureQueriesContext(connection) as queries:
        counts = flavors.sync_flavors(cloud, driver)

    assert (counts.read, counts.created, counts.updated, counts.missing) == (4, 0, 0, 0)
    assert writes_to(queries, "servers_flavor", "servers_flavor_shared_with") == []


def test_sync_job_records_its_task(cloud, demo, sync_now):
    task = sync_now("flavors.sync", cloud)
    assert (task.kind, task.state, task.progress) == ("flavors.sync", "succeeded", 100)
    assert Flavor.objects.count() == 3


@pytest.mark.parametrize("operation", ["compute.list_flavors", "compute.list_flavor_access"])
def test_cloud_failure_fails_the_task_and_changes_nothing(cloud, driver, demo, operation, sync_now):
    driver.compute.create_flavor("gold", 8, 16384, 100, is_public=False)
    flavors.sync_flavors(cloud, driver)
    before = list(Flavor.objects.order_by("pk").values())
    driver.compute.delete_flavor(demo["m1.small"])
    driver.compute.create_flavor("silver", 4, 8192, 50, is_public=False)
    inject_fault(cloud, operation, mode="unavailable")

    task = sync_now("flavors.sync", cloud)

    assert (task.state, task.error_code) == (Task.State.FAILED, "unavailable")
    assert list(Flavor.objects.order_by("pk").values()) == before


def test_sync_now_through_the_api(cloud, demo, platform_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = platform_client.post("/api/v1/flavors/sync", {"region": "region-one"})
    assert response.status_code == 202
    assert Task.objects.get().state == Task.State.SUCCEEDED
    assert platform_client.get("/api/v1/flavors").json()["count"] == 3


def test_beat_entry_point_queues_and_runs_a_sync(cloud, demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sync_on_schedule("flavors.sync", cloud.pk)
    assert Task.objects.get(kind="flavors.sync").state == Task.State.SUCCEEDED
    assert Flavor.objects.count() == 3
