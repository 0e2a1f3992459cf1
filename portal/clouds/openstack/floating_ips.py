"""Neutron floating IPs, and the server ports they are associated with."""

from __future__ import annotations

from openstack.network.v2.floating_ip import FloatingIP
from openstack.network.v2.port import Port

from portal.clouds.base_floating_ips import FloatingIPInfo, PortInfo
from portal.clouds.openstack.resource import ResourceAPI, parse_time


def port_info(port: Port) -> PortInfo:
    return PortInfo(
        id=port.id,
        network_id=port.network_id,
        fixed_ips=[fixed["ip_address"] for fixed in port.fixed_ips or []],
        device_id=port.device_id or "",
        device_owner=port.device_owner or "",
    )


class FloatingIPAPI(ResourceAPI):
    def list_floating_ips(self) -> list[FloatingIPInfo]:
        return [self._info(floating_ip) for floating_ip in self._conn.network.ips()]

    def get_floating_ip(self, floating_ip_id: str) -> FloatingIPInfo:
        return self._info(self._conn.network.get_ip(floating_ip_id))

    def create_floating_ip(self, floating_network_id: str) -> FloatingIPInfo:
        return self._info(self._conn.network.create_ip(floating_network_id=floating_network_id))

    def list_device_ports(self, device_id: str) -> list[PortInfo]:
        return [port_info(port) for port in self._conn.network.ports(device_id=device_id)]

    def associate_floating_ip(
        self, floating_ip_id: str, port_id: str, fixed_ip_address: str = ""
    ) -> FloatingIPInfo:
        changes = {"port_id": port_id}
        if fixed_ip_address:
            changes["fixed_ip_address"] = fixed_ip_address
        self._conn.network.update_ip(floating_ip_id, **changes)
        return self.get_floating_ip(floating_ip_id)

    def dissociate_floating_ip(self, floating_ip_id: str) -> FloatingIPInfo:
        self._conn.network.update_ip(floating_ip_id, port_id=None)
        return self.get_floating_ip(floating_ip_id)

    def delete_floating_ip(self, floating_ip_id: str) -> None:
        self._conn.network.delete_ip(floating_ip_id, ignore_missing=True)

    def _info(self, floating_ip: FloatingIP) -> FloatingIPInfo:
        port_id = floating_ip.port_id or ""
        # Neutron's fip-port-details extension names the port's device; without it, ask.
        details = floating_ip.port_details or {}
        device_id = details.get("device_id") or ""
        if port_id and not device_id:
            device_id = self._conn.network.get_port(port_id).device_id or ""
        return FloatingIPInfo(
            id=floating_ip.id,
            floating_ip_address=floating_ip.floating_ip_address or "",
            floating_network_id=floating_ip.floating_network_id or "",
            status=floating_ip.status or "",
            port_id=port_id,
            fixed_ip_address=floating_ip.fixed_ip_address or "",
            device_id=device_id,
            router_id=floating_ip.router_id or "",
            project_id=floating_ip.project_id or "",
            created_at=parse_time(floating_ip.created_at),
        )
