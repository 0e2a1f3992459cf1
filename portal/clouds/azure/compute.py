"""The Azure driver's compute section (seed 000's Nova → Azure table): flavors are mapped
VM sizes, a server is a VM with its own NIC and managed OS disk, key pairs are Azure's SSH
public key resources. What Azure cannot do raises CloudBadRequest with the sentence the
request side already answers with (capabilities.py), as a guard for the worker."""

from __future__ import annotations

import logging
import re

from azure.mgmt.compute import models as compute_models
from django.utils.translation import gettext_lazy as _

from portal.clouds.azure.errors import translate_errors
from portal.clouds.azure.mappings import Kind, is_disk_ref, missing
from portal.clouds.azure.provisioning import (
    NAME_TAG,
    check_spec,
    image_reference,
    network_refs,
    nic_parameters,
    vm_name,
    vm_parameters,
)
from portal.clouds.azure.scope import AzureScope, finish, last_segment, resource_group_of
from portal.clouds.azure.server_info import made_os_disk_id, nic_ids, server_info
from portal.clouds.azure.teardown import delete_leftovers, delete_vm
from portal.clouds.base import AvailabilityZoneInfo, FlavorInfo, ServerInfo, ServerSpec
from portal.clouds.capabilities import UNSUPPORTED
from portal.clouds.errors import CloudBadRequest, CloudConflict, CloudNotFound
from portal.clouds.models import AzureStopMode, Cloud

logger = logging.getLogger("portal.clouds.azure")

_WHY_NOT = UNSUPPORTED[Cloud.Kind.AZURE]
_NO_FLAVOR_EDITS = _(
    "On Azure clouds flavors are VM sizes that an administrator maps in the admin; they "
    "cannot be created, deleted or restricted here."
)
_ONE_NSG = _("On Azure clouds a server keeps the one network security group it was created with.")
_VM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
VM_TYPE = "Microsoft.Compute/virtualMachines"
NIC_TYPE = "Microsoft.Network/networkInterfaces"
DISK_TYPE = "Microsoft.Compute/disks"


class AzureCompute:
    def __init__(self, scope: AzureScope):
        self.scope = scope

    # ---- flavors: the mapped VM sizes ------------------------------------------------

    def list_flavors(self) -> list[FlavorInfo]:
        """The flavor mappings whose VM size the cloud's location offers (one call). A
        flavor's disk is 0: the OS disk's size is chosen per server (its system disk)."""
        mapped = self.scope.mappings.of_kind(Kind.FLAVOR)
        if not mapped:
            return []
        with translate_errors("list VM sizes"):
            sizes = self.scope.compute.virtual_machine_sizes.list(self.scope.location)
            offered = {size.name.lower(): size for size in sizes}
        flavors = []
        for name, size_name in sorted(mapped.items()):
            size = offered.get(size_name.lower())
            if size is None:
                logger.warning(
                    "Azure cloud %s: flavor %s maps VM size %s, not offered in %s",
                    self.scope.cloud.name, name, size_name, self.scope.location,
                )  # fmt: skip
                continue
            flavors.append(
                FlavorInfo(
                    id=name, name=name, vcpus=size.number_of_cores, ram=size.memory_in_mb, disk=0
                )
            )
        return flavors

    def get_flavor(self, flavor_id: str) -> FlavorInfo:
        for flavor in self.list_flavors():
            if flavor.id == flavor_id:
                return flavor
        raise CloudNotFound()

    def create_flavor(self, name, vcpus, ram, disk, *, is_public=True, extra_specs=None):
        raise CloudBadRequest(_NO_FLAVOR_EDITS)

    def delete_flavor(self, flavor_id: str) -> None:
        raise CloudBadRequest(_NO_FLAVOR_EDITS)

    def list_flavor_access(self, flavor_id: str) -> list[str]:
        return []  # every mapped size is offered to every tenant (flavors are public)

    def add_flavor_access(self, flavor_id: str, project_id: str) -> None:
        raise CloudBadRequest(_NO_FLAVOR_EDITS)

    def remove_flavor_access(self, flavor_id: str, project_id: str) -> None:
        raise CloudBadRequest(_NO_FLAVOR_EDITS)

    # ---- servers ---------------------------------------------------------------------

    def _group_of(self, server_id: str) -> str:
        """The resource group of the VM `server_id` (its name). A tenant's VMs are in its
        own group; the admin's lookup costs one call (ARM's resource list by name)."""
        if not _VM_NAME.match(server_id):
            raise CloudNotFound()
        if not self.scope.is_admin:
            return self.scope.resource_group
        with translate_errors("find a VM"):
            found = self.scope.session.resources.resources.list(
                filter=f"resourceType eq '{VM_TYPE}' and name eq '{server_id}'"
            )
            for resource in found:
                return resource_group_of(resource.id)
        raise CloudNotFound()

    def _read_nics(self, vm) -> dict:
        network = self.scope.network
        return {
            nic_id.lower(): network.network_interfaces.get(
                resource_group_of(nic_id), last_segment(nic_id)
            )
            for nic_id in nic_ids(vm)
        }

    def get_server(self, server_id: str) -> ServerInfo:
        """The VM with its instance view, and its NIC for the addresses (two calls)."""
        return self._read(self._group_of(server_id), server_id)

    def _read(self, group: str, name: str) -> ServerInfo:
        with translate_errors("read a VM"):
            vm = self.scope.compute.virtual_machines.get(group, name, expand="instanceView")
            return server_info(self.scope, vm, self._read_nics(vm))

    def iter_servers(self, project_id=None, page_size=200):
        """The scope's VMs with their power states and sizes, read in bulk: the NICs once,
        then the VMs page by page with their instance views (ARM chooses the page size).
        The admin reads the whole subscription, or one tenant's group (`project_id`)."""
        compute, network = self.scope.compute, self.scope.network
        with translate_errors("list VMs"):
            if self.scope.is_admin and project_id is None:
                nics = network.network_interfaces.list_all()
                vms = compute.virtual_machines.list_all(expand="instanceView")
            else:
                group = (
                    last_segment(project_id) if self.scope.is_admin else self.scope.resource_group
                )
                nics = network.network_interfaces.list(group)
                vms = compute.virtual_machines.list(group, expand="instanceView")
            by_id = {nic.id.lower(): nic for nic in nics}
            for vm in vms:
                yield server_info(self.scope, vm, by_id)

    def create_server(self, spec: ServerSpec) -> ServerInfo:
        """Seed 000's create: the NIC on the mapped subnet (with the mapped NSG), then the
        VM on it. Everything that can be refused without a call is refused first; a VM
        that Azure refuses takes its new NIC away with it."""
        check_spec(self.scope, spec)
        subnet_id, nsg_id = network_refs(self.scope, spec)
        name = vm_name(spec)
        image_ref = self.scope.mappings.get(Kind.IMAGE, spec.image_id)
        boot_disk = self._boot_disk(image_ref, name) if is_disk_ref(image_ref) else None
        image = None if boot_disk is not None else self._image(spec.image_id)
        public_key = self._public_key(spec.key_name) if spec.key_name else ""
        group, cloud = self.scope.resource_group, self.scope.cloud
        with translate_errors("create a network interface"):
            nic = finish(
                self.scope.network.network_interfaces.begin_create_or_update(
                    group, f"{name}-nic", nic_parameters(self.scope, spec, subnet_id, nsg_id)
                ),
                cloud,
            )
        parameters = vm_parameters(
            self.scope, spec, name, image=image, nic_id=nic.id, public_key=public_key,
            boot_disk=boot_disk,
        )  # fmt: skip
        try:
            with translate_errors("create a VM"):
                finish(
                    self.scope.compute.virtual_machines.begin_create_or_update(
                        group, name, parameters
                    ),
                    cloud,
                )
        except Exception:
            self._delete_nic_quietly(group, nic.name)
            raise
        return self._read(group, name)

    def _boot_disk(self, disk_id: str, vm: str):
        """The managed disk an image mapping names, read before anything is made: it must
        hold an operating system and be free (or be this VM's already: a redelivered job)."""
        with translate_errors("read a disk"):
            disk = self.scope.compute.disks.get(resource_group_of(disk_id), last_segment(disk_id))
        if disk.managed_by and last_segment(disk.managed_by).lower() != vm.lower():
            raise CloudConflict(
                _(
                    "The Azure disk %(disk)s that this image boots from is attached to the "
                    "virtual machine %(vm)s; a disk boots one server at a time."
                )
                % {"disk": disk.name, "vm": last_segment(disk.managed_by)}
            )
        if not disk.os_type:
            raise CloudBadRequest(
                _(
                    "The Azure disk %(disk)s that this image names has no operating system "
                    "type, so a server cannot boot from it; an administrator must map a "
                    "bootable disk."
                )
                % {"disk": disk.name}
            )
        return disk

    def _image(self, image_id: str):
        """An image mapping's reference, else the image the portal uploaded: the ARM image
        of that name in the cloud's resource group."""
        ref = self.scope.mappings.get(Kind.IMAGE, image_id)
        if ref is not None:
            return image_reference(ref)
        try:
            with translate_errors("read an image"):
                image = self.scope.compute.images.get(
                    self.scope.cloud.azure_resource_group, image_id
                )
        except CloudNotFound:
            raise missing(Kind.IMAGE, image_id) from None
        return compute_models.ImageReference(id=image.id)

    def _public_key(self, key_name: str) -> str:
        with translate_errors("read an SSH public key"):
            key = self.scope.compute.ssh_public_keys.get(self.scope.resource_group, key_name)
        return key.public_key

    def _delete_nic_quietly(self, group: str, nic_name: str) -> None:
        try:
            with translate_errors("delete a network interface"):
                finish(
                    self.scope.network.network_interfaces.begin_delete(group, nic_name),
                    self.scope.cloud,
                )
        except Exception:
            logger.exception("Azure: the NIC %s/%s of a refused VM remains", group, nic_name)

    def delete_server(self, server_id: str) -> None:
        """The VM, then its NIC and OS disk, each checked gone (seed 000 doubts Azure
        removes them); data disks stay, as on OpenStack, and so does an OS disk the VM was
        booted from (an operator's disk, attached rather than made: a boot volume without
        delete-on-termination). Where the VM is gone already (a
        retry), what create made for it is removed by the names create gave them."""
        try:
            group = self._group_of(server_id)
        except CloudNotFound:
            return  # the admin found no VM of that name anywhere: nothing to delete
        try:
            with translate_errors("read a VM"):
                vm = self.scope.compute.virtual_machines.get(group, server_id)
        except CloudNotFound:
            nic_id = self.scope.resource_id(NIC_TYPE, f"{server_id}-nic", group)
            disk_id = self.scope.resource_id(DISK_TYPE, f"{server_id}-osdisk", group)
            delete_leftovers(self.scope, [nic_id], disk_id)
            return
        delete_vm(self.scope, group, server_id)
        delete_leftovers(self.scope, nic_ids(vm), made_os_disk_id(vm))

    # ---- key pairs: Azure's SSH public key resources ---------------------------------

    def import_keypair(self, name: str, public_key: str) -> None:
        with translate_errors("import an SSH public key"):
            self.scope.compute.ssh_public_keys.create(
                self.scope.resource_group,
                name,
                compute_models.SshPublicKeyResource(
                    location=self.scope.location, public_key=public_key
                ),
            )

    def delete_keypair(self, name: str) -> None:
        with translate_errors("delete an SSH public key"):
            self.scope.compute.ssh_public_keys.delete(self.scope.resource_group, name)

    # ---- actions ---------------------------------------------------------------------

    def _act(self, server_id: str, operation: str, what: str) -> None:
        group = self._group_of(server_id)
        with translate_errors(what):
            finish(
                getattr(self.scope.compute.virtual_machines, operation)(group, server_id),
                self.scope.cloud,
            )

    def start_server(self, server_id: str) -> None:
        self._act(server_id, "begin_start", "start a VM")

    def stop_server(self, server_id: str) -> None:
        """Deallocate (no longer billed) or power off (still allocated), as the cloud's
        stop mode says."""
        if self.scope.cloud.azure_stop_mode == AzureStopMode.POWER_OFF:
            self._act(server_id, "begin_power_off", "power off a VM")
        else:
            self._act(server_id, "begin_deallocate", "deallocate a VM")

    def reboot_server(self, server_id: str, hard: bool = False) -> None:
        # Azure has one restart; seed 000 maps both of Nova's reboots onto it.
        self._act(server_id, "begin_restart", "restart a VM")

    def resize_server(self, server_id: str, flavor_id: str) -> None:
        """Update the VM size; Azure restarts a running VM to apply it. There is nothing
        to confirm or revert afterwards."""
        size = self.scope.mappings.ref(Kind.FLAVOR, flavor_id)
        self._update(
            server_id,
            compute_models.VirtualMachineUpdate(
                hardware_profile=compute_models.HardwareProfile(vm_size=size)
            ),
            "resize a VM",
        )

    def set_server_metadata(self, server_id: str, metadata: dict) -> dict:
        """Merge `metadata` into the VM's tags; returns the metadata it now has."""
        info = self.get_server(server_id)
        tags = {**info.metadata, **metadata, NAME_TAG: info.name}
        vm = self._update(server_id, compute_models.VirtualMachineUpdate(tags=tags), "tag a VM")
        return {key: value for key, value in (vm.tags or {}).items() if key != NAME_TAG}

    def _update(self, server_id: str, update, what: str):
        group = self._group_of(server_id)
        with translate_errors(what):
            return finish(
                self.scope.compute.virtual_machines.begin_update(group, server_id, update),
                self.scope.cloud,
            )

    def _refuse(self, operation: str):
        raise CloudBadRequest(_WHY_NOT[operation])

    def suspend_server(self, server_id):
        self._refuse("suspend")

    def resume_server(self, server_id):
        self._refuse("resume")

    def pause_server(self, server_id):
        self._refuse("pause")

    def unpause_server(self, server_id):
        self._refuse("unpause")

    def lock_server(self, server_id):
        self._refuse("lock")

    def unlock_server(self, server_id):
        self._refuse("unlock")

    def confirm_resize(self, server_id):
        self._refuse("confirm")

    def revert_resize(self, server_id):
        self._refuse("revert")

    def get_remote_console(self, server_id):
        self._refuse("console")

    def get_console_output(self, server_id, lines):
        self._refuse("console_log")

    def add_security_group(self, server_id, name):
        raise CloudBadRequest(_ONE_NSG)

    def remove_security_group(self, server_id, name):
        raise CloudBadRequest(_ONE_NSG)

    # ---- placement ---------------------------------------------------------------------

    def list_availability_zones(self) -> list[AvailabilityZoneInfo]:
        """The zones an operator lists in the cloud's options ("availability_zones"):
        Azure's zones are chosen per VM, and the portal offers only the mapped ones."""
        zones = (self.scope.cloud.options or {}).get("availability_zones") or []
        return [AvailabilityZoneInfo(name=str(zone)) for zone in zones]

    def list_compute_hosts(self):
        """None: Azure shows no hosts (it places VMs itself), so there is nothing to
        choose or to count capacity on."""
        return []
