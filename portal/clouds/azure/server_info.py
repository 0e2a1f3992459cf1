"""An Azure VM (with its instance view) and its NIC, read as the portal's ServerInfo."""

from __future__ import annotations

from portal.clouds.azure.mappings import Kind
from portal.clouds.azure.provisioning import NAME_TAG
from portal.clouds.azure.scope import AzureScope, last_segment, resource_group_of
from portal.clouds.azure.states import server_state
from portal.clouds.base import ServerInfo


def _text(value) -> str:
    """An SDK enum or string as Azure wrote it ("Standard_B2s")."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def nic_ids(vm) -> list[str]:
    profile = vm.network_profile
    return [nic.id for nic in (profile.network_interfaces or [])] if profile else []


def _os_disk(vm):
    return vm.storage_profile.os_disk if vm.storage_profile else None


def os_disk_id(vm) -> str:
    disk = _os_disk(vm)
    return disk.managed_disk.id if disk is not None and disk.managed_disk else ""


def made_os_disk_id(vm) -> str:
    """The OS disk Azure made for the VM from its image ("" for a disk it was booted from,
    attached: that one is the operator's and outlives the VM)."""
    disk = _os_disk(vm)
    if disk is None or _text(disk.create_option).lower() == "attach":
        return ""
    return os_disk_id(vm)


def _image_id(scope: AzureScope, vm) -> str:
    reference = vm.storage_profile.image_reference if vm.storage_profile else None
    if reference is None:  # booted from a disk: the image mapping that names it
        disk_id = os_disk_id(vm)
        return (scope.mappings.name_of(Kind.IMAGE, disk_id) or "") if disk_id else ""
    if reference.id:
        return scope.mappings.name_of(Kind.IMAGE, reference.id) or last_segment(reference.id)
    marketplace = ":".join(
        _text(part)
        for part in (reference.publisher, reference.offer, reference.sku, reference.version)
    )
    return scope.mappings.name_of(Kind.IMAGE, marketplace) or marketplace


def _network_name(scope: AzureScope, subnet_id: str) -> str:
    return scope.mappings.name_of(Kind.NETWORK, subnet_id) or last_segment(subnet_id)


def nic_details(scope: AzureScope, nic) -> tuple[dict[str, list[str]], list[str]]:
    """The NIC's addresses by network (mapping name, else subnet name) and its security
    group (mapping name, else the NSG's name)."""
    addresses: dict[str, list[str]] = {}
    for config in nic.ip_configurations or []:
        if config.private_ip_address and config.subnet is not None:
            addresses.setdefault(_network_name(scope, config.subnet.id), []).append(
                config.private_ip_address
            )
    groups = []
    if nic.network_security_group is not None:
        nsg_id = nic.network_security_group.id
        groups.append(scope.mappings.name_of(Kind.SECURITY_GROUP, nsg_id) or last_segment(nsg_id))
    return addresses, groups


def server_info(scope: AzureScope, vm, nics: dict | None = None) -> ServerInfo:
    """`vm` read with its instance view; `nics` its NICs by lower-cased id, where read."""
    statuses = vm.instance_view.statuses if vm.instance_view else None
    statuses = statuses or []
    faults = [s.message or s.display_status or "" for s in statuses if _text(s.level) == "Error"]
    state = server_state(
        _text(vm.provisioning_state), [s.code or "" for s in statuses], "; ".join(faults)
    )
    size = _text(vm.hardware_profile.vm_size) if vm.hardware_profile else ""
    tags = dict(vm.tags or {})
    addresses: dict[str, list[str]] = {}
    groups: list[str] = []
    for nic_id in nic_ids(vm):
        nic = (nics or {}).get(nic_id.lower())
        if nic is not None:
            nic_addresses, nic_groups = nic_details(scope, nic)
            for network, ips in nic_addresses.items():
                addresses.setdefault(network, []).extend(ips)
            groups.extend(nic_groups)
    data_disks = vm.storage_profile.data_disks if vm.storage_profile else None
    return ServerInfo(
        id=vm.name,
        name=tags.pop(NAME_TAG, vm.name),
        status=state.status,
        flavor_id=scope.mappings.name_of(Kind.FLAVOR, size) or size,
        image_id=_image_id(scope, vm),
        power_state=state.power_state,
        task_state=state.task_state,
        availability_zone=(vm.zones or [""])[0],
        addresses=addresses,
        volume_ids=[disk.name for disk in data_disks or []],
        security_groups=groups,
        metadata=tags,
        project_id=scope.project_of(resource_group_of(vm.id)),
        fault=state.fault,
        created_at=vm.time_created,
    )
