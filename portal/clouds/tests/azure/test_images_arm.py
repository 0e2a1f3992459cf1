"""Images on Azure without the blob service: what Azure cannot do refused before any call,
and the operators' image mappings (an ARM image read, checked against a recorded
exchange; a marketplace image taken as written)."""

import pytest

from portal.clouds.azure.images import AzureImages
from portal.clouds.azure.scope import AzureScope
from portal.clouds.errors import CloudBadRequest, CloudNotFound
from portal.clouds.models import AzureMapping

pytestmark = pytest.mark.django_db

MARKETPLACE = "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest"


@pytest.fixture
def images(azure_cloud):
    return AzureImages(AzureScope(azure_cloud))


def image_id(cloud, name, resource_group="shared-rg"):
    return (
        f"/subscriptions/{cloud.azure_subscription_id}/resourceGroups/{resource_group}"
        f"/providers/Microsoft.Compute/images/{name}"
    )


def map_image(cloud, name, reference):
    AzureMapping.objects.create(cloud=cloud, kind="image", name=name, azure_ref=reference)


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda api: api.deactivate_image("img-1"), "cannot be deactivated"),
        (lambda api: api.reactivate_image("img-1"), "cannot be reactivated"),
        (lambda api: api.update_image("img-1", name="new"), "cannot be changed"),
        (lambda api: api.create_image("x", "qcow2", "bare"), "not qcow2"),
        (lambda api: api.create_image("x", "iso", "bare"), "not iso"),
        (
            lambda api: api.create_image("x", "raw", "bare", properties={"os_type": "bsd"}),
            "linux or windows, not bsd",
        ),
    ],
)
def test_what_azure_images_cannot_do_is_refused_before_any_call(images, arm, call, reason):
    with pytest.raises(CloudBadRequest, match=reason):
        call(images)
    assert len(arm.calls) == 0


def test_a_mapping_to_an_arm_image_is_read(images, arm, azure_cloud):
    map_image(azure_cloud, "golden", image_id(azure_cloud, "golden"))
    arm.sign_in().play(
        "image_get",
        resource_group="shared-rg",
        image="golden",
        blob_uri="https://portalimages.blob.core.windows.net/vhds/golden.vhd",
        os_type="Windows",
        tags={},
    )

    info = images.get_image("golden")

    assert (info.id, info.status, info.disk_format) == ("golden", "active", "vhd")
    assert info.properties == {
        "azure_ref": image_id(azure_cloud, "golden"),
        "os_type": "windows",
    }


def test_a_mapping_to_a_missing_arm_image_is_not_found(images, arm, azure_cloud):
    map_image(azure_cloud, "golden", image_id(azure_cloud, "golden"))
    arm.sign_in().play("image_get_not_found", resource_group="shared-rg", image="golden")

    with pytest.raises(CloudNotFound):
        images.get_image("golden")


def test_a_marketplace_mapping_is_taken_as_written(images, arm, azure_cloud):
    map_image(azure_cloud, "ubuntu-22.04", MARKETPLACE)

    info = images.get_image("ubuntu-22.04")

    assert (info.status, info.properties) == ("active", {"azure_ref": MARKETPLACE})
    assert len(arm.calls) == 0


def test_a_mapped_image_is_not_the_portals_to_delete(images, arm, azure_cloud):
    map_image(azure_cloud, "ubuntu-22.04", MARKETPLACE)

    with pytest.raises(CloudBadRequest, match="image mapping"):
        images.delete_image("ubuntu-22.04")
    assert len(arm.calls) == 0


def test_an_arm_image_the_portal_did_not_make_is_not_found(images, arm, azure_cloud):
    arm.sign_in().play(
        "image_get",
        image="someones-image",
        blob_uri="https://portalimages.blob.core.windows.net/vhds/other.vhd",
        os_type="Linux",
        tags={"team": "data"},
    )

    with pytest.raises(CloudNotFound):
        images.get_image("someones-image")
