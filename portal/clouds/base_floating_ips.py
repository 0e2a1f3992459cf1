"""The driver interface's floating IPs (Neutron), apart from base.py for its length;
base.py re-exports them and `CloudDriver.floating_ips` is a `FloatingIPAPI`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class FloatingIPInfo:
    """A Neutron floating IP: an address of an external network, and the port (with one of
    its fixed addresses) it forwards to, if any."""

    id: str
    floating_ip_address: str
    floating_network_id: str
    status: str = "DOWN"  # ACTIVE | DOWN | ERROR
    port_id: str = ""
    fixed_ip_address: str = ""
    device_id: str = ""  # the server (or other device) of the port
    router_id: str = ""
    project_id: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class PortInfo:
    """A Neutron port of a device (a server's network interface)."""

    id: str
    network_id: str
    fixed_ips: list[str] = field(default_factory=list)
    device_id: str = ""
    device_owner: str = ""


class FloatingIPAPI(Protocol):
    """Neutron floating IPs, and the server ports they are associated with."""

    def list_floating_ips(self) -> list[FloatingIPInfo]:
        """The scope's project's floating IPs (every project's in admin scope)."""
        ...

    def get_floating_ip(self, floating_ip_id: str) -> FloatingIPInfo: ...
    def create_floating_ip(self, floating_network_id: str) -> FloatingIPInfo:
        """Allocate an address of the external network; 409 when its pool is exhausted."""
        ...

    def list_device_ports(self, device_id: str) -> list[PortInfo]: ...
    def associate_floating_ip(
        self, floating_ip_id: str, port_id: str, fixed_ip_address: str = ""
    ) -> FloatingIPInfo:
        """Forward it to the port's `fixed_ip_address` (by default its first one); 404 when
        no router joins the port's subnet to the floating IP's external network, 409 when
        that fixed address has a floating IP already."""
        ...

    def dissociate_floating_ip(self, floating_ip_id: str) -> FloatingIPInfo: ...
    def delete_floating_ip(self, floating_ip_id: str) -> None: ...  # gone already: no error
