"""A server's remote console and console log from the real Nova (fake virt driver, VNC
enabled by scripts/openstack-lite): in a tenant's own scope, refused for another tenant's
server, for an unknown one, and for a server Nova has not placed on a host."""

import pytest

from portal.clouds.base import ServerSpec
from portal.clouds.drivers import get_driver
from portal.clouds.errors import CloudConflict, CloudNotFound
from portal.clouds.openstack.waiting import wait_for_server
from portal.clouds.tests.openstack.fixtures import RUN, delete_server

# django_db: pytest-django creates the test database only for runs that hold such a test.
pytestmark = [pytest.mark.openstack, pytest.mark.django_db]

# nova.virt.fake.FakeDriver's console log.
FAKE_CONSOLE_OUTPUT = "FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE"
UNKNOWN_SERVER = "00000000-0000-4000-8000-000000000000"


def boot(driver, name, flavor_id, image_id) -> str:
    spec = ServerSpec(
        name=name, flavor_id=flavor_id, image_id=image_id, boot_volume_size=1, network_ids=[]
    )
    return driver.compute.create_server(spec).id


@pytest.fixture(scope="module")
def tenant_driver(openstack_cloud, make_openstack_tenant):
    return get_driver(openstack_cloud, make_openstack_tenant("console"))


@pytest.fixture(scope="module")
def server_id(tenant_driver, openstack_image, openstack_flavors, openstack_module_cleanup):
    """An ACTIVE server the tenant booted."""
    made = boot(
        tenant_driver, f"{RUN}-console-vm", openstack_flavors["small"].id, openstack_image.id
    )
    openstack_module_cleanup.add(delete_server, tenant_driver, made)
    wait_for_server(tenant_driver, made, {"ACTIVE"})
    return made


@pytest.fixture(scope="module")
def unplaced_server_id(openstack_admin, tenant_driver, openstack_image, openstack_module_cleanup):
    """A server no host can take (its flavor wants another hypervisor): ERROR, no host."""
    compute = openstack_admin.compute
    nowhere = {"capabilities:hypervisor_type": "no-such-hypervisor"}
    flavor = compute.create_flavor(f"{RUN}-nowhere", 1, 128, 1, extra_specs=nowhere)
    openstack_module_cleanup.add(compute.delete_flavor, flavor.id)
    made = boot(tenant_driver, f"{RUN}-unplaced-vm", flavor.id, openstack_image.id)
    openstack_module_cleanup.add(delete_server, tenant_driver, made)
    wait_for_server(tenant_driver, made, {"ERROR"})
    return made


def test_the_remote_console_is_a_novnc_url(tenant_driver, server_id):
    console = tenant_driver.compute.get_remote_console(server_id)
    assert (console.protocol, console.type) == ("vnc", "novnc")
    # The harness's novncproxy_base_url, with the console's token.
    assert console.url.startswith("http://127.0.0.1:6080/vnc_auto.html?path=")
    assert "token" in console.url


def test_the_console_log_gives_its_last_lines(tenant_driver, server_id):
    compute = tenant_driver.compute
    assert compute.get_console_output(server_id, 100) == FAKE_CONSOLE_OUTPUT
    assert compute.get_console_output(server_id, 2) == "ANOTHER\nLAST LINE"


def test_another_tenants_server_is_not_found(openstack_cloud, make_openstack_tenant, server_id):
    stranger = get_driver(openstack_cloud, make_openstack_tenant("console-stranger"))
    with pytest.raises(CloudNotFound):
        stranger.compute.get_remote_console(server_id)
    with pytest.raises(CloudNotFound):
        stranger.compute.get_console_output(server_id, 10)


def test_an_unknown_server_is_not_found(tenant_driver):
    with pytest.raises(CloudNotFound):
        tenant_driver.compute.get_remote_console(UNKNOWN_SERVER)
    with pytest.raises(CloudNotFound):
        tenant_driver.compute.get_console_output(UNKNOWN_SERVER, 10)


def test_a_server_on_no_host_is_refused(tenant_driver, unplaced_server_id):
    with pytest.raises(CloudConflict):
        tenant_driver.compute.get_remote_console(unplaced_server_id)
    with pytest.raises(CloudConflict):
        tenant_driver.compute.get_console_output(unplaced_server_id, 10)
