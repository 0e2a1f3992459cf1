"""The simulator's Glance: records, streamed uploads, format checks, lifecycle, paging."""

import hashlib
import io

import pytest

from portal.clouds import errors
from portal.clouds.simulator.images import CHUNK_SIZE

MIB = 1024 * 1024


class RecordingReader(io.BytesIO):
    """A file object that remembers how much each read asked for."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, size=-1):
        self.asked.append(size)
        return super().read(size)


def qcow2(size: int) -> bytes:
    return b"QFI\xfb" + b"\0" * (size - 4)


def iso(size: int = 40_000) -> bytes:
    data = bytearray(size)
    data[0x8001 : 0x8001 + 5] = b"CD001"
    return bytes(data)


def upload(driver, data: bytes, disk_format: str = "qcow2", **kwargs):
    image = driver.images.create_image("img", disk_format, "bare")
    return driver.images.upload_image_data(image.id, io.BytesIO(data), len(data), **kwargs)


def test_created_image_is_queued_without_data(admin):
    image = admin.images.create_image(
        "cirros", "qcow2", "bare", min_disk=1, min_ram=64, properties={"os_type": "linux"}
    )

    assert (image.status, image.size, image.checksum) == ("queued", None, "")
    assert (image.min_disk, image.min_ram, image.properties) == (1, 64, {"os_type": "linux"})
    assert admin.images.get_image(image.id) == image


def test_upload_streams_in_chunks_reports_progress_and_keeps_size_and_md5(admin):
    data = qcow2(2 * MIB + 512 * 1024)
    reader = RecordingReader(data)
    image = admin.images.create_image("big", "qcow2", "bare")
    progress = []

    uploaded = admin.images.upload_image_data(image.id, reader, len(data), progress.append)

    assert progress == [MIB, 2 * MIB, len(data)]
    assert all(0 < asked <= CHUNK_SIZE for asked in reader.asked)
    assert (uploaded.status, uploaded.size) == ("active", len(data))
    assert uploaded.checksum == hashlib.md5(data).hexdigest()
    assert admin.images.get_image(image.id).checksum == uploaded.checksum


@pytest.mark.parametrize("announced_change", [+1, -1])
def test_upload_of_a_different_size_is_refused_and_kills_the_image(admin, announced_change):
    data = qcow2(1000)
    image = admin.images.create_image("img", "qcow2", "bare")

    with pytest.raises(errors.CloudBadRequest):
        admin.images.upload_image_data(image.id, io.BytesIO(data), len(data) + announced_change)
    assert admin.images.get_image(image.id).status == "killed"


@pytest.mark.parametrize(
    ("disk_format", "data"),
    [
        ("qcow2", qcow2(4096)),
        ("iso", iso()),
        ("vhd", b"\0" * 4096 + b"conectix" + b"\0" * 504),
        ("vhd", b"conectix" + b"\0" * 1024),
        ("vmdk", b"KDMV" + b"\0" * 1020),
        ("vmdk", b"# Disk DescriptorFile\nversion=1\n"),
        ("raw", b"anything at all"),
    ],
)
def test_data_matching_its_disk_format_is_accepted(admin, disk_format, data):
    assert upload(admin, data, disk_format).status == "active"


@pytest.mark.parametrize(
    ("disk_format", "data"),
    [
        ("qcow2", b"\0" * 4096),
        ("qcow2", iso()),
        ("iso", qcow2(40_000)),
        ("iso", b"CD001" + b"\0" * 40_000),
        ("vhd", b"\0" * 4096),
        ("vmdk", qcow2(1024)),
    ],
)
def test_data_not_matching_its_disk_format_is_refused(admin, disk_format, data):
    image = admin.images.create_image("img", disk_format, "bare")

    with pytest.raises(errors.CloudBadRequest):
        admin.images.upload_image_data(image.id, io.BytesIO(data), len(data))
    assert admin.images.get_image(image.id).status == "killed"


def test_upload_only_to_a_queued_image(admin):
    image = upload(admin, qcow2(100))

    with pytest.raises(errors.CloudConflict):
        admin.images.upload_image_data(image.id, io.BytesIO(qcow2(100)), 100)


@pytest.mark.parametrize(
    ("disk_format", "container_format"), [("floppy", "bare"), ("qcow2", "crate")]
)
def test_unknown_formats_are_refused(admin, disk_format, container_format):
    with pytest.raises(errors.CloudBadRequest):
        admin.images.create_image("img", disk_format, container_format)


def test_deactivate_and_reactivate(admin):
    image = upload(admin, qcow2(100))

    assert admin.images.deactivate_image(image.id).status == "deactivated"
    assert list(admin.images.iter_images()) == []
    assert admin.images.reactivate_image(image.id).status == "active"
    queued = admin.images.create_image("empty", "raw", "bare")
    with pytest.raises(errors.CloudConflict):
        admin.images.deactivate_image(queued.id)


def test_update_sets_fields_and_properties(admin):
    image = upload(admin, qcow2(100))

    updated = admin.images.update_image(
        image.id, name="renamed", min_disk=2, os_distro="cirros", properties={"os_type": "linux"}
    )

    assert (updated.name, updated.min_disk) == ("renamed", 2)
    assert updated.properties == {"os_distro": "cirros", "os_type": "linux"}
    assert admin.images.update_image(image.id, os_distro=None).properties == {"os_type": "linux"}
    with pytest.raises(errors.CloudBadRequest):
        admin.images.update_image(image.id, checksum="0" * 32)
    with pytest.raises(errors.CloudConflict):
        admin.images.update_image(image.id, disk_format="raw")


def test_delete_removes_the_image_unless_protected(admin):
    image = upload(admin, qcow2(100))
    admin.images.update_image(image.id, protected=True)
    with pytest.raises(errors.CloudConflict):
        admin.images.delete_image(image.id)

    admin.images.update_image(image.id, protected=False)
    admin.images.delete_image(image.id)

    with pytest.raises(errors.CloudNotFound):
        admin.images.get_image(image.id)


def test_iter_images_pages_and_filters_by_status(admin, django_assert_max_num_queries):
    active = [upload(admin, qcow2(100)).id for _ in range(5)]
    queued = admin.images.create_image("queued", "raw", "bare").id

    with django_assert_max_num_queries(4):  # 5 images in pages of 2: three page queries
        listed = [image.id for image in admin.images.iter_images(page_size=2)]

    assert listed == active
    assert [image.id for image in admin.images.iter_images(status="queued")] == [queued]
    assert len(list(admin.images.iter_images(status=None, page_size=2))) == 6


def test_private_images_are_their_projects_only(admin, alpha, beta):
    public = upload(admin, qcow2(100))
    private = alpha.images.create_image("mine", "qcow2", "bare", visibility="private")

    assert {image.id for image in alpha.images.iter_images(status=None)} == {public.id, private.id}
    assert [image.id for image in beta.images.iter_images(status=None)] == [public.id]
    with pytest.raises(errors.CloudNotFound):
        beta.images.get_image(private.id)
    with pytest.raises(errors.CloudNotFound):
        alpha.images.delete_image(public.id)


def test_only_an_admin_publishes_images(alpha):
    with pytest.raises(errors.CloudError) as refused:
        alpha.images.create_image("mine", "qcow2", "bare", visibility="public")
    assert refused.value.code == "cloud_forbidden"


def test_hidden_images_are_left_out_of_listings_but_found_by_id(admin):
    hidden = admin.images.create_image(
        "cd", "iso", "bare", properties={"os_hidden": True, "portal_iso_id": "iso-1"}
    )
    shown = admin.images.create_image("plain", "iso", "bare")

    listed = {image.id for image in admin.images.iter_images(status=None)}

    assert (shown.id in listed, hidden.id in listed) == (True, False)
    assert admin.images.get_image(hidden.id).properties["os_hidden"] is True
