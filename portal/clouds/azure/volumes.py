"""The driver's cloud disks on Azure (VolumeAPI): managed disks, attached to and detached
from a VM by updating its data disks (seed 000: "更新VM信息时带上要挂载的volume").

A volume's id is the managed disk's name in the scope's resource group (the cloud's for
its admin; a tenant's own, the last segment of its credentials' project id), a server's
id its VM's name there. The portal's name and description of a disk live in its tags.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute.models import (
    CreationData,
    DataDisk,
    Disk,
    DiskSku,
    DiskUpdate,
    ManagedDiskParameters,
    StorageProfile,
    VirtualMachineUpdate,
)
from django.utils.translation import gettext as _

from portal.clouds.azure.errors import azure_code, translate_errors
from portal.clouds.azure.scope import AzureScope, finish, last_segment, resource_group_of
from portal.clouds.base import VolumeAttachment, VolumeInfo
from portal.clouds.errors import CloudBadRequest, CloudConflict, CloudNotFound

VOLUME_PREFIX = "vol-"
NAME_TAG = "portal-name"
DESCRIPTION_TAG = "portal-description"
# Azure's managed disk SKUs the portal offers, where the cloud's options name none
# (`azure_disk_skus`); Ultra and Premium v2 disks need settings the portal does not make.
DISK_SKUS = ("Standard_LRS", "StandardSSD_LRS", "Premium_LRS")
# Azure needs at least this, and the VMs take no smaller data disk (seed 000: min 1 GB).
MIN_SIZE_GB = 1
STATUS_OF_DISK_STATE = {
    "Unattached": "available",
    "Attached": "in-use",
    "Reserved": "in-use",  # attached to a deallocated VM
    "Frozen": "in-use",  # attached to a hibernated VM
    "ActiveSASFrozen": "in-use",
    "ActiveSAS": "maintenance",  # exported through a SAS URL
    "ReadyToUpload": "maintenance",
    "ActiveUpload": "maintenance",
}
STATUS_OF_PROVISIONING = {"Creating": "creating", "Deleting": "deleting", "Failed": "error"}
# ARM's codes for a change the disk's state does not allow now.
REFUSED_IN_THIS_STATE = frozenset({"OperationNotAllowed", "Conflict", "PropertyChangeNotAllowed"})


def volume_info(disk, scope: AzureScope) -> VolumeInfo:
    tags = disk.tags or {}
    status = STATUS_OF_PROVISIONING.get(disk.provisioning_state) or STATUS_OF_DISK_STATE.get(
        disk.disk_state or "", "available"
    )
    attachments = (
        [VolumeAttachment(server_id=last_segment(disk.managed_by))] if disk.managed_by else []
    )
    return VolumeInfo(
        id=disk.name,
        name=tags.get(NAME_TAG, disk.name),
        size=disk.disk_size_gb or 0,
        status=status,
        volume_type=disk.sku.name if disk.sku else "",
        availability_zone=(disk.zones or [""])[0],
        bootable=bool(disk.os_type),
        attachments=attachments,
        created_at=disk.time_created,
        description=tags.get(DESCRIPTION_TAG, ""),
        project_id=scope.group_id(resource_group_of(disk.id)),
    )


class AzureVolumes:
    """The volumes section of the Azure driver."""

    def __init__(self, scope: AzureScope):
        self.scope = scope
        self.resource_group = scope.resource_group

    @property
    def _disks(self):
        return self.scope.compute.disks

    @property
    def _vms(self):
        return self.scope.compute.virtual_machines

    # ---- reading -----------------------------------------------------------------

    def get_volume(self, volume_id: str) -> VolumeInfo:
        return volume_info(self._disk(volume_id), self.scope)

    def _disk(self, volume_id: str):
        with translate_errors("disk read"):
            return self._disks.get(self.resource_group, volume_id)

    def list_volumes(self) -> list[VolumeInfo]:
        return list(self.iter_volumes())

    def iter_volumes(self, page_size: int = 200) -> Iterator[VolumeInfo]:
        """The scope's disks: a tenant's resource group's; for the admin, every disk of the
        subscription (every tenant's). ARM pages itself: `page_size` is not Azure's to choose."""
        with translate_errors("disks list"):
            if self.scope.is_admin:
                disks = self._disks.list()
            else:
                disks = self._disks.list_by_resource_group(self.resource_group)
            for disk in disks:
                yield volume_info(disk, self.scope)

    def list_volume_types(self) -> list[str]:
        return list((self.scope.cloud.options or {}).get("azure_disk_skus") or DISK_SKUS)

    # ---- writing -----------------------------------------------------------------

    def create_volume(
        self,
        name: str,
        size: int,
        *,
        volume_type: str = "",
        availability_zone: str = "",
        image_id: str = "",
        description: str = "",
    ) -> VolumeInfo:
        if image_id:
            raise CloudBadRequest(
                _(
                    "On Azure a cloud disk is made empty; a disk from an image is made "
                    "with a server."
                )
            )
        if size < MIN_SIZE_GB:
            raise CloudBadRequest(
                _("Azure disks are at least %(size)d GB.") % {"size": MIN_SIZE_GB}
            )
        sku = volume_type or self.list_volume_types()[0]
        if sku not in self.list_volume_types():
            raise CloudBadRequest(
                _("%(type)s is not a disk type of this cloud; it offers %(types)s.")
                % {"type": sku, "types": ", ".join(self.list_volume_types())}
            )
        disk = Disk(
            location=self.scope.location,
            tags={NAME_TAG: name[:256], DESCRIPTION_TAG: description[:256]},
            sku=DiskSku(name=sku),
            zones=[availability_zone] if availability_zone else None,
            creation_data=CreationData(create_option="Empty"),
            disk_size_gb=size,
        )
        volume_id = f"{VOLUME_PREFIX}{uuid.uuid4().hex}"
        with translate_errors("disk create"):
            finish(
                self._disks.begin_create_or_update(self.resource_group, volume_id, disk),
                self.scope.cloud,
            )
        return self.get_volume(volume_id)

    def extend_volume(self, volume_id: str, new_size: int) -> None:
        """Grow the disk. Azure grows an attached disk only where the VM and disk allow it
        (else the VM must be deallocated first), and never shrinks one."""
        current = self._disk(volume_id)
        if new_size <= (current.disk_size_gb or 0):
            raise CloudBadRequest(
                _("Azure disks only grow: %(size)d GB is not more than %(current)d GB.")
                % {"size": new_size, "current": current.disk_size_gb or 0}
            )
        with translate_errors("disk resize"):
            try:
                finish(
                    self._disks.begin_update(
                        self.resource_group, volume_id, DiskUpdate(disk_size_gb=new_size)
                    ),
                    self.scope.cloud,
                )
            except HttpResponseError as exc:
                if azure_code(exc) in REFUSED_IN_THIS_STATE:
                    raise CloudConflict(
                        _(
                            "Azure refused to resize the disk %(id)s while it is attached; "
                            "detach it or stop (deallocate) its server first."
                        )
                        % {"id": volume_id}
                    ) from exc
                raise

    def update_volume(
        self, volume_id: str, *, name: str | None = None, description: str | None = None
    ) -> VolumeInfo:
        tags = dict(self._disk(volume_id).tags or {})
        if name is not None:
            tags[NAME_TAG] = name[:256]
        if description is not None:
            tags[DESCRIPTION_TAG] = description[:256]
        with translate_errors("disk update"):
            finish(
                self._disks.begin_update(self.resource_group, volume_id, DiskUpdate(tags=tags)),
                self.scope.cloud,
            )
        return self.get_volume(volume_id)

    def attach_volume(self, server_id: str, volume_id: str) -> VolumeAttachment:
        """Add the disk to the VM's data disks at the lowest free LUN."""
        disk = self._disk(volume_id)
        vm = self._vm(server_id)
        data_disks = list(vm.storage_profile.data_disks or [])
        used = {data_disk.lun for data_disk in data_disks}
        lun = next(number for number in range(len(used) + 1) if number not in used)
        data_disks.append(
            DataDisk(
                lun=lun,
                create_option="Attach",
                managed_disk=ManagedDiskParameters(id=disk.id),
            )
        )
        updated = self._update_data_disks(server_id, data_disks)
        for data_disk in updated.storage_profile.data_disks or []:
            if _same_disk(data_disk, volume_id):
                return VolumeAttachment(server_id=server_id, device=f"lun{data_disk.lun}")
        raise CloudConflict(
            _("Azure did not attach the disk %(id)s to the server %(server)s.")
            % {"id": volume_id, "server": server_id}
        )

    def detach_volume(self, server_id: str, volume_id: str) -> None:
        """Remove the disk from the VM's data disks."""
        vm = self._vm(server_id)
        data_disks = list(vm.storage_profile.data_disks or [])
        kept = [data_disk for data_disk in data_disks if not _same_disk(data_disk, volume_id)]
        if len(kept) == len(data_disks):
            raise CloudNotFound(
                _("The disk %(id)s is not attached to the server %(server)s.")
                % {"id": volume_id, "server": server_id}
            )
        self._update_data_disks(server_id, kept)

    def _vm(self, server_id: str):
        with translate_errors("VM read"):
            return self._vms.get(self.resource_group, server_id)

    def _update_data_disks(self, server_id: str, data_disks: list):
        # A PATCH of the data disks alone: what else the VM holds is left as it is.
        change = VirtualMachineUpdate(storage_profile=StorageProfile(data_disks=data_disks))
        with translate_errors("VM update"):
            return finish(
                self._vms.begin_update(self.resource_group, server_id, change), self.scope.cloud
            )

    def delete_volume(self, volume_id: str) -> None:
        """Delete the disk, then check it is gone (ARM may accept and not finish)."""
        with translate_errors("disk delete"):
            try:
                finish(self._disks.begin_delete(self.resource_group, volume_id), self.scope.cloud)
            except HttpResponseError as exc:
                if azure_code(exc) in REFUSED_IN_THIS_STATE:
                    raise CloudConflict(
                        _("Azure refused to delete the disk %(id)s: detach it first.")
                        % {"id": volume_id}
                    ) from exc
                raise
            try:
                self._disks.get(self.resource_group, volume_id)
            except ResourceNotFoundError:
                return
        raise CloudConflict(
            _("Azure still has the disk %(id)s after deleting it.") % {"id": volume_id}
        )


def _same_disk(data_disk, volume_id: str) -> bool:
    managed = data_disk.managed_disk
    disk_name = last_segment(managed.id) if managed is not None and managed.id else data_disk.name
    return (disk_name or "").lower() == volume_id.lower()
