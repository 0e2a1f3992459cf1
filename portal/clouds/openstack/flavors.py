"""Nova flavors: the first half of the driver's ComputeAPI (servers are in compute.py)."""

from __future__ import annotations

import contextlib

from openstack import exceptions as sdk_exc
from openstack.compute.v2.flavor import Flavor

from portal.clouds.base import FlavorInfo
from portal.clouds.openstack.resource import ResourceAPI


def flavor_info(flavor: Flavor) -> FlavorInfo:
    return FlavorInfo(
        id=flavor.id,
        name=flavor.name,
        vcpus=flavor.vcpus,
        ram=flavor.ram,
        disk=flavor.disk,
        is_public=bool(flavor.is_public),
        extra_specs=dict(flavor.extra_specs or {}),
    )


class FlavorCalls(ResourceAPI):
    def _all_flavors(self):
        # Nova lists only public flavors (plus a tenant's accessible private ones) unless
        # an admin asks for is_public=None. Since microversion 2.61 (the SDK negotiates it)
        # each flavor of the list carries its extra specs: no request per flavor.
        query = {"is_public": "None"} if self._handle.is_admin else {}
        return self._conn.compute.flavors(details=True, **query)

    def list_flavors(self) -> list[FlavorInfo]:
        return [flavor_info(flavor) for flavor in self._all_flavors()]

    def get_flavor(self, flavor_id: str) -> FlavorInfo:
        return flavor_info(self._conn.compute.get_flavor(flavor_id, get_extra_specs=True))

    def create_flavor(
        self,
        name: str,
        vcpus: int,
        ram: int,
        disk: int,
        *,
        is_public: bool = True,
        extra_specs: dict | None = None,
    ) -> FlavorInfo:
        compute = self._conn.compute
        flavor = compute.create_flavor(
            name=name, vcpus=vcpus, ram=ram, disk=disk, is_public=is_public
        )
        if extra_specs:
            compute.create_flavor_extra_specs(flavor, extra_specs)
        return self.get_flavor(flavor.id)

    def delete_flavor(self, flavor_id: str) -> None:
        self._conn.compute.delete_flavor(flavor_id, ignore_missing=True)

    def list_flavor_access(self, flavor_id: str) -> list[str]:
        access = self._conn.compute.get_flavor_access(flavor_id)
        return [entry["tenant_id"] for entry in access]

    def add_flavor_access(self, flavor_id: str, project_id: str) -> None:
        # 409: the project has access already, which is what the caller wanted.
        with contextlib.suppress(sdk_exc.ConflictException):
            self._conn.compute.flavor_add_tenant_access(flavor_id, project_id)

    def remove_flavor_access(self, flavor_id: str, project_id: str) -> None:
        with contextlib.suppress(sdk_exc.NotFoundException):  # no access to remove
            self._conn.compute.flavor_remove_tenant_access(flavor_id, project_id)
