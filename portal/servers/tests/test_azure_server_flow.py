"""Issue 19's portal flow on an Azure cloud with mappings: a tenant signs up there, then
creates a server through the API, stops it, starts it, resizes it and deletes it. Each job
runs the Azure driver's real SDK calls against replayed ARM exchanges (in order, each one
used), and every answer's `instance_status` is what the exchanges' VM says.

The jobs run after each request has answered, as they do once its transaction commits:
the VM's name and tags derive from the server's id, known only from the answer."""

from types import SimpleNamespace

import pytest
from django.db import transaction

from conftest import tenant_client
from portal.clouds.azure.provisioning import vm_name
from portal.clouds.base import ServerSpec
from portal.clouds.tests.azure.test_volumes_arm import DISK, Hex, data_disk, disk_variables
from portal.clouds.tests.azure.vms import PUBLIC_KEY, instance_view, vm_variables
from portal.core.models import Task
from portal.images.tests.factories import ImageFactory
from portal.network.tests.factories import NetworkFactory, SecurityGroupFactory
from portal.servers.models import Flavor, Server
from portal.servers.tests.factories import FlavorFactory, KeyPairFactory, ServerFactory
from portal.servers.tests.test_instances import LIST, detail
from portal.servers.workflows.recording import METADATA_KEY
from portal.tenants import quotas
from portal.tenants.models import Tenant
from portal.tenants.tests.azure_sign_up import TENANT_GROUP, expect_sign_up
from portal.tenants.tests.conftest import sign_up

pytestmark = pytest.mark.django_db

GROUP = TENANT_GROUP
PASSWORD = "Correct-Horse-9"


@pytest.fixture
def azure(azure_mappings, monkeypatch):
    """The mapped Azure cloud (the default region) with the mirrors its pulls would leave:
    its mapped flavors, image, network and security group."""
    cloud = azure_mappings
    cloud.is_default = True
    cloud.save(update_fields=["is_default"])
    FlavorFactory(cloud=cloud, backend_id="m1.small", name="m1.small", vcpus=2, ram=4096, disk=30)
    FlavorFactory(cloud=cloud, backend_id="m1.large", name="m1.large", vcpus=4, ram=16384, disk=30)
    ImageFactory(cloud=cloud, backend_id="ubuntu-24.04", image_id="ubuntu-24.04", min_disk=30)
    NetworkFactory(cloud=cloud, backend_id="private", name="private")
    SecurityGroupFactory(cloud=cloud, backend_id="web", name="web", project_id="")
    return cloud


@pytest.fixture
def jobs(monkeypatch):
    """Jobs queued by a request (on commit), run when the test says."""
    queued = []
    monkeypatch.setattr(
        transaction, "on_commit", lambda func, using=None, robust=False: queued.append(func)
    )

    def run():
        while queued:
            queued.pop(0)()

    return run


def sign_up_on_azure(azure, arm, platform_client, jobs):
    expect_sign_up(arm)
    answer = sign_up(platform_client, "Acme")
    jobs()
    tenant = Tenant.objects.get(pk=answer.json()["tenant_id"])
    assert tenant.status == Tenant.Status.ACTIVE
    return tenant


def the_vm(instance_id, **changes):
    """The exchanges' values for the server's VM in the tenant's resource group."""
    metadata = {METADATA_KEY: instance_id}
    spec = ServerSpec(
        name="web-1", flavor_id="", image_id="", boot_volume_size=0, network_ids=[],
        metadata=metadata,
    )  # fmt: skip
    return vm_variables(
        resource_group=GROUP,
        vm=vm_name(spec),
        tags={"portal-server": "web-1", **metadata},
        admin_password=PASSWORD,
        nic_operation="5e6f7a8b-1c2d-4e3f-a4b5-c6d7e8f9a0b1",
        vm_operation="9a0b1c2d-3e4f-4a5b-b6c7-d8e9f0a1b2c3",
        key_name="alice",
        public_key=PUBLIC_KEY,
        **changes,
    )


def status_of(client, instance_id):
    answer = client.get(detail(instance_id))
    assert answer.status_code == 200, answer.content
    return answer.json()["instance_status"]


def last_task(instance_id):
    task = Task.objects.filter(target_id=instance_id).order_by("-created").first()
    assert task.state == Task.State.SUCCEEDED, task.message
    return task


def power(client, arm, instance_id, operate_type, *, before, action, after):
    """Ask for a power operation, and lay out what ARM answers its job: the VM as it was,
    the action's long-running operation, the VM as it is after."""
    answer = client.post(
        detail(instance_id, "operate"), {"operate_type": operate_type}, format="json"
    )
    assert answer.status_code == 202, answer.content
    arm.sign_in().play("vm_get", **before)
    arm.play("vm_action", **{**before, "action": action, "operation": f"op-{action}"})
    arm.play("vm_get", **after)


def test_a_tenant_creates_stops_starts_resizes_and_deletes_a_server_on_azure(
    azure, arm, platform_client, jobs
):
    tenant = sign_up_on_azure(azure, arm, platform_client, jobs)
    client = tenant_client(tenant)
    KeyPairFactory(tenant=tenant, cloud=azure, name="alice", public_key=PUBLIC_KEY)

    # Create: the NIC on the mapped subnet behind the mapped NSG, the VM, read until ACTIVE.
    created = client.post(
        LIST,
        {
            "flavor_ref": "m1.small",
            "image_ref": "ubuntu-24.04",
            "network_uuid": "private",
            "security_group_name": ["web"],
            "instance_name": "web-1",
            "system_disk": {"volume_type": "Premium_LRS", "size_in_g": 64},
            "key_name": "alice",
            "admin_pass": PASSWORD,
        },
        format="json",
    )
    assert created.status_code == 202, created.content
    instance_id = created.json()["instance_id"]
    vm = the_vm(instance_id)
    arm.sign_in().play("vm_create", **vm).play("vm_get", **vm).play("vm_get", **vm)
    jobs()
    last_task(instance_id)
    server = Server.objects.get(instance_id=instance_id)
    assert server.backend_id == vm["vm"]
    assert status_of(client, instance_id) == "ACTIVE"
    assert server.addresses == {"private": ["10.0.1.4"]}

    # Stop: deallocated (the cloud's stop mode), SHUTOFF.
    stopped = the_vm(instance_id, instance_view=instance_view(power="deallocated"))
    power(client, arm, instance_id, "stop", before=vm, action="deallocate", after=stopped)
    jobs()
    last_task(instance_id)
    assert status_of(client, instance_id) == "SHUTOFF"

    # Start: running again, ACTIVE.
    power(client, arm, instance_id, "start", before=stopped, action="start", after=vm)
    jobs()
    last_task(instance_id)
    assert status_of(client, instance_id) == "ACTIVE"

    # Resize: the VM's size updated in one step (Azure restarts it), nothing confirmed.
    held = quotas.usage_of(tenant)
    answer = client.post(
        detail(instance_id, "change-flavor"), {"flavor_ref": "m1.large"}, format="json"
    )
    assert answer.status_code == 202, answer.content
    resized = the_vm(instance_id, vm_size="Standard_D4s_v5")
    update = {"properties": {"hardwareProfile": {"vmSize": "Standard_D4s_v5"}}}
    arm.sign_in().play("vm_get", **vm)
    arm.play(
        "vm_update",
        **{**resized, "update": update, "operation": "e3f4a5b6-c7d8-4e9f-8a0b-1c2d3e4f5a6b"},
    )
    arm.play("vm_get", **resized)
    jobs()
    last_task(instance_id)
    assert status_of(client, instance_id) == "ACTIVE"
    server.refresh_from_db()
    assert (server.flavor_ref, server.locked) == ("m1.large", False)
    usage = quotas.usage_of(tenant)
    assert (usage["cores"] - held["cores"], usage["ram"] - held["ram"]) == (2, 12288)

    # Delete: the VM, then its NIC and OS disk each checked gone; then the VM is asked for
    # until Azure no longer has it.
    answer = client.delete(detail(instance_id))
    assert answer.status_code == 202, answer.content
    gone = {
        **resized,
        "vm_operation": "0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e",
        "nic_operation": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "disk_operation": "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a",
    }
    arm.sign_in().play("vm_delete", **gone).play("vm_get_not_found", **gone)
    jobs()
    last_task(instance_id)
    assert client.get(detail(instance_id)).status_code == 404
    assert quotas.usage_of(tenant)["instances"] == 0


def test_a_size_azure_cannot_allocate_leaves_the_server_as_it_was(
    azure, arm, platform_client, jobs
):
    tenant = sign_up_on_azure(azure, arm, platform_client, jobs)
    client = tenant_client(tenant)
    server = ServerFactory(
        cloud=azure, tenant=tenant, name="web-1", flavor=Flavor.objects.get(backend_id="m1.small"),
        flavor_ref="m1.small", vcpus=2, ram=4096, network_id="private",
    )  # fmt: skip
    vm = the_vm(server.instance_id)
    server.backend_id = vm["vm"]
    server.save(update_fields=["backend_id"])
    held = quotas.usage_of(tenant)

    answer = client.post(
        detail(server.instance_id, "change-flavor"), {"flavor_ref": "m1.large"}, format="json"
    )
    assert answer.status_code == 202, answer.content
    update = {"properties": {"hardwareProfile": {"vmSize": "Standard_D4s_v5"}}}
    arm.sign_in().play("vm_get", **vm)
    arm.play(
        "vm_update_failed",
        **{**vm, "update": update, "operation": "f4a5b6c7-d8e9-4f0a-9b1c-2d3e4f5a6b7c"},
        error_code="AllocationFailed",
        error_message="Allocation failed. The requested VM size is not available.",
    )
    arm.play("vm_get", **vm)  # the rollback reads what Azure holds: the old size, running
    jobs()

    task = Task.objects.filter(target_id=server.instance_id).get()
    assert task.state == Task.State.FAILED
    server.refresh_from_db()
    assert (server.flavor_ref, server.status, server.locked) == ("m1.small", "ready", False)
    assert status_of(client, server.instance_id) == "ACTIVE"
    assert quotas.usage_of(tenant) == held  # the reserved cores and RAM are given back


def test_a_server_is_created_with_a_data_disk_attached_on_azure(
    azure, arm, platform_client, jobs, monkeypatch
):
    """The data disk is a managed disk in the tenant's group, made while the VM builds,
    then attached at LUN 0 by patching the VM once it runs."""
    tenant = sign_up_on_azure(azure, arm, platform_client, jobs)
    client = tenant_client(tenant)
    KeyPairFactory(tenant=tenant, cloud=azure, name="alice", public_key=PUBLIC_KEY)
    # The disk's name only: the portal's own ids come from uuid4 too.
    disk_names = SimpleNamespace(uuid4=lambda: Hex(DISK[4:]))
    monkeypatch.setattr("portal.clouds.azure.volumes.uuid", disk_names)

    created = client.post(
        LIST,
        {
            "flavor_ref": "m1.small", "image_ref": "ubuntu-24.04", "network_uuid": "private",
            "security_group_name": ["web"], "instance_name": "web-1",
            "system_disk": {"volume_type": "Premium_LRS", "size_in_g": 64},
            "data_disks": [{"volume_type": "Premium_LRS", "size_in_g": 20}],
            "key_name": "alice", "admin_pass": PASSWORD,
        },
        format="json",
    )  # fmt: skip
    assert created.status_code == 202, created.content
    instance_id = created.json()["instance_id"]
    vm = the_vm(instance_id)
    tags = {
        "portal-name": "web-1-data-1",
        "portal-description": f"Data disk of server {instance_id}",
    }
    disk = {**disk_variables(size=20, tags=tags, sku="Premium_LRS"), "resource_group": GROUP}
    body = {
        "location": "westeurope", "tags": tags, "sku": {"name": "Premium_LRS"},
        "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 20},
    }  # fmt: skip
    attached = {**data_disk(azure, 0, disk=DISK, resource_group=GROUP), "diskSizeGB": 20}
    attached["managedDisk"]["storageAccountType"] = "Premium_LRS"
    sent = [
        {"lun": 0, "createOption": "Attach", "managedDisk": {"id": attached["managedDisk"]["id"]}}
    ]
    arm.sign_in().play("vm_create", **vm)
    arm.play("disk_create", operation="op-d1", body=body, **disk).play("disk_get", **disk)
    arm.play("vm_get", **vm).play("disk_get", **disk)  # the VM runs, the disk is made
    arm.play("disk_get", **disk).play("disk_get", **disk)  # read, then read to attach
    arm.play("vm_data_disks_get", **{**vm, "data_disks": []})
    arm.play(
        "vm_data_disks_update",
        **{**vm, "operation": "op-v1", "sent_data_disks": sent, "data_disks": [attached]},
    )
    arm.play("disk_get_attached", **{**disk, "disk_state": "Attached"}, vm=vm["vm"])
    arm.play("vm_get", **vm)
    jobs()

    last_task(instance_id)
    answer = client.get(detail(instance_id)).json()
    assert answer["instance_status"] == "ACTIVE"
    assert [(d["size_in_g"], d["volume_type"]) for d in answer["data_disks"]] == [
        (20, "Premium_LRS")
    ]
    volume = Server.objects.get(instance_id=instance_id).data_volumes.get()
    assert (volume.backend_id, volume.status) == (DISK, "in-use")
