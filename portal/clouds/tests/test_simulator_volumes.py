"""The simulator's Cinder: create, extend, attach, detach, delete, scoping and quotas."""

import time

import pytest

from portal.clouds import errors
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.testing import boot_spec, fast_forward, make_tenant, set_delays

# Servers boot from the demo flavors, images and network.
pytestmark = pytest.mark.usefixtures("demo")


@pytest.fixture
def volume(alpha):
    return alpha.volumes.create_volume("data", 10, description="logs")


def test_created_volume_is_available(alpha, volume):
    assert (volume.name, volume.size, volume.status, volume.bootable) == (
        "data",
        10,
        "available",
        False,
    )
    assert alpha.volumes.get_volume(volume.id) == volume
    assert [v.id for v in alpha.volumes.list_volumes()] == [volume.id]


def test_volume_is_creating_until_its_delay_passes(cloud, alpha):
    set_delays(cloud, volume_create=0.2, default=0)

    created = alpha.volumes.create_volume("slow", 1)

    assert created.status == "creating"
    with pytest.raises(errors.CloudConflict):
        alpha.volumes.delete_volume(created.id)
    time.sleep(0.25)
    assert alpha.volumes.get_volume(created.id).status == "available"


def test_volume_from_image_is_bootable_and_must_fit(alpha, demo):
    ubuntu = demo["images"]["ubuntu-24.04"]  # min_disk 3

    with pytest.raises(errors.CloudBadRequest):
        alpha.volumes.create_volume("root", 2, image_id=ubuntu)
    assert alpha.volumes.create_volume("root", 3, image_id=ubuntu).bootable is True
    with pytest.raises(errors.CloudNotFound):
        alpha.volumes.create_volume("root", 3, image_id="no-such-image")


def test_attach_and_detach(alpha, server, volume):
    attachment = alpha.volumes.attach_volume(server.id, volume.id)

    assert (attachment.server_id, attachment.device) == (server.id, "/dev/vdb")
    attached = alpha.volumes.get_volume(volume.id)
    assert attached.status == "in-use"
    assert attached.attachments == [attachment]
    assert alpha.compute.get_server(server.id).volume_ids == [server.volume_ids[0], volume.id]

    alpha.volumes.detach_volume(server.id, volume.id)

    detached = alpha.volumes.get_volume(volume.id)
    assert (detached.status, detached.attachments) == ("available", [])
    assert alpha.compute.get_server(server.id).volume_ids == server.volume_ids


def test_second_volume_gets_next_device(alpha, server, volume):
    alpha.volumes.attach_volume(server.id, volume.id)
    other = alpha.volumes.create_volume("more", 1)

    assert alpha.volumes.attach_volume(server.id, other.id).device == "/dev/vdc"


def test_attaching_an_in_use_volume_is_a_conflict(cloud, alpha, server, volume):
    other_server = alpha.compute.create_server(boot_spec(cloud, name="other"))
    alpha.volumes.attach_volume(server.id, volume.id)

    with pytest.raises(errors.CloudConflict):
        alpha.volumes.attach_volume(other_server.id, volume.id)


def test_attach_refused_while_server_builds(cloud, alpha, volume):
    set_delays(cloud, build=60)
    building = alpha.compute.create_server(boot_spec(cloud))

    with pytest.raises(errors.CloudConflict):
        alpha.volumes.attach_volume(building.id, volume.id)


def test_detach_refusals(alpha, server, volume):
    with pytest.raises(errors.CloudNotFound):  # not attached to this server
        alpha.volumes.detach_volume(server.id, volume.id)
    with pytest.raises(errors.CloudBadRequest):  # the root volume
        alpha.volumes.detach_volume(server.id, server.volume_ids[0])


def test_deleting_an_in_use_volume_is_a_conflict(alpha, server, volume):
    alpha.volumes.attach_volume(server.id, volume.id)

    with pytest.raises(errors.CloudConflict):
        alpha.volumes.delete_volume(volume.id)
    alpha.volumes.detach_volume(server.id, volume.id)
    alpha.volumes.delete_volume(volume.id)
    with pytest.raises(errors.CloudNotFound):
        alpha.volumes.get_volume(volume.id)


def test_extend_grows_after_extending(cloud, alpha, volume):
    set_delays(cloud, extend=60)

    alpha.volumes.extend_volume(volume.id, 20)

    assert (alpha.volumes.get_volume(volume.id).status, volume.size) == ("extending", 10)
    with pytest.raises(errors.CloudConflict):
        alpha.volumes.extend_volume(volume.id, 30)
    fast_forward(cloud)
    extended = alpha.volumes.get_volume(volume.id)
    assert (extended.status, extended.size) == ("available", 20)


def test_extend_an_attached_volume_keeps_it_in_use(alpha, server, volume):
    alpha.volumes.attach_volume(server.id, volume.id)

    alpha.volumes.extend_volume(volume.id, 11)

    extended = alpha.volumes.get_volume(volume.id)
    assert (extended.status, extended.size) == ("in-use", 11)


@pytest.mark.parametrize("new_size", [10, 5])
def test_extend_to_smaller_or_equal_size_is_a_bad_request(alpha, volume, new_size):
    with pytest.raises(errors.CloudBadRequest):
        alpha.volumes.extend_volume(volume.id, new_size)
    assert alpha.volumes.get_volume(volume.id).size == 10


def test_update_name_and_description(alpha, volume):
    assert alpha.volumes.update_volume(volume.id, name="renamed").name == "renamed"


def test_volumes_are_their_projects_only(cloud, alpha, volume):
    beta = SimulatorDriver(cloud, make_tenant(cloud, "beta"))

    assert beta.volumes.list_volumes() == []
    with pytest.raises(errors.CloudNotFound):
        beta.volumes.get_volume(volume.id)
    assert volume.id in {v.id for v in SimulatorDriver(cloud).volumes.list_volumes()}


@pytest.mark.parametrize(
    ("quotas", "size", "fits"),
    [
        ({"volumes": 1}, 1, False),
        ({"gigabytes": 15}, 6, False),  # 10 GB used already
        ({"gigabytes": 15}, 5, True),
    ],
)
def test_volume_quotas(cloud, alpha, volume, quotas, size, fits):
    cloud.options = {**cloud.options, "quotas": quotas}

    if fits:
        assert alpha.volumes.create_volume("more", size).size == size
    else:
        with pytest.raises(errors.CloudQuotaExceeded):
            alpha.volumes.create_volume("more", size)


def test_extend_beyond_gigabytes_quota_is_refused(cloud, alpha, volume):
    cloud.options = {**cloud.options, "quotas": {"gigabytes": 12}}

    with pytest.raises(errors.CloudQuotaExceeded):
        alpha.volumes.extend_volume(volume.id, 13)
    alpha.volumes.extend_volume(volume.id, 12)


# ---- what the cloud disks use ----------------------------------------------------------


def test_a_volume_without_a_type_gets_the_default_and_an_unknown_type_is_refused(cloud, alpha):
    cloud.options = {**cloud.options, "volume_types": ["fast", "slow"]}

    assert alpha.volumes.list_volume_types() == ["fast", "slow"]
    assert alpha.volumes.create_volume("plain", 1).volume_type == "fast"
    assert alpha.volumes.create_volume("slow", 1, volume_type="slow").volume_type == "slow"
    with pytest.raises(errors.CloudNotFound):  # as Cinder: the type must exist
        alpha.volumes.create_volume("odd", 1, volume_type="gold")


def test_attachment_says_when_and_description_and_project_are_reported(alpha, server, volume):
    alpha.volumes.attach_volume(server.id, volume.id)

    info = alpha.volumes.get_volume(volume.id)
    assert info.attachments[0].attached_at is not None
    assert (info.description, info.project_id) == ("logs", alpha.scope.project_id)
    alpha.volumes.detach_volume(server.id, volume.id)
    assert alpha.volumes.get_volume(volume.id).attachments == []


def test_admin_iterates_every_projects_volumes_in_pages(cloud, alpha, beta, volume):
    theirs = beta.volumes.create_volume("theirs", 1)
    more = [alpha.volumes.create_volume(f"more-{n}", 1) for n in range(3)]

    listed = list(SimulatorDriver(cloud).volumes.iter_volumes(page_size=2))

    assert [info.id for info in listed] == [volume.id, theirs.id, *(v.id for v in more)]
    assert [info.id for info in beta.volumes.iter_volumes()] == [theirs.id]


def test_a_cloud_that_cannot_extend_attached_volumes_refuses(cloud, alpha, server, volume):
    cloud.options = {**cloud.options, "extend_attached_volumes": False}
    alpha.volumes.attach_volume(server.id, volume.id)

    with pytest.raises(errors.CloudConflict):
        alpha.volumes.extend_volume(volume.id, 11)
    assert alpha.volumes.get_volume(volume.id).size == 10
