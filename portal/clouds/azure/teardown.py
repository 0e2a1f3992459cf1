"""Deleting a VM and what it leaves behind (seed 000: Azure's documentation does not say
whether deleting a VM removes its NIC and system disk, so the portal removes them as
OpenStack would, and reads each back until Azure answers 404)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.clouds.azure.errors import translate_errors
from portal.clouds.azure.scope import AzureScope, finish, last_segment, resource_group_of
from portal.clouds.errors import CloudNotFound, CloudUnavailable

_KINDS = {
    "vm": _("virtual machine"),
    "nic": _("network interface"),
    "disk": _("OS disk"),
}


def _check_gone(read, kind: str, name: str) -> None:
    """Read what was deleted: only Azure's 404 says it is gone."""
    try:
        with translate_errors(f"check that a {kind} is gone"):
            read()
    except CloudNotFound:
        return
    raise CloudUnavailable(
        _("Azure still holds the %(kind)s %(name)s after deleting it; try again later.")
        % {"kind": _KINDS[kind], "name": name}
    )


def delete_vm(scope: AzureScope, group: str, name: str) -> None:
    """Delete the VM `name` and read it back until gone. Data disks are only detached."""
    with translate_errors("delete a VM"):
        finish(scope.compute.virtual_machines.begin_delete(group, name), scope.cloud)
    _check_gone(lambda: scope.compute.virtual_machines.get(group, name), "vm", name)


def delete_leftovers(scope: AzureScope, nic_ids: list[str], os_disk_id: str) -> None:
    """Delete a deleted VM's NICs and OS disk, each read back until gone (ARM answers a
    delete of what is gone already with 204)."""
    compute, network, cloud = scope.compute, scope.network, scope.cloud
    for nic_id in nic_ids:
        nic_group, nic_name = resource_group_of(nic_id), last_segment(nic_id)
        with translate_errors("delete a network interface"):
            finish(network.network_interfaces.begin_delete(nic_group, nic_name), cloud)
        _check_gone(
            lambda: network.network_interfaces.get(nic_group, nic_name),  # noqa: B023
            "nic",
            nic_name,
        )
    if os_disk_id:
        disk_group, disk_name = resource_group_of(os_disk_id), last_segment(os_disk_id)
        with translate_errors("delete an OS disk"):
            finish(compute.disks.begin_delete(disk_group, disk_name), cloud)
        _check_gone(lambda: compute.disks.get(disk_group, disk_name), "disk", disk_name)
