"""Neutron floating IPs, with Neutron's refusals.

A floating IP's parent_id is its external network; data holds floating_ip_address,
port_id, fixed_ip_address and router_id. Its address is held by a port of the external
network (device_owner "network:floatingip", device: the floating IP), as Neutron does,
so the address pool is shared with every other port there.
"""

from django.utils.translation import gettext as _

from portal.clouds.base_floating_ips import FloatingIPInfo, PortInfo
from portal.clouds.errors import CloudConflict, CloudNotFound
from portal.clouds.simulator import ports
from portal.clouds.simulator import visibility as visible
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.refusals import bad_request, conflict, not_found
from portal.clouds.simulator.service import Kind, SimulatedService, atomic


class SimulatedFloatingIPs(SimulatedService):
    group = "floating_ips"

    def list_floating_ips(self) -> list[FloatingIPInfo]:
        return self._infos(list(self._owned(Kind.FLOATING_IP)))

    def get_floating_ip(self, floating_ip_id: str) -> FloatingIPInfo:
        return self._infos([self._find(floating_ip_id)])[0]

    def create_floating_ip(self, floating_network_id: str) -> FloatingIPInfo:
        network = self._get(visible.networks(self.scope), floating_network_id, _("network"))
        if not network.data.get("external"):
            raise bad_request(
                _("Bad floatingip request: network %(id)s is not a valid external network."),
                id=floating_network_id,
            )
        subnets = self._all(Kind.SUBNET).filter(parent_id=network.backend_id, data__ip_version=4)
        if not subnets.exists():
            raise bad_request(
                _("Bad floatingip request: network %(id)s does not contain any IPv4 subnet."),
                id=floating_network_id,
            )
        with atomic():
            floating_ip = self._create(
                Kind.FLOATING_IP, parent_id=network.backend_id, status="DOWN", data={}
            )
            port = self._address_port(network, floating_ip, subnets.order_by("pk"))
            floating_ip.data = {
                "floating_ip_address": port.data["ip_address"],
                "port_id": "",
                "fixed_ip_address": "",
                "router_id": "",
            }
            floating_ip.save()
        return self._infos([floating_ip])[0]

    def list_device_ports(self, device_id: str) -> list[PortInfo]:
        found = ports.ports_of(self.cloud).filter(parent_id=device_id).order_by("pk")
        if not self.scope.is_admin:
            found = found.filter(project_id=self.scope.project_id)
        return [_port_info(port) for port in found]

    def associate_floating_ip(
        self, floating_ip_id: str, port_id: str, fixed_ip_address: str = ""
    ) -> FloatingIPInfo:
        with atomic():
            floating_ip = self._get_for_update(
                self._owned(Kind.FLOATING_IP), floating_ip_id, _("floating IP")
            )
            port = self._find_port(port_id)
            fixed = port.data.get("ip_address", "")
            if not fixed:
                raise bad_request(
                    _("Port %(port)s does not have a fixed IPv4 address."), port=port_id
                )
            if fixed_ip_address and fixed_ip_address != fixed:
                raise bad_request(
                    _("Port %(port)s does not have fixed IP %(ip)s."),
                    port=port_id,
                    ip=fixed_ip_address,
                )
            self._refuse_taken_fixed_ip(floating_ip, port, fixed)
            router = self._router_between(port, floating_ip.parent_id)
            floating_ip.status = "ACTIVE"
            floating_ip.data.update(
                port_id=port.backend_id, fixed_ip_address=fixed, router_id=router.backend_id
            )
            floating_ip.save()
        return self._infos([floating_ip])[0]

    def dissociate_floating_ip(self, floating_ip_id: str) -> FloatingIPInfo:
        with atomic():
            floating_ip = self._get_for_update(
                self._owned(Kind.FLOATING_IP), floating_ip_id, _("floating IP")
            )
            ports.dissociate(floating_ip)
        return self._infos([floating_ip])[0]

    def delete_floating_ip(self, floating_ip_id: str) -> None:
        floating_ip = self._owned(Kind.FLOATING_IP).filter(backend_id=floating_ip_id).first()
        if floating_ip is None:
            return
        with atomic():
            ports.ports_of(self.cloud).filter(parent_id=floating_ip.backend_id).delete()
            floating_ip.delete()

    # ---- helpers -------------------------------------------------------------------

    def _address_port(self, network, floating_ip, subnets) -> SimulatedObject:
        """The port holding the floating IP's address: in the first subnet with one free
        (Neutron tries them all); 409 when the whole network is exhausted."""
        for subnet in subnets:
            try:
                return ports.plug(
                    self.cloud,
                    network,
                    device_id=floating_ip.backend_id,
                    device_owner=ports.FLOATING_IP_OWNER,
                    project_id="",
                    subnet=subnet,
                )
            except CloudConflict:
                continue  # this subnet is full
        raise conflict(
            _("No more IP addresses available on network %(id)s."), id=network.backend_id
        )

    def _find(self, floating_ip_id: str) -> SimulatedObject:
        return self._get(self._owned(Kind.FLOATING_IP), floating_ip_id, _("floating IP"))

    def _find_port(self, port_id: str) -> SimulatedObject:
        found = ports.ports_of(self.cloud).filter(backend_id=port_id)
        if not self.scope.is_admin:
            found = found.filter(project_id=self.scope.project_id)
        port = found.first()
        if port is None:
            raise not_found(_("port"), port_id)
        return port

    def _refuse_taken_fixed_ip(self, floating_ip, port, fixed: str) -> None:
        other = (
            self._all(Kind.FLOATING_IP)
            .filter(data__port_id=port.backend_id, data__fixed_ip_address=fixed)
            .exclude(pk=floating_ip.pk)
            .first()
        )
        if other is not None:
            raise conflict(
                _(
                    "Cannot associate floating IP %(floating)s with port %(port)s using fixed "
                    "IP %(fixed)s, as that fixed IP already has a floating IP on external "
                    "network %(network)s."
                ),
                floating=floating_ip.data["floating_ip_address"],
                port=port.backend_id,
                fixed=fixed,
                network=other.parent_id,
            )

    def _router_between(self, port, external_network_id: str) -> SimulatedObject:
        """The router with an interface on the port's subnet and a gateway on the external
        network; Neutron answers 404 when there is none."""
        interfaces = ports.ports_of(self.cloud).filter(
            data__device_owner=ports.ROUTER_INTERFACE_OWNER,
            data__subnet_id=port.data.get("subnet_id", ""),
        )
        router = (
            self._all(Kind.ROUTER)
            .filter(
                backend_id__in=interfaces.values("parent_id"),
                data__external_network_id=external_network_id,
            )
            .first()
        )
        if router is None:
            raise CloudNotFound(
                _(
                    "External network %(network)s is not reachable from subnet %(subnet)s. "
                    "Therefore, cannot associate port %(port)s with a floating IP."
                )
                % {
                    "network": external_network_id,
                    "subnet": port.data.get("subnet_id", ""),
                    "port": port.backend_id,
                }
            )
        return router

    def _infos(self, floating_ips: list[SimulatedObject]) -> list[FloatingIPInfo]:
        port_ids = [fip.data.get("port_id") for fip in floating_ips if fip.data.get("port_id")]
        devices = dict(
            ports.ports_of(self.cloud)
            .filter(backend_id__in=port_ids)
            .values_list("backend_id", "parent_id")
        )
        return [_floating_ip_info(fip, devices) for fip in floating_ips]


def _floating_ip_info(floating_ip: SimulatedObject, devices: dict[str, str]) -> FloatingIPInfo:
    data = floating_ip.data
    port_id = data.get("port_id", "")
    return FloatingIPInfo(
        id=floating_ip.backend_id,
        floating_ip_address=data.get("floating_ip_address", ""),
        floating_network_id=floating_ip.parent_id,
        status=floating_ip.status,
        port_id=port_id,
        fixed_ip_address=data.get("fixed_ip_address", ""),
        device_id=devices.get(port_id, ""),
        router_id=data.get("router_id", ""),
        project_id=floating_ip.project_id,
        created_at=floating_ip.created,
    )


def _port_info(port: SimulatedObject) -> PortInfo:
    address = port.data.get("ip_address", "")
    return PortInfo(
        id=port.backend_id,
        network_id=port.data["network_id"],
        fixed_ips=[address] if address else [],
        device_id=port.parent_id,
        device_owner=port.data.get("device_owner", ""),
    )
