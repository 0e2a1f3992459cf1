"""The values the recorded VM exchanges are filled with (exchanges/vm.json, nic.json ...):
one Linux VM "web-1" on the mapped subnet "private" behind the mapped NSG "web"."""

from portal.clouds.models import AzureMapping

SUBSCRIPTION = "11111111-2222-3333-4444-555555555555"
SUBNET_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/portal-network/providers/"
    "Microsoft.Network/virtualNetworks/portal-vnet/subnets/private"
)
NSG_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/portal-network/providers/"
    "Microsoft.Network/networkSecurityGroups/web-nsg"
)
MARKETPLACE = {
    "publisher": "Canonical",
    "offer": "ubuntu-24_04-lts",
    "sku": "server",
    "version": "latest",
}
PUBLIC_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcI3tLk1x2m7wR0v0m0n2c4Jx3mC4m1o4rZ8b3b8d2Q alice@laptop"
)
Kind = AzureMapping.Kind
MAPPINGS = [
    (Kind.FLAVOR, "m1.small", "Standard_B2s"),
    (Kind.FLAVOR, "m1.large", "Standard_D4s_v5"),
    (Kind.FLAVOR, "m1.retired", "Standard_A1"),
    (Kind.IMAGE, "ubuntu-24.04", "Canonical:ubuntu-24_04-lts:server:latest"),
    (Kind.NETWORK, "private", SUBNET_ID),
    (Kind.SECURITY_GROUP, "web", NSG_ID),
]
TIME = "2026-12-04T21:00:31.0000000+00:00"


def instance_view(power="running", provisioning="succeeded", errors=()):
    """An instance view as ARM returns it with $expand=instanceView."""
    statuses = [
        {
            "code": f"ProvisioningState/{provisioning}",
            "level": "Error" if errors else "Info",
            "displayStatus": f"Provisioning {provisioning}",
            "time": TIME,
            **({"message": errors[0]} if errors else {}),
        }
    ]
    if power:
        statuses.append(
            {"code": f"PowerState/{power}", "level": "Info", "displayStatus": f"VM {power}"}
        )
    return {
        "computerName": "web-1",
        "osName": "ubuntu",
        "osVersion": "24.04",
        "vmAgent": {
            "vmAgentVersion": "2.11.1.12",
            "statuses": [
                {
                    "code": "ProvisioningState/succeeded",
                    "level": "Info",
                    "displayStatus": "Ready",
                    "message": "Guest Agent is running",
                    "time": TIME,
                }
            ],
        },
        "disks": [
            {
                "name": "web-1-osdisk",
                "statuses": [
                    {
                        "code": "ProvisioningState/succeeded",
                        "level": "Info",
                        "displayStatus": "Provisioning succeeded",
                        "time": TIME,
                    }
                ],
            }
        ],
        "hyperVGeneration": "V2",
        "statuses": statuses,
    }


def vm_variables(resource_group="portal-rg", **changes) -> dict:
    """The placeholders of vm.json, nic.json and the exchanges using them, for a VM in
    `resource_group` (the scope's group: a tenant's, or the cloud's)."""
    vm = changes.get("vm", "web-1-0a1b2c3d")
    vm_id = (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{resource_group}/providers/"
        f"Microsoft.Compute/virtualMachines/{vm}"
    )
    values = {
        "resource_group": resource_group,
        "vm": vm,
        "vm_group": resource_group,
        "vm_id": "6c1e0a4f-3b2d-4e5f-9a8b-7c6d5e4f3a2b",
        "vm_size": "Standard_B2s",
        "server_name": "web-1",
        "tags": {"portal-server": "web-1", "portal_instance_id": "3f1c"},
        "zones": None,
        "request_zones": None,
        "image_reference": MARKETPLACE,
        "disk_size": 64,
        "disk_type": "Premium_LRS",
        "data_disks": [],
        "computer_name": "web-1",
        "linux_configuration": {
            "disablePasswordAuthentication": False,
            "ssh": {
                "publicKeys": [
                    {"path": "/home/azureuser/.ssh/authorized_keys", "keyData": PUBLIC_KEY}
                ]
            },
            "provisionVMAgent": True,
            "enableVMAgentPlatformUpdates": False,
        },
        "provisioning": "Succeeded",
        "instance_view": instance_view(),
        "private_ip": "10.0.1.4",
        "subnet_id": SUBNET_ID,
        "nsg_id": NSG_ID,
        "nsg_ref": {"id": NSG_ID},
        "nic_vm": {"id": vm_id},
        "key_name": "alice",
        "public_key": PUBLIC_KEY,
        "operation": "b8c1a2d3-0e4f-4a5b-8c6d-7e8f9a0b1c2d",
    }
    values.update(changes)
    return values
