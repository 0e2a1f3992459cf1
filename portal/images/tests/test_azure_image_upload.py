"""An image upload on an Azure cloud through the API (issue 19): a platform caller creates
an image in an Azure region and PUTs a raw disk; the worker (run eagerly) streams it into
a VHD page blob in the real Azurite and makes the ARM image from it, its ARM calls checked
against recorded exchanges; the API then answers the image active as the cloud holds it.
And when it goes wrong: Azurite stopped, or ARM refusing the image."""

import hashlib
import os
import uuid
from types import SimpleNamespace

import pytest

from portal.clouds.azure import images as azure_images
from portal.clouds.azure import vhd
from portal.clouds.azure.blobs import MIB
from portal.clouds.azure.images import AzureImages
from portal.clouds.azure.scope import AzureScope
from portal.images.models import Image
from portal.images.tests.uploads import create_image, put_file, staged_files

pytestmark = [pytest.mark.azurite, pytest.mark.django_db]

RAW = os.urandom(2 * MIB + 12345)  # not whole MiB: padded, then the footer
OPERATION = "op-upload-1"


@pytest.fixture
def cloud_images(azure_cloud_on_azurite):
    """The cloud's images as its driver reads them (blobs in Azurite), and the id the next
    image made in it takes (ids are random: known here, so the exchanges can name it)."""
    return AzureImages(AzureScope(azure_cloud_on_azurite))


@pytest.fixture
def next_image_id(cloud_images, monkeypatch):
    known = uuid.uuid4()
    monkeypatch.setattr(azure_images, "uuid", SimpleNamespace(uuid4=lambda: known))
    image_id = f"{azure_images.IMAGE_PREFIX}{known.hex}"
    yield image_id
    cloud_images.blobs.delete(f"{image_id}.vhd", missing_ok=True)


def image_exchanges(cloud_images, image_id, name="ubuntu-24.04"):
    """The variables of the image exchanges for the portal's image `image_id`."""
    blob_uri = cloud_images.blobs.url(f"{image_id}.vhd")
    tags = {"portal-image": image_id, "portal-name": name}
    body = {
        "location": "westeurope",
        "tags": tags,
        "properties": {
            "storageProfile": {
                "osDisk": {"osType": "Linux", "osState": "Generalized", "blobUri": blob_uri}
            }
        },
    }
    return {"image": image_id, "blob_uri": blob_uri, "os_type": "Linux", "tags": tags,
            "body": body, "operation": OPERATION}  # fmt: skip


def upload(platform_client, cloud):
    body = create_image(platform_client, image_diskformat="raw", region=cloud.region)
    answer = put_file(platform_client, body["image_id"], RAW)
    assert answer.status_code == 202, answer.content
    return body["image_id"], answer.json()["task"]


def test_a_raw_upload_lands_as_a_vhd_page_blob_and_an_active_arm_image(
    platform_client, run_commit_hooks, staging_storage, arm_and_azurite, cloud_images,
    next_image_id, azure_cloud_on_azurite,
):  # fmt: skip
    variables = image_exchanges(cloud_images, next_image_id)
    arm_and_azurite.sign_in().play("image_create", **variables)
    arm_and_azurite.play("image_get", **variables)  # the driver's answer to the upload
    arm_and_azurite.play("image_get", **variables)  # the workflow's re-read before active

    image_id, task = upload(platform_client, azure_cloud_on_azurite)

    assert task["state"] == "succeeded", task
    answer = platform_client.get(f"/api/v1/images/{image_id}").json()
    vhd_size = 3 * MIB + 512  # the data in whole MiB, then the footer
    assert (answer["image_status"], answer["upload_state"]) == ("active", "active")
    assert (answer["size"], answer["upload_size"]) == (vhd_size, len(RAW))
    assert answer["region"] == azure_cloud_on_azurite.region
    image = Image.objects.get(image_id=image_id)
    assert image.backend_id == next_image_id
    # What Azurite holds: the data, zeros to 3 MiB, and a fixed VHD footer saying so.
    blob = f"{next_image_id}.vhd"
    held = cloud_images.blobs.read(blob, 0, vhd_size)
    assert hashlib.sha256(held[: len(RAW)]).digest() == hashlib.sha256(RAW).digest()
    assert held[len(RAW) : 3 * MIB] == bytes(3 * MIB - len(RAW))
    footer = vhd.parse(held[3 * MIB :])
    assert (footer.is_fixed, footer.current_size) == (True, 3 * MIB)
    assert staged_files(staging_storage) == []


def test_with_azurite_stopped_the_upload_fails_and_nothing_is_left(
    platform_client, run_commit_hooks, staging_storage, arm_and_azurite,
    azure_cloud_on_azurite, azurite_stopped,
):  # fmt: skip
    # No ARM call at all: the image's page blob is the first thing made, and the refused
    # connection is tried once (the cloud's retries set to none, not to wait them out).
    azure_cloud_on_azurite.options |= {"azure_retry_total": 0}
    azure_cloud_on_azurite.save()

    image_id, task = upload(platform_client, azure_cloud_on_azurite)

    assert (task["state"], task["error_code"]) == ("failed", "unavailable")
    answer = platform_client.get(f"/api/v1/images/{image_id}").json()
    assert (answer["image_status"], answer["upload_state"]) == ("killed", "failed")
    image = Image.objects.get(image_id=image_id)
    assert (image.backend_id, image.staged_parts) == (None, [])
    assert staged_files(staging_storage) == []


def test_an_image_arm_refuses_is_failed_and_its_blob_removed(
    platform_client, run_commit_hooks, staging_storage, arm_and_azurite, cloud_images,
    next_image_id, azure_cloud_on_azurite,
):  # fmt: skip
    variables = image_exchanges(cloud_images, next_image_id)
    arm_and_azurite.sign_in().play("image_create_failed", **variables)
    # The failed transfer takes back what it made: the ARM image, then the page blob.
    arm_and_azurite.play("image_delete", image=next_image_id, operation="op-undo-1")

    image_id, task = upload(platform_client, azure_cloud_on_azurite)

    assert (task["state"], task["error_code"]) == ("failed", "bad_request")  # InvalidParameter
    answer = platform_client.get(f"/api/v1/images/{image_id}").json()
    assert (answer["image_status"], answer["upload_state"]) == ("killed", "failed")
    assert Image.objects.get(image_id=image_id).backend_id is None
    assert list(cloud_images.blobs.iter_blobs(prefix=next_image_id)) == []
    assert staged_files(staging_storage) == []
