"""Images on Azure (images.py): an upload lands as a VHD page blob in the real Azurite and
the ARM image is made from it, its SDK calls checked against recorded exchanges shaped like
the x-ms-examples of Images (create from a blob, get, list, delete)."""

import io
import json

import pytest

from portal.clouds.azure import vhd
from portal.clouds.azure.blobs import MIB
from portal.clouds.azure.images import AzureImages
from portal.clouds.azure.scope import AzureScope
from portal.clouds.errors import CloudBadRequest, CloudError
from portal.clouds.models import AzureMapping
from portal.clouds.tests.azure.arm import EXCHANGES, fill

pytestmark = [pytest.mark.azurite, pytest.mark.django_db]


@pytest.fixture
def images(azure_cloud_on_azurite):
    api = AzureImages(AzureScope(azure_cloud_on_azurite))
    made = []
    api.made = made
    yield api
    for image_id in made:  # the page blobs, whatever the test left
        api.blobs.delete(f"{image_id}.vhd", missing_ok=True)


def new_image(images, name="ubuntu", disk_format="raw", **fields):
    info = images.create_image(name, disk_format, "bare", **fields)
    images.made.append(info.id)
    return info


def image_variables(images, image_id, state_tags=None, os_type="Linux"):
    return {
        "image": image_id,
        "blob_uri": images.blobs.url(f"{image_id}.vhd"),
        "os_type": os_type,
        "tags": state_tags or {"portal-image": image_id, "portal-name": "ubuntu"},
    }


def create_body(images, image_id, os_type="Linux", name="ubuntu"):
    return {
        "location": "westeurope",
        "tags": {"portal-image": image_id, "portal-name": name},
        "properties": {
            "storageProfile": {
                "osDisk": {
                    "osType": os_type,
                    "osState": "Generalized",
                    "blobUri": images.blobs.url(f"{image_id}.vhd"),
                }
            }
        },
    }


def test_a_created_image_is_queued_as_an_empty_page_blob(images, arm_and_azurite):
    info = new_image(images, "中文 image", min_disk=2, properties={"os_type": "linux"})
    arm_and_azurite.sign_in().play("image_get_not_found", image=info.id)

    read = images.get_image(info.id)

    assert (info.status, read.status, read.name) == ("queued", "queued", "中文 image")
    assert (read.disk_format, read.min_disk, read.properties) == ("raw", 2, {"os_type": "linux"})
    assert images.blobs.properties(f"{info.id}.vhd").size == 0


def test_raw_data_lands_as_a_vhd_and_becomes_an_active_arm_image(images, arm_and_azurite):
    info = new_image(images)
    raw = bytes(range(1, 256)) * 9000  # 2295000 bytes: not whole MiB
    arm = arm_and_azurite.sign_in()
    arm.play("image_create", operation="op-i1", body=create_body(images, info.id),
             **image_variables(images, info.id))  # fmt: skip
    arm.play("image_get", **image_variables(images, info.id))
    sent = []

    active = images.upload_image_data(info.id, io.BytesIO(raw), len(raw), sent.append)

    assert (active.id, active.status, active.name) == (info.id, "active", "ubuntu")
    assert active.properties == {"os_type": "linux"}
    assert active.size == 3 * MIB + 512
    assert sent[-1] == len(raw)
    assert images.blobs.read(f"{info.id}.vhd", 0, len(raw)) == raw
    footer = vhd.parse(images.blobs.read(f"{info.id}.vhd", 3 * MIB, 512))
    assert footer.current_size == 3 * MIB


def test_a_vhd_is_taken_as_it_is_for_a_windows_image(images, arm_and_azurite):
    info = new_image(images, disk_format="vhd", properties={"os_type": "windows"})
    data = bytes([7]) * MIB + vhd.fixed_footer(MIB)
    arm = arm_and_azurite.sign_in()
    arm.play("image_create", operation="op-i2", body=create_body(images, info.id, "Windows"),
             **image_variables(images, info.id, os_type="Windows"))  # fmt: skip
    arm.play("image_get", **image_variables(images, info.id, os_type="Windows"))

    active = images.upload_image_data(info.id, io.BytesIO(data), len(data))

    assert (active.status, active.properties["os_type"]) == ("active", "windows")
    assert images.blobs.read(f"{info.id}.vhd", 0, len(data)) == data


def test_data_that_is_not_a_fixed_vhd_is_refused_and_the_image_stays_queued(
    images, arm_and_azurite
):
    info = new_image(images, disk_format="vhd")
    data = bytes([7]) * (MIB + 512)
    arm_and_azurite.sign_in().play("image_get_not_found", image=info.id)

    with pytest.raises(CloudBadRequest, match="does not end in a VHD footer"):
        images.upload_image_data(info.id, io.BytesIO(data), len(data))

    assert images.get_image(info.id).status == "queued"


def test_an_image_azure_fails_to_make_is_killed(images, arm_and_azurite):
    info = new_image(images)
    arm = arm_and_azurite.sign_in()
    arm.play("image_create_failed", operation="op-i3", body=create_body(images, info.id),
             **image_variables(images, info.id))  # fmt: skip
    arm.play("image_get_not_found", image=info.id)

    with pytest.raises(CloudError):
        images.upload_image_data(info.id, io.BytesIO(bytes([1]) * MIB), MIB)

    assert images.get_image(info.id).status == "killed"


def test_listing_gives_the_portals_images_then_the_mappings(
    images, arm_and_azurite, azure_cloud_on_azurite
):
    queued = new_image(images, "queued one")  # its ARM image not made yet
    active = new_image(images, "active one")
    other_rg_image = (
        f"/subscriptions/{azure_cloud_on_azurite.azure_subscription_id}/resourceGroups/"
        "shared-rg/providers/Microsoft.Compute/images/golden"
    )
    AzureMapping.objects.create(
        cloud=azure_cloud_on_azurite, kind="image", name="golden", azure_ref=other_rg_image
    )
    AzureMapping.objects.create(
        cloud=azure_cloud_on_azurite,
        kind="image",
        name="ubuntu-22.04",
        azure_ref="Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest",
    )
    ours = {queued.id, active.id, "golden", "ubuntu-22.04"}
    arm = arm_and_azurite.sign_in()
    listed_image = arm.variables | image_variables(images, active.id)
    foreign = arm.variables | image_variables(images, "someone-elses", state_tags={"team": "x"})
    body = json.loads((EXCHANGES / "image_get.json").read_text())[0]["response"]["json"]
    arm.play("image_list", images=[fill(body, listed_image), fill(body, foreign)])
    arm.play("image_get", resource_group="shared-rg", **image_variables(images, "golden"))

    listed = {info.id: (info.name, info.status) for info in images.iter_images(status=None)}
    listed = {key: value for key, value in listed.items() if key in ours}  # not other runs'

    assert listed == {
        queued.id: ("queued one", "queued"),
        active.id: ("active one", "active"),
        "golden": ("golden", "active"),
        "ubuntu-22.04": ("ubuntu-22.04", "active"),
    }


def test_delete_removes_the_arm_image_and_its_blob(images, arm_and_azurite):
    info = new_image(images)
    arm_and_azurite.sign_in().play("image_delete", operation="op-i4", image=info.id)

    images.delete_image(info.id)

    assert [record.name for record in images.blobs.iter_blobs(prefix=info.id)] == []


def test_active_only_by_default(images, arm_and_azurite):
    queued = new_image(images)
    arm_and_azurite.sign_in().play("image_list", images=[])

    assert queued.id not in {info.id for info in images.iter_images()}


class FailingSource(io.RawIOBase):
    """A source that gives one MiB, then fails as a lost staging file would."""

    def __init__(self):
        self.given = False

    def read(self, amount=-1):
        if self.given:
            raise OSError("the staged upload is gone")
        self.given = True
        return bytes([3]) * MIB


def test_a_source_that_fails_midway_leaves_the_image_queued(images, arm_and_azurite):
    info = new_image(images)
    arm_and_azurite.sign_in().play("image_get_not_found", image=info.id)

    with pytest.raises(OSError, match="gone"):
        images.upload_image_data(info.id, FailingSource(), 3 * MIB)

    read = images.get_image(info.id)
    assert (read.status, read.size) == ("queued", None)
