"""Nova servers: create with a boot volume, read, list, and the actions on them.

The action methods only ask Nova to act and return at once; callers poll get_server
(waiting.wait_for_server in tests, the portal's Celery jobs with their own backoff).
"""

from __future__ import annotations

from collections.abc import Iterator

from openstack import exceptions as sdk_exc
from openstack.compute.v2.flavor import Flavor
from openstack.compute.v2.server import Server

from portal.clouds.base import (
    AvailabilityZoneInfo,
    ComputeHostInfo,
    RemoteConsole,
    ServerInfo,
    ServerSpec,
)
from portal.clouds.openstack.flavors import FlavorCalls
from portal.clouds.openstack.hypervisors import host_figures
from portal.clouds.openstack.resource import only_given, parse_time

# The remote consoles asked for, in order: Nova answers 400 for a protocol its compute
# hosts do not offer ([vnc] or [spice] not enabled), and the next one is tried.
CONSOLE_PROTOCOLS = (("vnc", "novnc"), ("spice", "spice-html5"))

# Nova's OS-EXT-STS:power_state codes (nova.compute.power_state).
POWER_STATES = {
    0: "nostate",
    1: "running",
    3: "paused",
    4: "shutdown",
    6: "crashed",
    7: "suspended",
}


def _addresses(server: Server) -> dict[str, list[str]]:
    return {
        network: [entry["addr"] for entry in entries]
        for network, entries in (server.addresses or {}).items()
    }


def _security_group_names(server: Server) -> list[str]:
    # Nova lists a group once per port: a server on two networks shows each twice.
    names = (group["name"] for group in server.security_groups or [])
    return list(dict.fromkeys(names))


def _same_size(flavor: Flavor, embedded: Flavor) -> bool:
    return (flavor.vcpus, flavor.ram, flavor.disk) == (embedded.vcpus, embedded.ram, embedded.disk)


def _image_id(server: Server) -> str:
    # A server booted from a volume has no image ("" from Nova): its boot volume has.
    return getattr(server.image, "id", None) or ""


def _fault(server: Server) -> str:
    return (server.fault or {}).get("message", "")


def _boot_volume(spec: ServerSpec) -> dict:
    """Block device mapping v2: the system disk is a new volume made from the image."""
    mapping = {
        "boot_index": 0,
        "uuid": spec.image_id,
        "source_type": "image",
        "destination_type": "volume",
        "volume_size": spec.boot_volume_size,
        "delete_on_termination": True,
    }
    return mapping | only_given(volume_type=spec.boot_volume_type)


def _server_request(spec: ServerSpec) -> dict:
    request = {
        "name": spec.name,
        "flavor_id": spec.flavor_id,
        "block_device_mapping": [_boot_volume(spec)],
        # Nova wants an explicit choice; "none" boots a server without a port.
        "networks": [{"uuid": network_id} for network_id in spec.network_ids] or "none",
        "metadata": dict(spec.metadata),
    }
    if spec.security_groups:
        request["security_groups"] = [{"name": name} for name in spec.security_groups]
    # `host` (microversion 2.74, admin only) asks for one hypervisor; Nova still checks it.
    return request | only_given(
        availability_zone=spec.availability_zone,
        host=spec.host,
        key_name=spec.key_name,
        admin_password=spec.admin_pass,
    )


class ComputeAPI(FlavorCalls):
    def __init__(self, handle):
        super().__init__(handle)
        # Since microversion 2.47 a server describes its flavor (name, vcpus, ram, disk)
        # without its id. Flavor names are unique in Nova, so a list of flavors maps them
        # back: loaded once per driver (drivers live for one job), reloaded on a miss.
        self._flavors_by_name: dict[str, Flavor] = {}

    def _flavor_id(self, server: Server) -> str:
        embedded = server.flavor
        if embedded is None:
            return ""
        if not embedded.original_name:  # a microversion before 2.47: the id is there
            return embedded.id or ""
        known = self._flavors_by_name.get(embedded.original_name)
        if known is None or not _same_size(known, embedded):
            # New, or deleted and re-created under the same name since the last load.
            self._flavors_by_name = {flavor.name: flavor for flavor in self._all_flavors()}
            known = self._flavors_by_name.get(embedded.original_name)
        return known.id if known is not None else ""

    def _server_info(self, server: Server) -> ServerInfo:
        return ServerInfo(
            id=server.id,
            name=server.name,
            status=server.status,
            flavor_id=self._flavor_id(server),
            image_id=_image_id(server),
            power_state=POWER_STATES.get(server.power_state, "nostate"),
            task_state=server.task_state,
            host=server.compute_host or "",
            availability_zone=server.availability_zone or "",
            addresses=_addresses(server),
            volume_ids=[volume["id"] for volume in server.attached_volumes or []],
            security_groups=_security_group_names(server),
            metadata=dict(server.metadata or {}),
            locked=bool(server.is_locked),
            project_id=server.project_id or "",
            fault=_fault(server),
            created_at=parse_time(server.created_at),
            updated_at=parse_time(server.updated_at),
        )

    def create_server(self, spec: ServerSpec) -> ServerInfo:
        server = self._conn.compute.create_server(**_server_request(spec))
        return self.get_server(server.id)

    def get_server(self, server_id: str) -> ServerInfo:
        return self._server_info(self._conn.compute.get_server(server_id))

    def iter_servers(
        self, project_id: str | None = None, page_size: int = 200
    ) -> Iterator[ServerInfo]:
        query = {"limit": page_size}
        # A tenant's token sees only its project anyway; an admin must ask for the others.
        if self._handle.is_admin:
            query["all_projects"] = True
            query |= only_given(project_id=project_id)
        for server in self._conn.compute.servers(details=True, **query):
            yield self._server_info(server)

    def delete_server(self, server_id: str) -> None:
        self._conn.compute.delete_server(server_id, ignore_missing=True)

    def import_keypair(self, name: str, public_key: str) -> None:
        self._conn.compute.create_keypair(name=name, public_key=public_key)

    def delete_keypair(self, name: str) -> None:
        self._conn.compute.delete_keypair(name, ignore_missing=True)

    def start_server(self, server_id: str) -> None:
        self._conn.compute.start_server(server_id)

    def stop_server(self, server_id: str) -> None:
        self._conn.compute.stop_server(server_id)

    def reboot_server(self, server_id: str, hard: bool = False) -> None:
        self._conn.compute.reboot_server(server_id, "HARD" if hard else "SOFT")

    def suspend_server(self, server_id: str) -> None:
        self._conn.compute.suspend_server(server_id)

    def resume_server(self, server_id: str) -> None:
        self._conn.compute.resume_server(server_id)

    def pause_server(self, server_id: str) -> None:
        self._conn.compute.pause_server(server_id)

    def unpause_server(self, server_id: str) -> None:
        self._conn.compute.unpause_server(server_id)

    def lock_server(self, server_id: str) -> None:
        self._conn.compute.lock_server(server_id)

    def unlock_server(self, server_id: str) -> None:
        self._conn.compute.unlock_server(server_id)

    def resize_server(self, server_id: str, flavor_id: str) -> None:
        self._conn.compute.resize_server(server_id, flavor_id)

    def confirm_resize(self, server_id: str) -> None:
        self._conn.compute.confirm_server_resize(server_id)

    def revert_resize(self, server_id: str) -> None:
        self._conn.compute.revert_server_resize(server_id)

    def set_server_metadata(self, server_id: str, metadata: dict) -> dict:
        """Adds or overwrites the given keys (others stay); returns all of them."""
        compute = self._conn.compute
        compute.set_server_metadata(server_id, **metadata)
        return dict(compute.get_server_metadata(server_id).metadata or {})

    def get_remote_console(self, server_id: str) -> RemoteConsole:
        *preferred, last = CONSOLE_PROTOCOLS
        for protocol, console_type in preferred:
            try:
                return self._remote_console(server_id, protocol, console_type)
            except sdk_exc.BadRequestException:
                continue  # not offered by this cloud
        return self._remote_console(server_id, *last)

    def _remote_console(self, server_id: str, protocol: str, console_type: str):
        console = self._conn.compute.create_server_remote_console(
            server_id, protocol=protocol, type=console_type
        )
        return RemoteConsole(console.protocol, console.type, console.url)

    def get_console_output(self, server_id: str, lines: int) -> str:
        answer = self._conn.compute.get_server_console_output(server_id, length=lines)
        return answer.get("output") or ""

    def add_security_group(self, server_id: str, name: str) -> None:
        # Server.add_security_group takes the group's name, as Nova's action does; the
        # proxy's add_security_group_to_server would need a SecurityGroup resource.
        Server.existing(id=server_id).add_security_group(self._conn.compute, name)

    def remove_security_group(self, server_id: str, name: str) -> None:
        Server.existing(id=server_id).remove_security_group(self._conn.compute, name)

    def list_availability_zones(self) -> list[AvailabilityZoneInfo]:
        # The plain listing (any user) holds the compute zones only, with their state.
        return [
            AvailabilityZoneInfo(zone.name, bool((zone.state or {}).get("available")))
            for zone in self._conn.compute.availability_zones()
        ]

    def list_compute_hosts(self) -> list[ComputeHostInfo]:
        figures = host_figures(self._conn)
        return [
            ComputeHostInfo(
                host=service.host,
                zone=service.availability_zone or "",
                state=service.state or "",
                status=service.status or "",
                disabled_reason=service.disabled_reason or "",
                **figures.get(service.host, {}),
            )
            for service in self._conn.compute.services(binary="nova-compute")
        ]
