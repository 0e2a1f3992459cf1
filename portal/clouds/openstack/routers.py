"""Neutron routers: the external gateway, interfaces on subnets and the route table (a
part of the driver's NetworkAPI)."""

from __future__ import annotations

import contextlib
from collections import defaultdict

from openstack import exceptions as sdk_exc
from openstack.network.v2.router import Router

from portal.clouds.base_network import RouteEntry, RouterInfo
from portal.clouds.openstack.resource import ResourceAPI, parse_time

ROUTER_INTERFACE_OWNERS = ("network:router_interface", "network:router_interface_distributed")


def router_info(router: Router, subnet_ids: list[str]) -> RouterInfo:
    return RouterInfo(
        id=router.id,
        name=router.name or "",
        status=router.status or "",
        external_network_id=(router.external_gateway_info or {}).get("network_id") or "",
        subnet_ids=subnet_ids,
        routes=[
            RouteEntry(destination=route["destination"], nexthop=route["nexthop"])
            for route in router.routes or []
        ],
        project_id=router.project_id or "",
        created_at=parse_time(router.created_at),
    )


class RouterCalls(ResourceAPI):
    def create_router(self, name: str, *, external_network_id: str = "") -> RouterInfo:
        gateway = {"external_gateway_info": {"network_id": external_network_id}}
        router = self._conn.network.create_router(
            name=name, **(gateway if external_network_id else {})
        )
        return router_info(router, [])

    def get_router(self, router_id: str) -> RouterInfo:
        router = self._conn.network.get_router(router_id)
        return router_info(router, self._interface_subnet_ids(device_id=router.id)[router.id])

    def list_routers(self) -> list[RouterInfo]:
        # A router does not list its interfaces; its ports do: one listing for them all.
        subnet_ids = self._interface_subnet_ids()
        return [
            router_info(router, subnet_ids[router.id]) for router in self._conn.network.routers()
        ]

    def update_router(self, router_id: str, *, name: str) -> RouterInfo:
        self._conn.network.update_router(router_id, name=name)
        return self.get_router(router_id)

    def set_router_gateway(self, router_id: str, external_network_id: str) -> RouterInfo:
        gateway = {"network_id": external_network_id} if external_network_id else {}
        self._conn.network.update_router(router_id, external_gateway_info=gateway)
        return self.get_router(router_id)

    def set_router_routes(self, router_id: str, routes: list[RouteEntry]) -> RouterInfo:
        table = [{"destination": r.destination, "nexthop": r.nexthop} for r in routes]
        self._conn.network.update_router(router_id, routes=table)
        return self.get_router(router_id)

    def add_router_interface(self, router_id: str, subnet_id: str) -> None:
        self._conn.network.add_interface_to_router(router_id, subnet=subnet_id)

    def remove_router_interface(self, router_id: str, subnet_id: str) -> None:
        with contextlib.suppress(sdk_exc.NotFoundException):  # no such interface (any more)
            self._conn.network.remove_interface_from_router(router_id, subnet=subnet_id)

    def delete_router(self, router_id: str) -> None:
        self._conn.network.delete_router(router_id, ignore_missing=True)

    def _interface_subnet_ids(self, **filters) -> dict[str, list[str]]:
        """Router id -> the subnets of its interfaces (an empty list for any other)."""
        found: defaultdict[str, list[str]] = defaultdict(list)
        for owner in ROUTER_INTERFACE_OWNERS:
            for port in self._conn.network.ports(device_owner=owner, **filters):
                found[port.device_id].extend(
                    fixed_ip["subnet_id"] for fixed_ip in port.fixed_ips or []
                )
        return found
