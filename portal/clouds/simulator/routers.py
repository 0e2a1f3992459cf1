"""Neutron routers: the external gateway, interfaces on subnets and the route table, with
Neutron's refusals."""

import ipaddress

from django.utils.translation import gettext as _

from portal.clouds.base_network import RouteEntry, RouterInfo
from portal.clouds.simulator import ports
from portal.clouds.simulator import visibility as visible
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.refusals import bad_request, conflict, not_found, parse_cidr
from portal.clouds.simulator.service import Kind, SimulatedService, atomic

GATEWAY_OWNER = "network:router_gateway"


class RouterOperations(SimulatedService):
    group = "network"

    def create_router(self, name: str, *, external_network_id: str = "") -> RouterInfo:
        with atomic():
            router = self._create(Kind.ROUTER, name=name, status="ACTIVE", data={"routes": []})
            if external_network_id:
                self._plug_gateway(router, external_network_id)
        return self._router_infos([router])[0]

    def get_router(self, router_id: str) -> RouterInfo:
        return self._router_infos([self._find_router(router_id)])[0]

    def list_routers(self) -> list[RouterInfo]:
        return self._router_infos(list(self._owned(Kind.ROUTER)))

    def update_router(self, router_id: str, *, name: str) -> RouterInfo:
        router = self._find_router(router_id)
        self._rename(router, name, None)
        return self._router_infos([router])[0]

    def set_router_gateway(self, router_id: str, external_network_id: str) -> RouterInfo:
        router = self._find_router(router_id)
        with atomic():
            self._gateway_ports(router).delete()
            router.data["external_network_id"] = ""
            if external_network_id:
                self._plug_gateway(router, external_network_id)
            router.save()
        return self._router_infos([router])[0]

    def set_router_routes(self, router_id: str, routes: list[RouteEntry]) -> RouterInfo:
        router = self._find_router(router_id)
        connected = self._connected_blocks(router)
        table = []
        for route in routes:
            parse_cidr(route.destination)
            if not any(_address_in(route.nexthop, block) for block in connected):
                raise bad_request(
                    _("Invalid routes: the next hop %(nexthop)s is not connected with the router."),
                    nexthop=route.nexthop,
                )
            entry = {"destination": route.destination, "nexthop": route.nexthop}
            if entry not in table:
                table.append(entry)
        router.data["routes"] = table
        router.save()
        return self._router_infos([router])[0]

    def add_router_interface(self, router_id: str, subnet_id: str) -> None:
        router = self._find_router(router_id)
        subnet = self._get(visible.subnets(self.scope), subnet_id, _("subnet"))
        if self._interfaces(router).filter(data__subnet_id=subnet_id).exists():
            raise bad_request(_("The router already has an interface on this subnet."))
        gateway = subnet.data.get("gateway_ip", "")
        if gateway and self._interfaces(subnet=subnet).exists():
            raise conflict(_("The gateway address %(ip)s is already in use."), ip=gateway)
        network = self._all(Kind.NETWORK).get(backend_id=subnet.parent_id)
        ports.plug(
            self.cloud,
            network,
            device_id=router.backend_id,
            device_owner=ports.ROUTER_INTERFACE_OWNER,
            project_id=router.project_id,
            subnet=subnet,
            ip_address=gateway,
        )

    def remove_router_interface(self, router_id: str, subnet_id: str) -> None:
        router = self._find_router(router_id)
        interfaces = self._interfaces(router).filter(data__subnet_id=subnet_id)
        subnet = self._all(Kind.SUBNET).filter(backend_id=subnet_id).first()
        if subnet is not None and interfaces.exists():
            block = ipaddress.ip_network(subnet.data["cidr"])
            if any(_address_in(r["nexthop"], block) for r in router.data.get("routes", [])):
                raise conflict(
                    _(
                        "The router interface on subnet %(cidr)s cannot be removed: one or "
                        "more routes need it."
                    ),
                    cidr=subnet.data["cidr"],
                )
        if not interfaces.delete()[0]:
            raise not_found(_("router interface"), f"{router_id}/{subnet_id}")

    def delete_router(self, router_id: str) -> None:
        router = self._find_router(router_id)
        if self._interfaces(router).exists():
            raise conflict(
                _("The router %(name)s still has interfaces; remove them first."),
                name=router.name,
            )
        with atomic():
            self._gateway_ports(router).delete()
            router.delete()

    # ---- helpers -------------------------------------------------------------------

    def _find_router(self, router_id: str) -> SimulatedObject:
        return self._get(self._owned(Kind.ROUTER), router_id, _("router"))

    def _plug_gateway(self, router: SimulatedObject, network_id: str) -> None:
        external = self._get(visible.networks(self.scope), network_id, _("network"))
        if not external.data.get("external"):
            raise bad_request(
                _("The network %(name)s is not an external network."), name=external.name
            )
        ports.plug(
            self.cloud,
            external,
            device_id=router.backend_id,
            device_owner=GATEWAY_OWNER,
            project_id="",  # Neutron's gateway ports belong to no project
        )
        router.data["external_network_id"] = external.backend_id
        router.save()

    def _gateway_ports(self, router: SimulatedObject):
        return ports.ports_of(self.cloud).filter(
            parent_id=router.backend_id, data__device_owner=GATEWAY_OWNER
        )

    def _interfaces(self, router: SimulatedObject | None = None, *, subnet=None):
        found = ports.ports_of(self.cloud).filter(data__device_owner=ports.ROUTER_INTERFACE_OWNER)
        if router is not None:
            found = found.filter(parent_id=router.backend_id)
        if subnet is not None:
            found = found.filter(data__subnet_id=subnet.backend_id)
        return found

    def _connected_blocks(self, router: SimulatedObject):
        subnet_ids = self._interfaces(router).values_list("data__subnet_id", flat=True)
        cidrs = self._all(Kind.SUBNET).filter(backend_id__in=list(subnet_ids))
        return [ipaddress.ip_network(subnet.data["cidr"]) for subnet in cidrs]

    def _router_infos(self, routers: list[SimulatedObject]) -> list[RouterInfo]:
        interfaces = self._interfaces().filter(parent_id__in=[r.backend_id for r in routers])
        subnet_ids: dict[str, list[str]] = {}
        for router_id, subnet_id in interfaces.values_list("parent_id", "data__subnet_id"):
            subnet_ids.setdefault(router_id, []).append(subnet_id)
        return [
            RouterInfo(
                id=router.backend_id,
                name=router.name,
                status=router.status,
                external_network_id=router.data.get("external_network_id", ""),
                subnet_ids=subnet_ids.get(router.backend_id, []),
                routes=[RouteEntry(**entry) for entry in router.data.get("routes", [])],
                project_id=router.project_id,
                created_at=router.created,
            )
            for router in routers
        ]


def _address_in(address: str, block) -> bool:
    try:
        return ipaddress.ip_address(address) in block
    except ValueError:
        return False
