"""Cloud disks on an Azure cloud through the API (issue 19): a tenant creates a disk,
attaches it to its server, detaches it and deletes it; each job runs the Azure driver's
real SDK calls against replayed ARM exchanges (managed disks, the VM's data disks), and
every answer's status is what the exchanges' disk says. And a create Azure refuses for
its quota."""

from types import SimpleNamespace

import pytest

from portal.clouds.azure import volumes as azure_volumes
from portal.clouds.base import TenantCredentials
from portal.clouds.tests.azure import test_volumes_arm as volumes_arm
from portal.clouds.tests.azure.test_volumes_arm import disk_variables
from portal.servers.disks.models import Volume
from portal.servers.tests.disks.conftest import create_disk, disk_url, operate, row, usage
from portal.servers.tests.factories import ServerFactory
from portal.tenants.tests.factories import record_identity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

GROUP = "t-0000000001"  # the tenant's resource group
DISK_HEX = "0123456789abcdef0123456789abcdef"
DISK = f"{azure_volumes.VOLUME_PREFIX}{DISK_HEX}"
VM = "web-1-0a1b2c3d"
TAGS = {"portal-name": "data-1", "portal-description": "logs"}
CREATED = {
    "location": "westeurope",
    "tags": TAGS,
    "sku": {"name": "Standard_LRS"},
    "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 10},
}


def disk(state="Unattached"):
    """The variables of the disk exchanges for the tenant's disk."""
    return {"resource_group": GROUP, **disk_variables(DISK, state=state, tags=TAGS)}


@pytest.fixture
def azure(azure_cloud, tenant):
    """The Azure cloud as the default region, the tenant set up there (its resource group
    recorded as sign-up records it)."""
    azure_cloud.is_default = True
    azure_cloud.save(update_fields=["is_default"])
    groups = f"/subscriptions/{azure_cloud.azure_subscription_id}/resourceGroups"
    record_identity(tenant, azure_cloud, TenantCredentials(
        username="", password="", project_id=f"{groups}/{GROUP}",
        user_domain_id=f"{groups}/{azure_cloud.azure_resource_group}",
    ))  # fmt: skip
    return azure_cloud


@pytest.fixture
def server(azure, tenant):
    """A running server of the tenant's: its VM in the tenant's resource group."""
    return ServerFactory(cloud=azure, tenant=tenant, backend_id=VM, name="web-1")


@pytest.fixture
def disk_name(monkeypatch):
    """The driver names a new disk from a random UUID: a known one, for the exchanges."""
    monkeypatch.setattr(
        azure_volumes, "uuid", SimpleNamespace(uuid4=lambda: SimpleNamespace(hex=DISK_HEX))
    )


def data_disk(azure):
    """The disk at LUN 0 among the VM's data disks, as ARM answers it."""
    return volumes_arm.data_disk(azure, 0, DISK, resource_group=GROUP)


def test_a_tenant_creates_attaches_detaches_and_deletes_a_disk_on_azure(
    azure, arm, client_of_tenant, tenant, server, disk_name
):
    # Create: the empty managed disk in the tenant's group, read until available.
    arm.sign_in().play("disk_create", operation="op-c1", body=CREATED, **disk())
    arm.play("disk_get", **disk())  # the driver's answer to the create
    arm.play("disk_get", **disk())  # the workflow's wait until available

    created = create_disk(client_of_tenant)

    assert created["task"]["state"] == "succeeded", created["task"]
    assert (created["volume_status"], created["cloud_volume_id"]) == ("available", DISK)
    assert created["cloud_disk_conf"] == {"volume_type": "Standard_LRS", "size_in_g": 10}
    assert usage(tenant) == (1, 10)

    # Attach: the disk at the VM's lowest free LUN, by a PATCH of its data disks.
    sent = [
        {
            "lun": 0,
            "createOption": "Attach",
            "managedDisk": {"id": data_disk(azure)["managedDisk"]["id"]},
        }
    ]
    arm.sign_in().play("disk_get", **disk())
    arm.play("vm_data_disks_get", resource_group=GROUP, vm=VM, data_disks=[])
    arm.play("vm_data_disks_update", resource_group=GROUP, vm=VM, operation="op-a1",
             sent_data_disks=sent, data_disks=[data_disk(azure)])  # fmt: skip
    arm.play("disk_get_attached", vm=VM, **disk(state="Attached"))

    attached = operate(client_of_tenant, created, server, "attach")

    assert attached["task"]["state"] == "succeeded", attached["task"]
    assert (attached["volume_status"], attached["attach_instance_id"]) == (
        "in-use", server.instance_id,
    )  # fmt: skip
    server.refresh_from_db()
    assert not server.locked

    # Detach: the VM's data disks without it, then the disk read until available.
    arm.sign_in().play(
        "vm_data_disks_get", resource_group=GROUP, vm=VM, data_disks=[data_disk(azure)]
    )
    arm.play("vm_data_disks_update", resource_group=GROUP, vm=VM, operation="op-a2",
             sent_data_disks=[], data_disks=[])  # fmt: skip
    arm.play("disk_get", **disk())

    detached = operate(client_of_tenant, created, server, "detach")

    assert detached["task"]["state"] == "succeeded", detached["task"]
    assert (detached["volume_status"], detached["attach_instance_id"]) == ("available", "")

    # Delete: ARM's delete polled, the disk checked gone by the driver and by the workflow.
    arm.sign_in().play("disk_delete", operation="op-d1", **disk())
    arm.play("disk_get_not_found", resource_group=GROUP, disk=DISK)

    answer = client_of_tenant.delete(f"{disk_url(created)}?wait=30")

    assert answer.status_code == 202, answer.content
    assert answer.json()["task"]["state"] == "succeeded", answer.json()["task"]
    assert row(created).status == Volume.DELETED
    assert usage(tenant) == (0, 0)


def test_a_create_beyond_azure_s_quota_fails_and_gives_the_quota_back(
    azure, arm, client_of_tenant, tenant, disk_name
):
    arm.sign_in().play("disk_create_refused", body=CREATED, **disk())

    created = create_disk(client_of_tenant)

    task = created["task"]
    assert (task["state"], task["error_code"]) == ("failed", "quota_exceeded")
    volume = row(created)
    assert (volume.status, volume.backend_id, volume.locked) == (Volume.ERROR, None, False)
    assert usage(tenant) == (0, 0)
