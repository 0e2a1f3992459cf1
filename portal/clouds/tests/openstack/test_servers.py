"""Nova servers through the driver: boot from a volume (BDM v2), data volumes, and every
action. One server serves the module; each test leaves it ACTIVE, unlocked, unpaused."""

import pytest

from portal.clouds.base import ServerSpec
from portal.clouds.openstack.waiting import wait_for_server, wait_for_volume
from portal.clouds.tests.openstack.fixtures import RUN, delete_server, delete_volume

# django_db: pytest-django creates the test database only for runs that hold such a test.
pytestmark = [pytest.mark.openstack, pytest.mark.django_db]


def active(openstack_admin, server_id):
    return wait_for_server(openstack_admin, server_id, {"ACTIVE"})


@pytest.fixture(scope="module")
def security_group(openstack_admin, openstack_module_cleanup):
    group = openstack_admin.network.create_security_group(f"{RUN}-servers")
    openstack_module_cleanup.add(openstack_admin.network.delete_security_group, group.id)
    return group


@pytest.fixture(scope="module")
def compute_host(openstack_admin_sdk):
    [service] = openstack_admin_sdk.compute.services(binary="nova-compute")
    return service.host


@pytest.fixture(scope="module")
def server(
    openstack_admin,
    openstack_image,
    openstack_flavors,
    openstack_network,
    security_group,
    compute_host,
    openstack_module_cleanup,
):
    spec = ServerSpec(
        name=f"{RUN}-vm",
        flavor_id=openstack_flavors["small"].id,
        image_id=openstack_image.id,
        boot_volume_size=1,
        boot_volume_type="standard",
        network_ids=[openstack_network.id],
        security_groups=[security_group.name],
        metadata={"tenant": "t-0000000001"},
        availability_zone="nova",
        host=compute_host,  # an admin may pick the hypervisor
    )
    created = openstack_admin.compute.create_server(spec)
    openstack_module_cleanup.add(delete_server, openstack_admin, created.id)
    assert created.status == "BUILD"
    return active(openstack_admin, created.id)


@pytest.fixture(scope="module")
def data_volumes(openstack_admin, server, openstack_module_cleanup):
    """Two data volumes, attached once the server is ACTIVE."""
    volumes = []
    for number in (1, 2):
        volume = openstack_admin.volumes.create_volume(f"{RUN}-data{number}", 1)
        openstack_module_cleanup.add(delete_volume, openstack_admin, volume.id)
        volumes.append(volume)
    for volume in volumes:
        wait_for_volume(openstack_admin, volume.id, {"available"})
        openstack_admin.volumes.attach_volume(server.id, volume.id)
        openstack_module_cleanup.add(openstack_admin.volumes.detach_volume, server.id, volume.id)
    return [wait_for_volume(openstack_admin, volume.id, {"in-use"}).id for volume in volumes]


def test_boots_from_a_volume_made_from_the_image(
    openstack_admin, server, openstack_flavors, openstack_network, compute_host
):
    assert (server.power_state, server.task_state, server.locked) == ("running", None, False)
    assert server.flavor_id == openstack_flavors["small"].id
    assert (server.host, server.availability_zone) == (compute_host, "nova")
    assert list(server.addresses) == [openstack_network.name]
    assert server.metadata == {"tenant": "t-0000000001"}
    assert server.security_groups == [f"{RUN}-servers"]
    [boot_volume_id] = server.volume_ids
    boot_volume = openstack_admin.volumes.get_volume(boot_volume_id)
    assert (boot_volume.size, boot_volume.volume_type, boot_volume.bootable) == (
        1,
        "standard",
        True,
    )
    assert boot_volume.attachments[0].server_id == server.id
    assert server.id in {s.id for s in openstack_admin.compute.iter_servers(page_size=1)}


def test_data_volumes_attach_extend_and_detach(openstack_admin, server, data_volumes):
    assert set(data_volumes) < set(openstack_admin.compute.get_server(server.id).volume_ids)
    first, second = data_volumes

    openstack_admin.volumes.extend_volume(second, 2)  # Cinder extends in the background
    assert wait_for_volume(openstack_admin, second, {"in-use"}, size=2).size == 2

    openstack_admin.volumes.detach_volume(server.id, first)
    detached = wait_for_volume(openstack_admin, first, {"available"})
    assert detached.attachments == []
    assert first not in openstack_admin.compute.get_server(server.id).volume_ids
    openstack_admin.volumes.extend_volume(first, 3)
    assert wait_for_volume(openstack_admin, first, {"available"}, size=3).size == 3
    renamed = openstack_admin.volumes.update_volume(first, name=f"{RUN}-renamed", description="x")
    assert renamed.name == f"{RUN}-renamed"


@pytest.mark.parametrize(
    ("action", "undo", "status", "power_state"),
    [
        ("stop_server", "start_server", "SHUTOFF", "shutdown"),
        ("suspend_server", "resume_server", "SUSPENDED", "suspended"),
        ("pause_server", "unpause_server", "PAUSED", "paused"),
    ],
)
def test_power_actions(openstack_admin, server, action, undo, status, power_state):
    getattr(openstack_admin.compute, action)(server.id)
    assert wait_for_server(openstack_admin, server.id, {status}).power_state == power_state
    getattr(openstack_admin.compute, undo)(server.id)
    assert active(openstack_admin, server.id).power_state == "running"


@pytest.mark.parametrize("hard", [False, True], ids=["soft", "hard"])
def test_reboot(openstack_admin, server, hard):
    openstack_admin.compute.reboot_server(server.id, hard=hard)
    # Nova keeps ACTIVE while rebooting: the task state shows it; active() waits it out.
    assert openstack_admin.compute.get_server(server.id).task_state in (
        "rebooting",
        "rebooting_hard",
        None,
    )
    assert active(openstack_admin, server.id).power_state == "running"


def test_lock_and_unlock(openstack_admin, server):
    openstack_admin.compute.lock_server(server.id)
    assert openstack_admin.compute.get_server(server.id).locked is True
    openstack_admin.compute.unlock_server(server.id)
    assert openstack_admin.compute.get_server(server.id).locked is False


def test_resize_confirm_then_revert(openstack_admin, server, openstack_flavors):
    openstack_admin.compute.resize_server(server.id, openstack_flavors["medium"].id)
    resized = wait_for_server(openstack_admin, server.id, {"VERIFY_RESIZE"})
    assert resized.flavor_id == openstack_flavors["medium"].id
    openstack_admin.compute.confirm_resize(server.id)
    assert active(openstack_admin, server.id).flavor_id == openstack_flavors["medium"].id

    openstack_admin.compute.resize_server(server.id, openstack_flavors["large"].id)
    assert (
        wait_for_server(openstack_admin, server.id, {"VERIFY_RESIZE"}).flavor_id
        == openstack_flavors["large"].id
    )
    openstack_admin.compute.revert_resize(server.id)
    assert active(openstack_admin, server.id).flavor_id == openstack_flavors["medium"].id


def test_metadata_and_security_groups(openstack_admin, server, security_group):
    merged = openstack_admin.compute.set_server_metadata(server.id, {"role": "web"})
    assert merged == {"tenant": "t-0000000001", "role": "web"}
    openstack_admin.compute.add_security_group(server.id, "default")
    assert set(openstack_admin.compute.get_server(server.id).security_groups) == {
        "default",
        security_group.name,
    }
    openstack_admin.compute.remove_security_group(server.id, "default")
    assert openstack_admin.compute.get_server(server.id).security_groups == [security_group.name]
