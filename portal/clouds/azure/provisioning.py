"""What `create_server` sends to Azure for a ServerSpec (seed 000's 创建VM): the NIC on the
mapped subnet with the mapped NSG, and the VM with its size, image, managed OS disk, admin
account (password and/or SSH key) and tags. Checks that need no call come first."""

from __future__ import annotations

import hashlib
import json
import re
import secrets

from azure.mgmt.compute import models as compute_models
from azure.mgmt.network import models as network_models
from django.utils.translation import gettext_lazy as _

from portal.clouds.azure.mappings import Kind, is_disk_ref, missing
from portal.clouds.base import ServerSpec
from portal.clouds.errors import CloudBadRequest

# The tag holding the portal's name of the server; the spec's metadata are tags too.
NAME_TAG = "portal-server"
DEFAULT_ADMIN_USERNAME = "azureuser"
_NOT_NAME = re.compile(r"[^a-z0-9-]+")


# Azure takes up to 72 characters for a Linux VM, 123 for Windows: the stricter holds for
# every VM, as the password is checked before the image's OS is known. 12 is the least
# Azure's own portal asks.
ADMIN_PASSWORD_LENGTH = (12, 72)


def check_admin_password(password: str) -> None:
    """Azure's rules for a VM's admin password, checked before any call: 12 to 72
    characters, with 3 of lower case, upper case, digit and special character."""
    shortest, longest = ADMIN_PASSWORD_LENGTH
    if not shortest <= len(password) <= longest:
        raise CloudBadRequest(
            _("Azure needs an administrator password of %(min)d to %(max)d characters.")
            % {"min": shortest, "max": longest}
        )
    kinds = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(kinds) < 3:
        raise CloudBadRequest(
            _(
                "Azure needs an administrator password with three of these: a lower-case "
                "letter, an upper-case letter, a digit and a special character."
            )
        )


BOOT_DISK_KEEPS_ACCOUNTS = _(
    "This image is an existing Azure disk that the server boots from as it is: its "
    "operating system keeps its own accounts, so no administrator password or key pair "
    "can be given."
)


def _slug(name: str) -> str:
    return _NOT_NAME.sub("-", name.lower()).strip("-")


def vm_name(spec: ServerSpec) -> str:
    """A VM name unique in the cloud (the server's id; ARM and the portal allow 64
    characters): the portal's name is not unique, so a suffix follows it. The suffix comes
    from the metadata (the portal's id of the server) where there are any, so that a
    redelivered create job asks for the same VM again rather than a second one."""
    base = (_slug(spec.name) or "server")[:40].strip("-")
    if spec.metadata:
        digest = hashlib.sha256(json.dumps(spec.metadata, sort_keys=True).encode()).hexdigest()
        return f"{base}-{digest[:8]}"
    return f"{base}-{secrets.token_hex(4)}"


def computer_name(spec: ServerSpec) -> str:
    """The guest's host name: 15 characters at most (Windows' limit), not only digits."""
    name = (_slug(spec.name)[:15].strip("-")) or "server"
    return name if not name.isdigit() else f"vm{name}"[:15]


def image_reference(ref: str) -> compute_models.ImageReference:
    """An image mapping's reference: an ARM image id, or publisher:offer:sku:version."""
    if ref.startswith("/"):
        return compute_models.ImageReference(id=ref)
    parts = ref.split(":")
    if len(parts) != 4 or not all(parts):
        raise CloudBadRequest(
            _('The image mapping "%(ref)s" is neither an image id nor publisher:offer:sku:version.')
            % {"ref": ref}
        )
    publisher, offer, sku, version = parts
    return compute_models.ImageReference(publisher=publisher, offer=offer, sku=sku, version=version)


def network_refs(scope, spec: ServerSpec) -> tuple[str, str | None]:
    """The subnet id of the spec's network and the id of its NSG, if any (Azure takes one
    network security group per NIC)."""
    if not spec.network_ids:
        raise CloudBadRequest(_("A server on Azure needs a network."))
    if len(spec.security_groups) > 1:
        raise CloudBadRequest(
            _("Azure applies one network security group to a server's network interface.")
        )
    subnet_id = scope.mappings.ref(Kind.NETWORK, spec.network_ids[0])
    nsg_id = None
    if spec.security_groups:
        nsg_id = scope.mappings.ref(Kind.SECURITY_GROUP, spec.security_groups[0])
    return subnet_id, nsg_id


def check_spec(scope, spec: ServerSpec) -> None:
    """What can be refused before any call."""
    if spec.host:
        raise CloudBadRequest(_("Azure places virtual machines itself; it has no hosts to choose."))
    if is_disk_ref(scope.mappings.get(Kind.IMAGE, spec.image_id)):
        if spec.admin_pass or spec.key_name:
            raise CloudBadRequest(BOOT_DISK_KEEPS_ACCOUNTS)
    elif spec.admin_pass:
        check_admin_password(spec.admin_pass)
    elif not spec.key_name:
        raise CloudBadRequest(
            _("A virtual machine on Azure needs an administrator password or a key pair.")
        )
    if scope.mappings.get(Kind.FLAVOR, spec.flavor_id) is None:
        raise missing(Kind.FLAVOR, spec.flavor_id)
    network_refs(scope, spec)


def nic_parameters(scope, spec: ServerSpec, subnet_id: str, nsg_id: str | None):
    return network_models.NetworkInterface(
        location=scope.location,
        tags={NAME_TAG: spec.name},
        ip_configurations=[
            network_models.NetworkInterfaceIPConfiguration(
                name="ipconfig1",
                subnet=network_models.Subnet(id=subnet_id),
                private_ip_allocation_method="Dynamic",
            )
        ],
        network_security_group=network_models.NetworkSecurityGroup(id=nsg_id) if nsg_id else None,
    )


def boot_disk_storage(boot_disk) -> compute_models.StorageProfile:
    """An existing managed disk as the VM's OS disk (seed 000's boot from volume: "创建VM时
    直接指定这个VHD作为系统盘"), attached as it is: no image, and its size is its own."""
    return compute_models.StorageProfile(
        os_disk=compute_models.OSDisk(
            os_type=boot_disk.os_type,
            create_option="Attach",
            caching="ReadWrite",
            managed_disk=compute_models.ManagedDiskParameters(id=boot_disk.id),
        )
    )


def vm_parameters(
    scope, spec: ServerSpec, name: str, *, image, nic_id: str, public_key: str, boot_disk=None
):
    """The VM to create: its OS disk is a managed disk of the requested size made from the
    image. Its NIC and OS disk are deleted with it by `delete_server` itself (no reliance
    on Azure's deleteOption). A VM booting from an existing disk (`boot_disk`) has no OS
    profile: Azure refuses one with an attached OS disk, whose system is set up already."""
    network_profile = compute_models.NetworkProfile(
        network_interfaces=[compute_models.NetworkInterfaceReference(id=nic_id, primary=True)]
    )
    tags = {**spec.metadata, NAME_TAG: spec.name}
    zones = [spec.availability_zone] if spec.availability_zone else None
    size = compute_models.HardwareProfile(vm_size=scope.mappings.ref(Kind.FLAVOR, spec.flavor_id))
    if boot_disk is not None:
        return compute_models.VirtualMachine(
            location=scope.location,
            tags=tags,
            zones=zones,
            hardware_profile=size,
            storage_profile=boot_disk_storage(boot_disk),
            network_profile=network_profile,
        )
    username = (scope.cloud.options or {}).get("azure_admin_username", DEFAULT_ADMIN_USERNAME)
    linux = None
    if public_key:
        linux = compute_models.LinuxConfiguration(
            disable_password_authentication=not spec.admin_pass,
            ssh=compute_models.SshConfiguration(
                public_keys=[
                    compute_models.SshPublicKey(
                        path=f"/home/{username}/.ssh/authorized_keys", key_data=public_key
                    )
                ]
            ),
        )
    return compute_models.VirtualMachine(
        location=scope.location,
        tags=tags,
        zones=zones,
        hardware_profile=size,
        storage_profile=compute_models.StorageProfile(
            image_reference=image,
            os_disk=compute_models.OSDisk(
                name=f"{name}-osdisk",
                create_option="FromImage",
                caching="ReadWrite",
                disk_size_gb=spec.boot_volume_size,
                managed_disk=compute_models.ManagedDiskParameters(
                    storage_account_type=spec.boot_volume_type
                )
                if spec.boot_volume_type
                else None,
            ),
        ),
        os_profile=compute_models.OSProfile(
            computer_name=computer_name(spec),
            admin_username=username,
            admin_password=spec.admin_pass or None,
            linux_configuration=linux,
        ),
        network_profile=network_profile,
    )
