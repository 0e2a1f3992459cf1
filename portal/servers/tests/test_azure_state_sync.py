"""The servers' state sync on an Azure cloud: the Azure driver reads every VM of the
subscription with its power state and size in bulk (the NICs once, then the VMs with
their instance views page by page), against recorded ARM exchanges; the portal's rows
take what Azure holds."""

import pytest

from portal.clouds.azure.driver import AzureDriver
from portal.clouds.base import TenantCredentials
from portal.clouds.tests.azure.vms import SUBSCRIPTION, instance_view, vm_variables
from portal.servers.models import Server
from portal.servers.tests.factories import FlavorFactory, ServerFactory
from portal.servers.workflows.state_sync import sync_servers
from portal.tenants.tests.factories import TenantFactory, record_identity

pytestmark = pytest.mark.django_db

GROUP = "tenant-alpha"


@pytest.fixture
def tenant(azure_mappings):
    tenant = TenantFactory()
    project_id = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}"
    record_identity(
        tenant,
        azure_mappings,
        TenantCredentials(username="", password="", project_id=project_id, user_domain_id=""),
    )
    return tenant


def listed_vm(name, power, size):
    values = vm_variables(resource_group=GROUP, vm=name, vm_size=size)
    return {"$include": "vm", **values, "instance_view": instance_view(power)}


def test_the_sync_takes_each_vm_s_power_state_and_size_and_marks_the_vanished(
    azure_mappings, tenant, arm
):
    FlavorFactory(cloud=azure_mappings, backend_id="m1.small", name="m1.small", vcpus=2, ram=4096)
    FlavorFactory(cloud=azure_mappings, backend_id="m1.large", name="m1.large", vcpus=4, ram=16384)
    common = {"cloud": azure_mappings, "tenant": tenant, "network_id": "private"}
    stopped = ServerFactory(
        **common, name="web-1", backend_id="web-1-0a1b2c3d", runtime_state="ACTIVE",
        power_state="running", flavor_ref="m1.small", vcpus=2, ram=4096,
    )  # fmt: skip
    gone = ServerFactory(**common, name="old-1", backend_id="old-1-99999999")
    nic = {"$include": "nic", **vm_variables(resource_group=GROUP)}
    arm.sign_in().play(
        "vm_list_all",
        nics=[nic],
        first_page=[
            listed_vm("web-1-0a1b2c3d", "deallocated", "Standard_B2s"),
            listed_vm("db-1-4e5f6a7b", "running", "Standard_D4s_v5"),
        ],
    )
    arm.play("disk_list_all", disks=[])

    counts = sync_servers(azure_mappings, AzureDriver(azure_mappings))

    stopped.refresh_from_db()
    assert (stopped.runtime_state, stopped.power_state) == ("SHUTOFF", "shutdown")
    assert stopped.addresses == {"private": ["10.0.1.4"]}
    found = Server.objects.get(cloud=azure_mappings, backend_id="db-1-4e5f6a7b")
    assert (found.origin, found.tenant, found.flavor_ref, found.vcpus, found.ram) == (
        Server.Origin.DISCOVERED, tenant, "m1.large", 4, 16384
    )  # fmt: skip
    assert found.runtime_state == "ACTIVE"
    gone.refresh_from_db()
    assert gone.status == Server.Status.DELETED
    assert counts.read == 2
    # sign-in (2), the NICs, one page of VMs, the disks: whatever the number of VMs
    assert len(arm.calls) == 5
