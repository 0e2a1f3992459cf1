"""Glance through the driver: record, streamed upload with progress, updates, states."""

import hashlib
import tempfile

import pytest

from portal.clouds.errors import CloudNotFound
from portal.clouds.tests.openstack.fixtures import RUN

# django_db: pytest-django creates the test database only for runs that hold such a test.
pytestmark = [pytest.mark.openstack, pytest.mark.django_db]

UPLOAD_SIZE = 5 * 1024 * 1024 + 123  # a few MB, not a multiple of any read size


@pytest.fixture
def generated_file():
    """UPLOAD_SIZE bytes of non-repeating data, written to disk in small pieces."""
    md5 = hashlib.md5()
    with tempfile.TemporaryFile() as handle:
        block = 0
        while handle.tell() < UPLOAD_SIZE:
            piece = hashlib.sha256(str(block).encode()).digest() * 2048
            piece = piece[: UPLOAD_SIZE - handle.tell()]
            md5.update(piece)
            handle.write(piece)
            block += 1
        handle.seek(0)
        yield handle, md5.hexdigest()


def test_streamed_upload_with_progress_and_lifecycle(
    openstack_admin, generated_file, openstack_cleanup
):
    images = openstack_admin.images
    data, md5 = generated_file
    created = images.create_image(
        f"{RUN}-upload", "raw", "bare", min_disk=1, properties={"os_distro": "testos"}
    )
    openstack_cleanup.add(images.delete_image, created.id)
    assert created.status == "queued"
    assert created.properties["os_distro"] == "testos"

    reported = []
    uploaded = images.upload_image_data(created.id, data, UPLOAD_SIZE, reported.append)

    assert reported[-1] == UPLOAD_SIZE
    assert reported == sorted(reported)
    assert len(reported) > 2
    assert uploaded.status == "active"
    assert (uploaded.size, uploaded.checksum) == (UPLOAD_SIZE, md5)

    updated = images.update_image(
        created.id, name=f"{RUN}-renamed", min_ram=64, properties={"portal_owner": "t-1"}
    )
    assert (updated.name, updated.min_ram) == (f"{RUN}-renamed", 64)
    assert updated.properties == {"os_distro": "testos", "portal_owner": "t-1"}

    assert images.deactivate_image(created.id).status == "deactivated"
    assert created.id not in {image.id for image in images.iter_images(page_size=2)}
    assert images.reactivate_image(created.id).status == "active"
    listed = {image.id for image in images.iter_images(status="active", page_size=1)}
    assert created.id in listed

    images.delete_image(created.id)
    with pytest.raises(CloudNotFound):
        images.get_image(created.id)
    images.delete_image(created.id)  # already gone: not an error


def test_hidden_images_are_left_out_of_listings_but_found_by_id(openstack_admin, openstack_cleanup):
    """What the CD drive registers (os_hidden, as the simulator does it) never reaches the
    image sync: Glance's listings leave it out, whatever the status asked."""
    images = openstack_admin.images
    hidden = images.create_image(
        f"{RUN}-hidden-cd", "iso", "bare", properties={"os_hidden": True, "portal_iso_id": "x"}
    )
    openstack_cleanup.add(images.delete_image, hidden.id)

    assert hidden.id not in {image.id for image in images.iter_images(status=None)}
    assert hidden.id not in {image.id for image in images.iter_images(status="queued")}
    assert images.get_image(hidden.id).id == hidden.id
