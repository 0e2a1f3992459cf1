"""Nova servers: create (with a boot volume and ports), read, delete, metadata, security
groups and locks. The power and resize actions are in server_actions.py."""

from contextlib import contextmanager

from django.utils.translation import gettext as _

from portal.clouds.base import ServerInfo, ServerSpec
from portal.clouds.simulator import ports, state
from portal.clouds.simulator import visibility as visible
from portal.clouds.simulator.images import check_volume_source
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.quotas import check_quota
from portal.clouds.simulator.refusals import bad_request, conflict, not_found, require_status
from portal.clouds.simulator.security_groups import ensure_default_group
from portal.clouds.simulator.service import Kind, SimulatedService, atomic
from portal.clouds.simulator.zones import DEFAULT_ZONE, SIMULATED_HOST, check_placement

# Nova's states in which a server's metadata may change.
METADATA_STATUSES = ("ACTIVE", "PAUSED", "SUSPENDED", "SHUTOFF")


def server_infos(cloud, servers: list[SimulatedObject]) -> list[ServerInfo]:
    """Records for `servers`, with their volumes and addresses read in two queries."""
    server_ids = [server.backend_id for server in servers]
    addresses = ports.addresses_of(cloud, server_ids)
    volume_ids: dict[str, list[str]] = {server_id: [] for server_id in server_ids}
    attached = SimulatedObject.objects.filter(
        cloud=cloud, kind=Kind.VOLUME, parent_id__in=server_ids
    )
    for volume in sorted(attached, key=lambda volume: volume.data.get("device", "")):
        volume_ids[volume.parent_id].append(volume.backend_id)
    return [
        server_record(server, addresses[server.backend_id], volume_ids[server.backend_id])
        for server in servers
    ]


def server_record(server: SimulatedObject, addresses: dict, volume_ids: list[str]) -> ServerInfo:
    data = server.data
    return ServerInfo(
        id=server.backend_id,
        name=server.name,
        status=server.status,
        flavor_id=data["flavor_id"],
        image_id=data.get("image_id", ""),
        power_state=data.get("power_state", "nostate"),
        task_state=server.task_state or None,
        host=data.get("host", ""),
        availability_zone=data.get("availability_zone", ""),
        addresses=addresses,
        volume_ids=volume_ids,
        security_groups=list(data.get("security_groups", [])),
        metadata=dict(data.get("metadata", {})),
        locked=data.get("locked", False),
        project_id=server.project_id,
        fault=data.get("fault", ""),
        created_at=server.created,
        updated_at=server.updated,
    )


def require_server_status(server: SimulatedObject, statuses, action: str) -> None:
    """Refuse (409) an action the server's status does not allow."""
    message = _("Cannot %(action)s server %(id)s while it is %(status)s.")
    require_status(server, statuses, action, message)


class ServerAccess(SimulatedService):
    """Finding a server of the scope and taking it for a change, as Nova checks it."""

    group = "compute"

    def _server_info(self, server: SimulatedObject) -> ServerInfo:
        return server_infos(self.cloud, [server])[0]

    def _find_server(self, server_id: str) -> SimulatedObject:
        return self._get(self._owned(Kind.SERVER), server_id, _("server"))

    @contextmanager
    def _changing_server(self, server_id: str, *, allow_pending: bool = False):
        """The server under a row lock, after Nova's checks: a locked server refuses a
        project user, and one operation at a time unless `allow_pending`."""
        with atomic():
            server = self._get_for_update(self._owned(Kind.SERVER), server_id, _("server"))
            if server.data.get("locked") and not self.scope.is_admin:
                raise conflict(_("The server %(id)s is locked."), id=server_id)
            if server.task_state and not allow_pending:
                raise conflict(
                    _("The server %(id)s is busy (%(task)s); try again when it is done."),
                    id=server_id,
                    task=server.task_state,
                )
            yield server


class ServerLifecycle(ServerAccess):
    def create_server(self, spec: ServerSpec) -> ServerInfo:
        if spec.host:
            self._require_admin(_("choose the host of a server"))
        check_placement(self.cloud, spec.availability_zone, spec.host)
        flavor = self._get(visible.flavors(self.scope), spec.flavor_id, _("flavor"))
        image = self._boot_image(spec, flavor)
        networks = [
            self._get(visible.networks(self.scope), network_id, _("network"))
            for network_id in spec.network_ids
        ]
        group_names = list(spec.security_groups) or ["default"]
        self._check_security_groups(group_names)
        check_quota(
            self.cloud,
            self.scope.project_id,
            instances=1,
            cores=flavor.data["vcpus"],
            ram=flavor.data["ram"],
            volumes=1,
            gigabytes=spec.boot_volume_size,
        )
        with atomic():
            server = self._new_server(spec, flavor, group_names)
            self._new_boot_volume(server, spec, image)
            for network in networks:
                ports.plug(
                    self.cloud,
                    network,
                    device_id=server.backend_id,
                    device_owner=ports.COMPUTE_OWNER,
                    project_id=server.project_id,
                )
            state.begin(
                server,
                "build",
                interim={"status": "BUILD", "task_state": "spawning"},
                final={"status": "ACTIVE", "task_state": None, "data": {"power_state": "running"}},
            )
        return self._server_info(server)

    def get_server(self, server_id: str) -> ServerInfo:
        return self._server_info(self._find_server(server_id))

    def iter_servers(self, project_id: str | None = None, page_size: int = 200):
        servers = self._owned(Kind.SERVER)
        if project_id and self.scope.is_admin:
            servers = servers.filter(project_id=project_id)
        last_pk = 0
        while True:
            page_query = servers.filter(pk__gt=last_pk).order_by("pk")[:page_size]
            state.settle(servers.filter(pk__in=page_query.values("pk")))
            # Re-read: settling may have deleted or changed servers of the page.
            page = list(servers.filter(pk__gt=last_pk).order_by("pk")[:page_size])
            yield from server_infos(self.cloud, page)
            if len(page) < page_size:
                return
            last_pk = page[-1].pk

    def delete_server(self, server_id: str) -> None:
        # Nova deletes a server in any state, even while another operation runs.
        with self._changing_server(server_id, allow_pending=True) as server:
            if server.task_state == "deleting":
                return
            state.begin(
                server, "delete", interim={"task_state": "deleting"}, final={}, then="delete_server"
            )

    def lock_server(self, server_id: str) -> None:
        self._set_locked(server_id, locked=True)

    def unlock_server(self, server_id: str) -> None:
        self._set_locked(server_id, locked=False)

    def set_server_metadata(self, server_id: str, metadata: dict) -> dict:
        if not all(isinstance(value, str) for value in [*metadata, *metadata.values()]):
            raise bad_request(_("Server metadata keys and values must be strings."))
        with self._changing_server(server_id) as server:
            if server.status not in METADATA_STATUSES:
                raise conflict(
                    _("The metadata of server %(id)s cannot change while it is %(status)s."),
                    id=server_id,
                    status=server.status,
                )
            server.data["metadata"] = dict(metadata)
            server.save()
        return dict(metadata)

    def add_security_group(self, server_id: str, name: str) -> None:
        self._check_security_groups([name])
        with self._changing_server(server_id, allow_pending=True) as server:
            groups = server.data.get("security_groups", [])
            if name in groups:
                raise bad_request(
                    _("The server %(id)s is already in security group %(name)s."),
                    id=server_id,
                    name=name,
                )
            server.data["security_groups"] = [*groups, name]
            server.save()

    def remove_security_group(self, server_id: str, name: str) -> None:
        with self._changing_server(server_id, allow_pending=True) as server:
            groups = server.data.get("security_groups", [])
            if name not in groups:
                raise bad_request(
                    _("The server %(id)s is not in security group %(name)s."),
                    id=server_id,
                    name=name,
                )
            server.data["security_groups"] = [group for group in groups if group != name]
            server.save()

    # ---- helpers -------------------------------------------------------------------

    def _boot_image(self, spec: ServerSpec, flavor: SimulatedObject) -> SimulatedObject:
        image = self._get(visible.images(self.scope), spec.image_id, _("image"))
        check_volume_source(image, spec.boot_volume_size)
        if flavor.data["ram"] < image.data.get("min_ram", 0):
            raise bad_request(
                _("The flavor's memory is smaller than image %(image)s requires."),
                image=image.name,
            )
        return image

    def _check_security_groups(self, names: list[str]) -> None:
        ensure_default_group(self.cloud, self.scope.project_id)
        project_groups = self._all(Kind.SECURITY_GROUP).filter(project_id=self.scope.project_id)
        known = set(project_groups.values_list("name", flat=True))
        for name in names:
            if name not in known:
                raise not_found(_("security group"), name)

    def _new_server(self, spec: ServerSpec, flavor: SimulatedObject, groups: list[str]):
        data = {
            "flavor_id": flavor.backend_id,
            "vcpus": flavor.data["vcpus"],
            "ram": flavor.data["ram"],
            "image_id": spec.image_id,
            "power_state": "nostate",
            "host": spec.host or SIMULATED_HOST,
            "availability_zone": spec.availability_zone or DEFAULT_ZONE,
            "security_groups": groups,
            "metadata": dict(spec.metadata),
            "key_name": spec.key_name,
            "locked": False,
        }
        return self._create(Kind.SERVER, name=spec.name, data=data)

    def _new_boot_volume(self, server: SimulatedObject, spec: ServerSpec, image):
        data = {
            "size": spec.boot_volume_size,
            "volume_type": spec.boot_volume_type,
            "availability_zone": server.data["availability_zone"],
            "bootable": True,
            "image_id": image.backend_id,
            "device": "/dev/vda",
            "delete_on_termination": True,
            "description": "",
        }
        self._create(Kind.VOLUME, status="in-use", parent_id=server.backend_id, data=data)

    def _set_locked(self, server_id: str, *, locked: bool) -> None:
        self._require_admin(_("lock or unlock a server"))
        with self._changing_server(server_id, allow_pending=True) as server:
            server.data["locked"] = locked
            server.save()


@state.finisher("delete_server")
def finish_deleting_server(server: SimulatedObject) -> None:
    """What Nova does once a deletion completes: unplug the ports, delete the boot volume,
    detach the other volumes, forget the server."""
    ports.unplug(server.cloud, server.backend_id)
    attached = SimulatedObject.objects.filter(
        cloud=server.cloud, kind=Kind.VOLUME, parent_id=server.backend_id
    )
    for volume in attached:
        if volume.data.get("delete_on_termination"):
            volume.delete()
        else:
            volume.parent_id, volume.status = "", "available"
            volume.data.pop("device", None)
            volume.data.pop("attached_at", None)
            volume.save()
    server.delete()
