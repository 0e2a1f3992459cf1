"""The Azure driver's servers against recorded ARM exchanges: create (NIC, VM with its
OS disk, password and SSH key), read, list in bulk, delete with its NIC and OS disk
checked gone, and Azure's errors as the portal's."""

import logging

import pytest

from portal.clouds.azure.driver import AzureDriver
from portal.clouds.azure.provisioning import vm_name
from portal.clouds.base import ServerSpec, TenantCredentials
from portal.clouds.errors import (
    CloudBadRequest,
    CloudNotFound,
    CloudQuotaExceeded,
)
from portal.clouds.tests.azure.vms import instance_view, vm_variables

pytestmark = pytest.mark.django_db

SPEC = ServerSpec(
    name="web-1",
    flavor_id="m1.small",
    image_id="ubuntu-24.04",
    boot_volume_size=64,
    boot_volume_type="Premium_LRS",
    network_ids=["private"],
    security_groups=["web"],
    key_name="alice",
    admin_pass="Correct-Horse-9",
    metadata={"portal_instance_id": "3f1c"},
)
VM = vm_name(SPEC)
CREATED = vm_variables(
    vm=VM,
    admin_password="Correct-Horse-9",
    nic_operation="5e6f7a8b-1c2d-4e3f-a4b5-c6d7e8f9a0b1",
    vm_operation="9a0b1c2d-3e4f-4a5b-b6c7-d8e9f0a1b2c3",
)


def tenant(azure_cloud, group="tenant-alpha"):
    credentials = TenantCredentials(
        username="",
        password="",
        project_id=f"/subscriptions/{azure_cloud.azure_subscription_id}/resourceGroups/{group}",
        user_domain_id="",
    )
    return AzureDriver(azure_cloud, credentials)


def test_a_server_is_created_with_its_nic_system_disk_password_and_key(azure_mappings, arm):
    arm.sign_in().play("vm_create", **CREATED)

    info = AzureDriver(azure_mappings).compute.create_server(SPEC)

    assert (info.id, info.name, info.status, info.power_state) == (VM, "web-1", "ACTIVE", "running")
    assert (info.flavor_id, info.image_id) == ("m1.small", "ubuntu-24.04")
    assert info.addresses == {"private": ["10.0.1.4"]}
    assert info.security_groups == ["web"]
    assert info.metadata == {"portal_instance_id": "3f1c"}
    assert info.project_id.endswith("/resourceGroups/portal-rg")


def test_a_tenant_creates_in_its_own_resource_group_and_a_mapped_zone(azure_mappings, arm):
    in_zone = {**CREATED, "resource_group": "tenant-alpha", "vm_group": "tenant-alpha"}
    in_zone.update(zones=["1"], request_zones=["1"])
    arm.sign_in().play("vm_create", **in_zone)

    info = tenant(azure_mappings).compute.create_server(
        ServerSpec(**{**SPEC.__dict__, "availability_zone": "1"})
    )

    assert info.project_id == (
        f"/subscriptions/{azure_mappings.azure_subscription_id}/resourceGroups/tenant-alpha"
    )
    assert info.availability_zone == "1"


def test_a_vm_azure_refuses_takes_its_new_nic_away(azure_mappings, arm):
    refused = {
        **CREATED,
        "status": 409,
        "error_code": "QuotaExceeded",
        "error_message": "Operation could not be completed as it results in exceeding "
        "approved standardBSFamily Cores quota.",
        "nic_delete_operation": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f",
    }
    arm.sign_in().play("vm_create_refused", **refused)

    with pytest.raises(CloudQuotaExceeded):
        AzureDriver(azure_mappings).compute.create_server(SPEC)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"flavor_id": "m9.huge"}, 'flavor → VM size mapping named "m9.huge"'),
        ({"network_ids": ["elsewhere"]}, 'virtual network subnet mapping named "elsewhere"'),
        ({"security_groups": ["db"]}, 'network security group mapping named "db"'),
        ({"security_groups": ["web", "ssh"]}, "one network security group"),
        ({"admin_pass": "short1A!"}, "12 to 123 characters"),
        ({"admin_pass": "alllowercase1"}, "three of these"),
        ({"admin_pass": "", "key_name": ""}, "password or a key pair"),
        ({"host": "compute-1"}, "no hosts"),
    ],
)
def test_what_azure_would_refuse_is_refused_before_any_call(azure_mappings, arm, change, words):
    spec = ServerSpec(**{**SPEC.__dict__, **change})

    with pytest.raises(CloudBadRequest, match=words):
        AzureDriver(azure_mappings).compute.create_server(spec)

    assert len(arm.calls) == 0


def test_an_image_neither_mapped_nor_uploaded_is_a_missing_mapping(azure_mappings, arm):
    arm.sign_in().play("image_get_not_found", image="debian-12")
    spec = ServerSpec(**{**SPEC.__dict__, "image_id": "debian-12"})

    with pytest.raises(CloudBadRequest, match='image mapping named "debian-12"'):
        AzureDriver(azure_mappings).compute.create_server(spec)


def test_a_server_is_read_with_its_power_state_and_addresses(azure_mappings, arm):
    values = vm_variables("tenant-alpha", instance_view=instance_view("deallocated"))
    arm.sign_in().play("vm_get", **values)

    info = tenant(azure_mappings).compute.get_server("web-1-0a1b2c3d")

    assert (info.status, info.power_state, info.task_state) == ("SHUTOFF", "shutdown", None)
    assert info.addresses == {"private": ["10.0.1.4"]}


def test_a_429_is_retried_after_the_wait_azure_asks(azure_mappings, arm):
    arm.sign_in().play("vm_get", throttle=0, **vm_variables("tenant-alpha"))

    info = tenant(azure_mappings).compute.get_server("web-1-0a1b2c3d")

    assert info.status == "ACTIVE"
    assert [call.response.status_code for call in arm.calls][2:4] == [429, 200]


def test_a_server_azure_does_not_have_is_not_found(azure_mappings, arm):
    arm.sign_in().play("vm_get_not_found", vm="web-9", resource_group="tenant-alpha")

    with pytest.raises(CloudNotFound):
        tenant(azure_mappings).compute.get_server("web-9")


def test_a_failed_vm_is_an_error_with_azure_s_reason(azure_mappings, arm):
    failed = instance_view(None, "failed/OSProvisioningTimedOut", ["OS Provisioning timed out."])
    values = vm_variables("tenant-alpha", provisioning="Failed", instance_view=failed)
    arm.sign_in().play("vm_get", **values)

    info = tenant(azure_mappings).compute.get_server("web-1-0a1b2c3d")

    assert (info.status, info.fault) == ("ERROR", "OS Provisioning timed out.")


def test_the_admin_finds_a_tenant_s_vm_by_its_name(azure_mappings, arm):
    values = vm_variables(resource_group="tenant-alpha")
    arm.sign_in().play("vm_find", **values).play("vm_get", **values)

    info = AzureDriver(azure_mappings).compute.get_server("web-1-0a1b2c3d")

    assert info.project_id.endswith("/resourceGroups/tenant-alpha")


def test_a_tenant_reads_its_servers_in_bulk_page_by_page(azure_mappings, arm):
    def vm(name, power, size):
        values = vm_variables(resource_group="tenant-alpha", vm=name, vm_size=size)
        values["instance_view"] = instance_view(power)
        return {"$include": "vm", **values}

    nic = {"$include": "nic", **vm_variables(resource_group="tenant-alpha")}
    arm.sign_in().play(
        "vm_list",
        resource_group="tenant-alpha",
        nics=[nic],
        first_page=[vm("web-1-0a1b2c3d", "running", "Standard_B2s")],
        second_page=[vm("db-1-4e5f6a7b", "stopped", "Standard_F2s")],
    )

    infos = list(tenant(azure_mappings).compute.iter_servers())

    assert [(i.id, i.status, i.flavor_id) for i in infos] == [
        ("web-1-0a1b2c3d", "ACTIVE", "m1.small"),
        ("db-1-4e5f6a7b", "SHUTOFF", "Standard_F2s"),  # an unmapped size is shown as it is
    ]
    assert infos[0].addresses == {"private": ["10.0.1.4"]}
    assert infos[1].addresses == {}
    assert len(arm.calls) == 5  # sign-in, the NICs, two pages of VMs


def test_the_admin_reads_every_server_of_the_subscription(azure_mappings, arm):
    values = vm_variables(resource_group="tenant-beta")
    arm.sign_in().play(
        "vm_list_all",
        nics=[{"$include": "nic", **values}],
        first_page=[{"$include": "vm", **values}],
    )

    (info,) = AzureDriver(azure_mappings).compute.iter_servers()

    assert info.project_id.endswith("/resourceGroups/tenant-beta")


def test_a_server_is_deleted_with_its_nic_and_os_disk_each_checked_gone(azure_mappings, arm):
    values = vm_variables(
        resource_group="tenant-alpha",
        vm_operation="0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e",
        nic_operation="1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        disk_operation="2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a",
    )
    arm.sign_in().play("vm_delete", **values)

    tenant(azure_mappings).compute.delete_server("web-1-0a1b2c3d")

    deleted = [
        call.request.url.split("?")[0] for call in arm.calls if call.request.method == "DELETE"
    ]
    assert [url.rsplit("/", 2)[-2] for url in deleted] == [
        "virtualMachines",
        "networkInterfaces",
        "disks",
    ]


def test_a_retried_delete_removes_the_nic_and_disk_of_a_vm_already_gone(azure_mappings, arm):
    arm.sign_in().play("vm_delete_after_vm_gone", **vm_variables("tenant-alpha"))

    tenant(azure_mappings).compute.delete_server("web-1-0a1b2c3d")

    assert [call.request.method for call in arm.calls[2:]] == [
        "GET",
        "DELETE",
        "GET",
        "DELETE",
        "GET",
    ]


def test_an_operation_azure_ends_failed_raises_its_error(azure_mappings, arm):
    arm.sign_in().play(
        "vm_action_failed",
        **vm_variables("tenant-alpha"),
        action="start",
        error_code="QuotaExceeded",
        error_message="Allocation failed: the cores quota is exhausted.",
    )

    with pytest.raises(CloudQuotaExceeded):
        tenant(azure_mappings).compute.start_server("web-1-0a1b2c3d")


def test_a_mapped_size_azure_does_not_offer_is_left_out_and_logged(azure_mappings, arm, caplog):
    arm.sign_in().play("vm_sizes")

    with caplog.at_level(logging.WARNING, logger="portal.clouds.azure"):
        flavors = AzureDriver(azure_mappings).compute.list_flavors()

    assert [(f.id, f.vcpus, f.ram, f.disk) for f in flavors] == [
        ("m1.large", 4, 16384, 0),
        ("m1.small", 2, 4096, 0),
    ]
    assert "m1.retired maps VM size Standard_A1" in caplog.text
