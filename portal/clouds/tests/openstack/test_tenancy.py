"""Tenant scope: each tenant's own Keystone user sees only its project's servers, and
Nova's per-project quota surfaces as CloudQuotaExceeded."""

import pytest

from portal.clouds.base import ServerSpec
from portal.clouds.drivers import get_driver
from portal.clouds.errors import CloudNotFound, CloudQuotaExceeded
from portal.clouds.openstack.waiting import wait_for_server
from portal.clouds.tests.openstack.fixtures import RUN, delete_server

# django_db: pytest-django creates the test database only for runs that hold such a test.
pytestmark = [pytest.mark.openstack, pytest.mark.django_db]


def boot_spec(name, image, flavors):
    # No network: a tenant's server needs none to prove who can see it.
    return ServerSpec(
        name=name, flavor_id=flavors["small"].id, image_id=image.id, boot_volume_size=1,
        network_ids=[],
    )  # fmt: skip


@pytest.fixture(scope="module")
def tenants(
    openstack_cloud,
    make_openstack_tenant,
    openstack_image,
    openstack_flavors,
    openstack_module_cleanup,
):
    """Two tenants, each with a driver in its own scope and one server it booted."""
    made = {}
    for label in ("a", "b"):
        driver = get_driver(openstack_cloud, make_openstack_tenant(f"tenant-{label}"))
        server = driver.compute.create_server(
            boot_spec(f"{RUN}-{label}-vm", openstack_image, openstack_flavors)
        )
        openstack_module_cleanup.add(delete_server, driver, server.id)
        made[label] = (driver, server)
    for driver, server in made.values():
        wait_for_server(driver, server.id, {"ACTIVE"})
    return made


def test_a_tenant_sees_only_its_own_servers(openstack_admin, tenants):
    (driver_a, server_a), (driver_b, server_b) = tenants["a"], tenants["b"]
    assert [s.id for s in driver_a.compute.iter_servers()] == [server_a.id]
    assert [s.id for s in driver_b.compute.iter_servers()] == [server_b.id]
    with pytest.raises(CloudNotFound):
        driver_a.compute.get_server(server_b.id)
    with pytest.raises(CloudNotFound):
        driver_b.compute.get_server(server_a.id)

    # The admin sees both, and filters by project.
    project_a = server_a.project_id
    assert [s.id for s in openstack_admin.compute.iter_servers(project_id=project_a)] == [
        server_a.id
    ]
    everything = {s.id for s in openstack_admin.compute.iter_servers()}
    assert {server_a.id, server_b.id} <= everything


def test_nova_quota_is_reported_as_quota_exceeded(
    openstack_admin_sdk, tenants, openstack_image, openstack_flavors
):
    driver, server = tenants["a"]
    openstack_admin_sdk.compute.update_quota_set(server.project_id, instances=1)

    with pytest.raises(CloudQuotaExceeded):
        driver.compute.create_server(
            boot_spec(f"{RUN}-over-quota", openstack_image, openstack_flavors)
        )
    assert [s.id for s in driver.compute.iter_servers()] == [server.id]
