"""Nova flavors and flavor access (creating, deleting and sharing flavors is admin-only)."""

from django.utils.translation import gettext as _

from portal.clouds.base import FlavorInfo
from portal.clouds.simulator import visibility as visible
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.refusals import bad_request, conflict, not_found
from portal.clouds.simulator.service import Kind, SimulatedService, atomic


def flavor_info(flavor: SimulatedObject) -> FlavorInfo:
    data = flavor.data
    return FlavorInfo(
        id=flavor.backend_id,
        name=flavor.name,
        vcpus=data["vcpus"],
        ram=data["ram"],
        disk=data["disk"],
        is_public=data["is_public"],
        extra_specs=dict(data.get("extra_specs", {})),
    )


class FlavorOperations(SimulatedService):
    group = "compute"

    def list_flavors(self) -> list[FlavorInfo]:
        return [flavor_info(flavor) for flavor in visible.flavors(self.scope)]

    def get_flavor(self, flavor_id: str) -> FlavorInfo:
        return flavor_info(self._get(visible.flavors(self.scope), flavor_id, _("flavor")))

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
        self._require_admin(_("create a flavor"))
        if vcpus < 1 or ram < 1 or disk < 0:
            raise bad_request(_("A flavor needs at least 1 vCPU and 1 MB of RAM, and disk >= 0."))
        if self._all(Kind.FLAVOR).filter(name=name).exists():
            raise conflict(_("A flavor named %(name)s already exists."), name=name)
        data = {
            "vcpus": vcpus,
            "ram": ram,
            "disk": disk,
            "is_public": is_public,
            "extra_specs": dict(extra_specs or {}),
        }
        return flavor_info(self._create(Kind.FLAVOR, project_id="", name=name, data=data))

    def delete_flavor(self, flavor_id: str) -> None:
        self._require_admin(_("delete a flavor"))
        flavor = self._get(self._all(Kind.FLAVOR), flavor_id, _("flavor"))
        with atomic():
            self._all(Kind.FLAVOR_ACCESS).filter(parent_id=flavor.backend_id).delete()
            flavor.delete()

    def list_flavor_access(self, flavor_id: str) -> list[str]:
        self._require_admin(_("list who may use a flavor"))
        flavor = self._private_flavor(flavor_id)
        grants = self._all(Kind.FLAVOR_ACCESS).filter(parent_id=flavor.backend_id)
        return list(grants.values_list("project_id", flat=True))

    def add_flavor_access(self, flavor_id: str, project_id: str) -> None:
        self._require_admin(_("share a flavor"))
        flavor = self._private_flavor(flavor_id)
        if self._grants(flavor, project_id).exists():
            raise conflict(
                _("The project %(project)s already has access to flavor %(flavor)s."),
                project=project_id,
                flavor=flavor_id,
            )
        self._create(Kind.FLAVOR_ACCESS, project_id=project_id, parent_id=flavor.backend_id)

    def remove_flavor_access(self, flavor_id: str, project_id: str) -> None:
        self._require_admin(_("stop sharing a flavor"))
        flavor = self._private_flavor(flavor_id)
        if not self._grants(flavor, project_id).delete()[0]:
            raise not_found(_("flavor access"), f"{flavor_id}/{project_id}")

    # ---- helpers -------------------------------------------------------------------

    def _private_flavor(self, flavor_id: str) -> SimulatedObject:
        flavor = self._get(self._all(Kind.FLAVOR), flavor_id, _("flavor"))
        if flavor.data["is_public"]:
            # Nova: access lists exist only for private flavors.
            raise conflict(_("The flavor %(id)s is public: everyone may use it."), id=flavor_id)
        return flavor

    def _grants(self, flavor: SimulatedObject, project_id: str):
        return self._all(Kind.FLAVOR_ACCESS).filter(
            parent_id=flavor.backend_id, project_id=project_id
        )
