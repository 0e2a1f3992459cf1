"""Cloud disks on Azure (volumes.py) as managed disks, each SDK call checked against
recorded ARM exchanges shaped like the x-ms-examples of Disks and VirtualMachines
(create empty, get, list, update, delete; a VM's data disks patched to attach and
detach), with the real SDK's serialization and pollers."""

import json

import pytest
from azure.mgmt.compute.models import Disk

from portal.clouds.azure.scope import AzureScope
from portal.clouds.azure.volumes import AzureVolumes, volume_info
from portal.clouds.base import TenantCredentials, VolumeAttachment
from portal.clouds.errors import CloudBadRequest, CloudConflict, CloudNotFound
from portal.clouds.tests.azure.arm import EXCHANGES, fill

pytestmark = pytest.mark.django_db

GIB = 1024**3
DISK = "vol-0123456789abcdef0123456789abcdef"
TAGS = {"portal-name": "data", "portal-description": "logs"}


def disk_variables(disk=DISK, size=10, state="Unattached", tags=None, sku="Standard_LRS"):
    return {
        "disk": disk,
        "size": size,
        "size_bytes": size * GIB,
        "disk_state": state,
        "tags": TAGS if tags is None else tags,
        "sku": sku,
    }


def disk_id(cloud, disk=DISK, resource_group=None):
    return (
        f"/subscriptions/{cloud.azure_subscription_id}/resourceGroups/"
        f"{resource_group or cloud.azure_resource_group}/providers/Microsoft.Compute/disks/{disk}"
    )


def data_disk(cloud, lun, disk=DISK, resource_group=None):
    """A VM's data disk as ARM answers it."""
    return {
        "lun": lun,
        "name": disk,
        "createOption": "Attach",
        "caching": "None",
        "managedDisk": {
            "storageAccountType": "Standard_LRS",
            "id": disk_id(cloud, disk, resource_group),
        },
        "deleteOption": "Detach",
        "diskSizeGB": 10,
        "toBeDetached": False,
    }


def recorded_disk(arm, **values):
    """A disk as disk_get.json answers it (for listings)."""
    exchange = json.loads((EXCHANGES / "disk_get.json").read_text())[0]
    return fill(exchange["response"]["json"], {**arm.variables, **disk_variables(**values)})


@pytest.fixture
def volumes(azure_cloud):
    return AzureVolumes(AzureScope(azure_cloud))


def test_a_disk_is_made_empty_with_its_name_and_description_in_tags(volumes, arm, monkeypatch):
    monkeypatch.setattr("portal.clouds.azure.volumes.uuid.uuid4", lambda: Hex(DISK[4:]))
    body = {
        "location": "westeurope",
        "tags": TAGS,
        "sku": {"name": "Standard_LRS"},
        "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 10},
    }
    arm.sign_in().play("disk_create", operation="op-d1", body=body, **disk_variables())
    arm.play("disk_get", **disk_variables())

    info = volumes.create_volume("data", 10, description="logs")

    assert (info.id, info.name, info.description, info.size) == (DISK, "data", "logs", 10)
    assert (info.status, info.volume_type, info.bootable, info.attachments) == (
        "available",
        "Standard_LRS",
        False,
        [],
    )
    assert (
        info.project_id
        == "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/portal-rg"
    )


class Hex:
    """What uuid4() gives, with a known hex (the disk's name is made from it)."""

    def __init__(self, hex_digits):
        self.hex = hex_digits


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ({"size": 0}, "at least 1 GB"),
        ({"size": 10, "volume_type": "UltraSSD_LRS"}, "UltraSSD_LRS is not a disk type"),
        ({"size": 10, "image_id": "img-1"}, "made empty"),
    ],
)
def test_what_azure_cannot_make_is_refused_before_any_call(volumes, arm, arguments, reason):
    with pytest.raises(CloudBadRequest, match=reason):
        volumes.create_volume("data", **arguments)
    assert len(arm.calls) == 0


def test_the_disk_types_are_azures_skus_or_the_clouds_own(azure_cloud):
    assert AzureVolumes(AzureScope(azure_cloud)).list_volume_types() == [
        "Standard_LRS",
        "StandardSSD_LRS",
        "Premium_LRS",
    ]
    azure_cloud.options["azure_disk_skus"] = ["Premium_LRS"]
    assert AzureVolumes(AzureScope(azure_cloud)).list_volume_types() == ["Premium_LRS"]


@pytest.mark.parametrize(
    ("state", "status"),
    [("Unattached", "available"), ("Attached", "in-use"), ("Reserved", "in-use")],
)
def test_the_disk_state_is_the_volume_status(volumes, arm, state, status):
    arm.sign_in().play("disk_get_attached", **disk_variables(state=state), vm="web-1")

    info = volumes.get_volume(DISK)

    assert info.status == status
    assert info.attachments == [VolumeAttachment(server_id="web-1")]


def test_a_missing_disk_is_not_found(volumes, arm):
    arm.sign_in().play("disk_get_not_found", disk="vol-gone")

    with pytest.raises(CloudNotFound):
        volumes.get_volume("vol-gone")


def test_the_admin_lists_every_disk_of_the_subscription(volumes, arm):
    disks = [recorded_disk(arm), recorded_disk(arm, disk="vol-2", state="Attached", tags={})]
    arm.sign_in().play("disk_list_all", disks=disks)

    listed = [(info.id, info.name, info.status) for info in volumes.iter_volumes()]

    assert listed == [(DISK, "data", "available"), ("vol-2", "vol-2", "in-use")]


def test_a_tenant_lists_the_disks_of_its_resource_group(azure_cloud, arm):
    group = f"/subscriptions/{azure_cloud.azure_subscription_id}/resourceGroups/tenant-rg"
    tenant = TenantCredentials(username="", password="", project_id=group, user_domain_id="")
    volumes = AzureVolumes(AzureScope(azure_cloud, tenant))
    arm.variables["resource_group"] = "tenant-rg"
    arm.sign_in().play("disk_list", disks=[recorded_disk(arm)])

    assert [(info.id, info.project_id) for info in volumes.list_volumes()] == [(DISK, group)]


def test_extend_patches_the_size(volumes, arm):
    arm.sign_in().play("disk_get", **disk_variables())
    arm.play(
        "disk_update",
        operation="op-d2",
        body={"properties": {"diskSizeGB": 20}},
        **disk_variables(size=20),
    )

    volumes.extend_volume(DISK, 20)

    assert json.loads(arm.calls[3].request.body) == {"properties": {"diskSizeGB": 20}}


def test_extend_refused_by_azure_for_an_attached_disk_is_a_conflict_that_says_why(volumes, arm):
    arm.sign_in().play("disk_get_attached", **disk_variables(state="Attached"), vm="web-1")
    arm.play("disk_update_refused", body={"properties": {"diskSizeGB": 20}}, disk=DISK)

    with pytest.raises(CloudConflict, match="detach it or stop"):
        volumes.extend_volume(DISK, 20)


def test_a_disk_does_not_shrink(volumes, arm):
    arm.sign_in().play("disk_get", **disk_variables(size=20))

    with pytest.raises(CloudBadRequest, match="only grow"):
        volumes.extend_volume(DISK, 10)


def test_name_and_description_are_changed_in_the_tags(volumes, arm):
    renamed = {"portal-name": "archive", "portal-description": "logs"}
    arm.sign_in().play("disk_get", **disk_variables())
    arm.play("disk_update", operation="op-d3", body={"tags": renamed}, **disk_variables())
    arm.play("disk_get", **disk_variables(tags=renamed))

    info = volumes.update_volume(DISK, name="archive")

    assert (info.name, info.description) == ("archive", "logs")


def test_attach_adds_the_disk_at_the_lowest_free_lun(volumes, arm, azure_cloud):
    other = data_disk(azure_cloud, 0, disk="vol-other")
    sent = [
        {"lun": 0, "name": "vol-other", "createOption": "Attach", "caching": "None",
         "managedDisk": other["managedDisk"], "deleteOption": "Detach", "diskSizeGB": 10,
         "toBeDetached": False},
        {"lun": 1, "createOption": "Attach", "managedDisk": {"id": disk_id(azure_cloud)}},
    ]  # fmt: skip
    arm.sign_in().play("disk_get", **disk_variables())
    arm.play("vm_data_disks_get", vm="web-1", data_disks=[other])
    arm.play(
        "vm_data_disks_update",
        vm="web-1",
        operation="op-v1",
        sent_data_disks=sent,
        data_disks=[other, data_disk(azure_cloud, 1)],
    )

    attachment = volumes.attach_volume("web-1", DISK)

    assert attachment == VolumeAttachment(server_id="web-1", device="lun1")


def test_detach_removes_the_disk_from_the_data_disks(volumes, arm, azure_cloud):
    other = data_disk(azure_cloud, 0, disk="vol-other")
    arm.sign_in().play(
        "vm_data_disks_get", vm="web-1", data_disks=[other, data_disk(azure_cloud, 1)]
    )
    arm.play(
        "vm_data_disks_update",
        vm="web-1",
        operation="op-v2",
        sent_data_disks=[other],
        data_disks=[other],
    )

    volumes.detach_volume("web-1", DISK)


def test_detaching_a_disk_the_vm_does_not_have_is_not_found(volumes, arm, azure_cloud):
    arm.sign_in().play("vm_data_disks_get", vm="web-1", data_disks=[])

    with pytest.raises(CloudNotFound, match="not attached"):
        volumes.detach_volume("web-1", DISK)


def test_delete_waits_for_azure_then_checks_the_disk_is_gone(volumes, arm):
    arm.sign_in().play("disk_delete", operation="op-d4", disk=DISK)

    volumes.delete_volume(DISK)


def test_a_throttled_read_is_retried_after_the_time_azure_asks(volumes, arm):
    arm.sign_in().play("disk_get", throttle=0, **disk_variables())

    assert volumes.get_volume(DISK).status == "available"
    assert [call.response.status_code for call in arm.calls][2:] == [429, 200]


@pytest.mark.parametrize(
    ("provisioning", "state", "status"),
    [
        ("Creating", "Unattached", "creating"),
        ("Failed", "Unattached", "error"),
        ("Deleting", "Attached", "deleting"),
        ("Succeeded", "ActiveSAS", "maintenance"),
        ("Succeeded", "Frozen", "in-use"),
    ],
)
def test_a_disk_being_made_or_removed_has_that_status(
    arm, azure_cloud, provisioning, state, status
):
    body = recorded_disk(arm, state=state)
    body["properties"]["provisioningState"] = provisioning

    info = volume_info(Disk(body), AzureScope(azure_cloud))

    assert info.status == status
