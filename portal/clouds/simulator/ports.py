"""Neutron ports: how servers and router interfaces are plugged into networks.

A port's parent_id is its device (a server or a router); data holds network_id,
subnet_id, ip_address and device_owner ("compute:nova", "network:router_interface", or
"network:floatingip" for the address a floating IP takes on its external network).
"""

import ipaddress

from django.db import transaction
from django.utils.translation import gettext as _

from portal.clouds.errors import CloudConflict
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.service import new_id

Kind = SimulatedObject.Kind
COMPUTE_OWNER = "compute:nova"
ROUTER_INTERFACE_OWNER = "network:router_interface"
FLOATING_IP_OWNER = "network:floatingip"


def ports_of(cloud):
    return SimulatedObject.objects.filter(cloud=cloud, kind=Kind.PORT)


def plug(
    cloud,
    network: SimulatedObject,
    *,
    device_id: str,
    device_owner: str,
    project_id: str,
    subnet: SimulatedObject | None = None,
    ip_address: str = "",
) -> SimulatedObject:
    """A new port of `device` on `network`, with an address of `subnet` (by default of the
    network's first subnet with one free, as Neutron picks; none if it has no subnet)."""
    with transaction.atomic():
        if subnet is None and not ip_address:
            subnet, ip_address = _first_free_address(cloud, network)
        elif subnet is not None and not ip_address:
            ip_address = _free_address(cloud, subnet)
        return SimulatedObject.objects.create(
            cloud=cloud,
            kind=Kind.PORT,
            backend_id=new_id(),
            project_id=project_id,
            parent_id=device_id,
            status="ACTIVE",
            data={
                "network_id": network.backend_id,
                "subnet_id": subnet.backend_id if subnet else "",
                "ip_address": ip_address,
                "device_owner": device_owner,
            },
        )


def unplug(cloud, device_id: str) -> None:
    """Remove the device's ports; the floating IPs on them stay, dissociated (Neutron)."""
    ports = ports_of(cloud).filter(parent_id=device_id)
    port_ids = list(ports.values_list("backend_id", flat=True))
    floating_ips = SimulatedObject.objects.filter(
        cloud=cloud, kind=Kind.FLOATING_IP, data__port_id__in=port_ids
    )
    for floating_ip in floating_ips:
        dissociate(floating_ip)
    ports_of(cloud).filter(backend_id__in=port_ids).delete()


def dissociate(floating_ip: SimulatedObject) -> None:
    floating_ip.status = "DOWN"
    floating_ip.data.update(port_id="", fixed_ip_address="", router_id="")
    floating_ip.save()


def addresses_of(cloud, device_ids: list[str]) -> dict[str, dict[str, list[str]]]:
    """For each device, network name -> its IP addresses (as Nova shows `addresses`): each
    port's fixed address, then the floating IP associated with it."""
    ports = list(ports_of(cloud).filter(parent_id__in=device_ids).order_by("pk"))
    port_ids = [port.backend_id for port in ports]
    floating = dict(
        SimulatedObject.objects.filter(
            cloud=cloud, kind=Kind.FLOATING_IP, data__port_id__in=port_ids
        ).values_list("data__port_id", "data__floating_ip_address")
    )
    network_ids = {port.data["network_id"] for port in ports}
    names = dict(
        SimulatedObject.objects.filter(
            cloud=cloud, kind=Kind.NETWORK, backend_id__in=network_ids
        ).values_list("backend_id", "name")
    )
    addresses: dict[str, dict[str, list[str]]] = {device_id: {} for device_id in device_ids}
    for port in ports:
        network_name = names.get(port.data["network_id"], port.data["network_id"])
        ips = addresses[port.parent_id].setdefault(network_name, [])
        if port.data["ip_address"]:
            ips.append(port.data["ip_address"])
        if port.backend_id in floating:
            ips.append(floating[port.backend_id])
    return addresses


def _subnets_of(cloud, network: SimulatedObject):
    return SimulatedObject.objects.filter(
        cloud=cloud, kind=Kind.SUBNET, parent_id=network.backend_id
    ).order_by("pk")


def _first_free_address(cloud, network: SimulatedObject):
    """(subnet, address) of the network's first subnet with an address left; (None, "")
    for a network without subnets. Raises the last subnet's refusal when all are full."""
    subnets = list(_subnets_of(cloud, network))
    for subnet in subnets[:-1]:
        try:
            return subnet, _free_address(cloud, subnet)
        except CloudConflict:
            continue
    return (subnets[-1], _free_address(cloud, subnets[-1])) if subnets else (None, "")


def _free_address(cloud, subnet: SimulatedObject) -> str:
    # The subnet's row lock serialises allocations, so two ports never get one address.
    subnet = SimulatedObject.objects.select_for_update().get(pk=subnet.pk)
    taken = set(
        ports_of(cloud)
        .filter(data__subnet_id=subnet.backend_id)
        .values_list("data__ip_address", flat=True)
    )
    taken.add(subnet.data.get("gateway_ip", ""))
    for host in ipaddress.ip_network(subnet.data["cidr"]).hosts():
        if str(host) not in taken:
            return str(host)
    raise CloudConflict(
        _("No free IP address is left in subnet %(cidr)s.") % {"cidr": subnet.data["cidr"]}
    )
