"""Booting from an existing disk (seed 000's boot from volume) against recorded ARM
exchanges: an image mapping names a managed disk, which the VM gets as its OS disk
(attached, no image, no OS profile) and which outlives the VM."""

import pytest

from portal.clouds.azure.driver import AzureDriver
from portal.clouds.azure.provisioning import vm_name
from portal.clouds.base import ServerSpec
from portal.clouds.errors import CloudBadRequest, CloudConflict, CloudNotFound
from portal.clouds.models import AzureMapping
from portal.clouds.tests.azure.test_servers import tenant
from portal.clouds.tests.azure.vms import SUBSCRIPTION, vm_variables

pytestmark = pytest.mark.django_db

DISK_GROUP = "portal-golden"
DISK = "golden-web-os"
DISK_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{DISK_GROUP}/providers/"
    f"Microsoft.Compute/disks/{DISK}"
)
SPEC = ServerSpec(
    name="web-1",
    flavor_id="m1.small",
    image_id="golden-web",
    boot_volume_size=32,
    network_ids=["private"],
    security_groups=["web"],
    metadata={"portal_instance_id": "3f1c"},
)
VM = vm_name(SPEC)


def boot_disk_variables(resource_group="tenant-alpha", **changes) -> dict:
    """The placeholders of the exchanges of a VM `VM` booted from the disk `DISK`."""
    values = {
        "vm": VM,
        "disk": DISK,
        "disk_group": DISK_GROUP,
        "disk_size": 32,
        "disk_bytes": 32 * 1024**3,
        "upload_bytes": 32 * 1024**3 + 512,
        "os_type": "Linux",
        "managed_by": None,
        "disk_state": "Unattached",
        "nic_operation": "5e6f7a8b-1c2d-4e3f-a4b5-c6d7e8f9a0b1",
        "vm_operation": "9a0b1c2d-3e4f-4a5b-b6c7-d8e9f0a1b2c3",
    }
    return vm_variables(resource_group, **{**values, **changes})


@pytest.fixture
def disk_mapped(azure_mappings):
    AzureMapping.objects.create(
        cloud=azure_mappings, kind=AzureMapping.Kind.IMAGE, name="golden-web", azure_ref=DISK_ID
    )
    return azure_mappings


def test_a_server_boots_from_the_mapped_disk_attached_as_its_os_disk(disk_mapped, arm):
    arm.sign_in().play("vm_create_from_disk", **boot_disk_variables())

    info = tenant(disk_mapped).compute.create_server(SPEC)

    assert (info.id, info.status, info.power_state) == (VM, "ACTIVE", "running")
    assert info.image_id == "golden-web"  # the mapping that names the VM's OS disk
    # The replay matched the VM's PUT body exactly: an OS disk attached by its id, with
    # no imageReference and no osProfile.
    (vm_put,) = [
        c for c in arm.calls if c.request.method == "PUT" and "/virtualMachines/" in c.request.url
    ]
    assert "osProfile" not in vm_put.request.body


def test_a_disk_attached_to_another_vm_is_refused_before_anything_is_made(disk_mapped, arm):
    other = (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/tenant-beta/providers/"
        "Microsoft.Compute/virtualMachines/db-7"
    )
    arm.sign_in().play(
        "disk_get_boot", **boot_disk_variables(managed_by=other, disk_state="Attached")
    )

    with pytest.raises(CloudConflict, match="attached to the virtual machine db-7"):
        tenant(disk_mapped).compute.create_server(SPEC)

    assert [call.request.method for call in arm.calls[2:]] == ["GET"]  # no NIC, no VM


def test_a_disk_without_an_os_type_is_not_bootable(disk_mapped, arm):
    arm.sign_in().play("disk_get_boot", **boot_disk_variables(os_type=None))

    with pytest.raises(CloudBadRequest, match="no operating system type"):
        tenant(disk_mapped).compute.create_server(SPEC)


@pytest.mark.parametrize(
    "login", [{"admin_pass": "Correct-Horse-9"}, {"key_name": "alice"}], ids=["password", "key"]
)
def test_a_login_for_a_disk_s_own_system_is_refused_before_any_call(disk_mapped, arm, login):
    spec = ServerSpec(**{**SPEC.__dict__, **login})

    with pytest.raises(CloudBadRequest, match="keeps its own accounts"):
        tenant(disk_mapped).compute.create_server(spec)

    assert len(arm.calls) == 0


def test_deleting_the_server_keeps_the_disk_it_booted_from(disk_mapped, arm):
    values = boot_disk_variables(
        vm_operation="0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e",
        nic_operation="1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        instance_view=None,
    )
    arm.sign_in().play("vm_delete_keeping_disk", **values)

    tenant(disk_mapped).compute.delete_server(VM)

    deleted = [call.request.url for call in arm.calls if call.request.method == "DELETE"]
    assert [url.split("?")[0].rsplit("/", 2)[-2] for url in deleted] == [
        "virtualMachines",
        "networkInterfaces",
    ]
    assert not any("/disks/" in url for url in deleted)


def test_the_disk_mapping_is_offered_as_an_image_of_the_disk_s_size(disk_mapped, arm):
    arm.sign_in().play("disk_get_boot", **boot_disk_variables(resource_group="portal-rg"))

    info = AzureDriver(disk_mapped).images.get_image("golden-web")

    assert (info.status, info.min_disk, info.properties["os_type"]) == ("active", 32, "linux")


def test_a_disk_mapping_whose_disk_is_gone_is_not_an_image(disk_mapped, arm):
    arm.sign_in().play("disk_get_not_found", resource_group=DISK_GROUP, disk=DISK)

    with pytest.raises(CloudNotFound):
        AzureDriver(disk_mapped).images.get_image("golden-web")
