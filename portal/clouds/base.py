"""The cloud driver interface, grouped by resource, and the records drivers return.

One implementation per backend kind (`simulator`, `openstack`, later `azure`) lives in
this package; nothing else in the portal imports a cloud SDK. Only Celery jobs call a
driver. Every method either returns what the cloud really holds now (re-read after a
write, seed 004 rule 4) or raises a portal.clouds.errors.CloudError.

A driver is opened for one scope: the cloud's admin (`Credentials` is None) or a
tenant's own Keystone user in its project (`TenantCredentials`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Protocol

from portal.clouds.base_floating_ips import FloatingIPAPI
from portal.clouds.base_network import NetworkAPI
from portal.clouds.base_shares import ShareAPI

# Called with the number of bytes sent so far.
ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class TenantCredentials:
    """A tenant's Keystone user, scoped to its project (created at sign-up)."""

    username: str
    password: str
    project_id: str
    user_domain_id: str
    project_domain_id: str = ""


# ---- records -------------------------------------------------------------------------


@dataclass(frozen=True)
class TenantIdentity:
    """What sign-up creates in the cloud for one tenant (seed 004, 租户注册)."""

    domain_id: str
    project_id: str
    user_id: str
    role_id: str


@dataclass(frozen=True)
class ImageInfo:
    id: str
    name: str
    status: str  # queued | saving | active | deactivated | killed | deleted ...
    disk_format: str
    container_format: str
    size: int | None = None
    checksum: str = ""
    min_disk: int = 0
    min_ram: int = 0
    visibility: str = "public"
    properties: dict = field(default_factory=dict)  # os_type, os_distro, os_version ...
    owner: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # The bytes uploaded into the image, where the cloud holds them converted and `size`
    # is the converted copy's (Azure: a raw disk stored as a VHD, padded to whole MiB and
    # with a footer); None where `size` is the upload's own.
    data_size: int | None = None


@dataclass(frozen=True)
class FlavorInfo:
    id: str
    name: str
    vcpus: int
    ram: int  # MB
    disk: int  # GB
    is_public: bool = True
    extra_specs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ServerSpec:
    """What `create_server` needs. The system disk is a boot volume made from the image
    in the block device mapping (v2) and deleted with the server."""

    name: str
    flavor_id: str
    image_id: str
    boot_volume_size: int  # GB
    network_ids: list[str]
    boot_volume_type: str = ""
    security_groups: list[str] = field(default_factory=list)  # names
    availability_zone: str = ""
    host: str = ""  # hypervisor hostname, admin scope only
    key_name: str = ""
    admin_pass: str = ""
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ServerInfo:
    id: str
    name: str
    status: str  # Nova's: BUILD ACTIVE SHUTOFF SUSPENDED PAUSED RESIZE VERIFY_RESIZE ERROR ...
    flavor_id: str
    image_id: str = ""
    power_state: str = ""  # running | shutdown | paused | suspended | nostate
    task_state: str | None = None  # Nova's OS-EXT-STS:task_state (rebooting, resize_prep ...)
    host: str = ""
    availability_zone: str = ""
    addresses: dict[str, list[str]] = field(default_factory=dict)  # network name -> IPs
    volume_ids: list[str] = field(default_factory=list)
    security_groups: list[str] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    locked: bool = False
    project_id: str = ""
    fault: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class RemoteConsole:
    """A server's remote console: Nova's protocol (vnc | spice) and type, and its URL."""

    protocol: str
    type: str  # novnc | spice-html5
    url: str


@dataclass(frozen=True)
class AvailabilityZoneInfo:
    """A compute availability zone, as Nova lists it to any user."""

    name: str
    available: bool = True


@dataclass(frozen=True)
class ComputeHostInfo:
    """A hypervisor's nova-compute service (admin scope): where servers can be placed."""

    host: str
    zone: str
    state: str = "up"  # up | down: whether the service reports in
    status: str = "enabled"  # enabled | disabled: whether the scheduler may use it
    disabled_reason: str = ""
    # The hypervisor's capacity (what the scheduler may place: Placement's inventory,
    # (total - reserved) x allocation ratio) and what its servers hold of it.
    vcpus: int = 0
    vcpus_used: int = 0
    memory_mb: int = 0
    memory_mb_used: int = 0
    disk_gb: int = 0
    disk_gb_used: int = 0
    servers: int = 0  # the servers placed on the host, whatever their power state


@dataclass(frozen=True)
class VolumeAttachment:
    server_id: str
    device: str = ""
    attached_at: datetime | None = None


@dataclass(frozen=True)
class VolumeInfo:
    id: str
    name: str
    size: int  # GB
    status: str  # creating available in-use extending error deleting ...
    volume_type: str = ""
    availability_zone: str = ""
    bootable: bool = False
    attachments: list[VolumeAttachment] = field(default_factory=list)
    created_at: datetime | None = None
    description: str = ""
    project_id: str = ""  # the owner's project (read with the admin scope)


# ---- the interface, by resource ------------------------------------------------------


class IdentityAPI(Protocol):
    """Keystone: a tenant's domain, project, user and role (admin scope)."""

    def create_domain(self, name: str, description: str = "") -> str: ...
    def create_project(self, name: str, domain_id: str, description: str = "") -> str: ...
    def create_user(self, name: str, password: str, domain_id: str, project_id: str) -> str: ...
    def create_role(self, name: str, domain_id: str | None = None) -> str: ...
    def assign_role(self, role_id: str, user_id: str, project_id: str) -> None: ...
    def find_role(self, name: str) -> str:
        """The id of the global role `name` (e.g. the stock `member`); CloudNotFound if
        the cloud has none."""
        ...

    # Deletion in reverse order; deleting something already gone is not an error.
    def unassign_role(self, role_id: str, user_id: str, project_id: str) -> None: ...
    def delete_role(self, role_id: str) -> None: ...
    def delete_user(self, user_id: str) -> None: ...
    def delete_project(self, project_id: str) -> None: ...
    def delete_domain(self, domain_id: str) -> None: ...  # disables it first where needed
    def check_login(self, credentials: TenantCredentials) -> bool: ...


class ImageAPI(Protocol):
    """Glance."""

    def iter_images(
        self, status: str | None = "active", page_size: int = 200
    ) -> Iterator[ImageInfo]:
        """Every image (of that status), fetched page by page."""
        ...

    def get_image(self, image_id: str) -> ImageInfo: ...
    def create_image(
        self,
        name: str,
        disk_format: str,
        container_format: str,
        *,
        min_disk: int = 0,
        min_ram: int = 0,
        visibility: str = "public",
        properties: dict | None = None,
    ) -> ImageInfo:
        """An image record in `queued` state, with no data yet."""
        ...

    def upload_image_data(
        self, image_id: str, data: BinaryIO, size: int, progress: ProgressCallback | None = None
    ) -> ImageInfo:
        """Stream `size` bytes from `data` into the image with constant memory."""
        ...

    def update_image(self, image_id: str, **changes) -> ImageInfo: ...
    def deactivate_image(self, image_id: str) -> ImageInfo: ...
    def reactivate_image(self, image_id: str) -> ImageInfo: ...
    def delete_image(self, image_id: str) -> None: ...


class ComputeAPI(Protocol):
    """Nova: flavors, servers, availability zones and compute hosts."""

    def list_flavors(self) -> list[FlavorInfo]: ...
    def get_flavor(self, flavor_id: str) -> FlavorInfo: ...
    def create_flavor(
        self,
        name: str,
        vcpus: int,
        ram: int,
        disk: int,
        *,
        is_public: bool = True,
        extra_specs: dict | None = None,
    ) -> FlavorInfo: ...
    def delete_flavor(self, flavor_id: str) -> None: ...
    def list_flavor_access(self, flavor_id: str) -> list[str]: ...  # project ids
    def add_flavor_access(self, flavor_id: str, project_id: str) -> None: ...
    def remove_flavor_access(self, flavor_id: str, project_id: str) -> None: ...

    def create_server(self, spec: ServerSpec) -> ServerInfo:
        """Ask for a server; returns it as the cloud holds it (usually BUILD)."""
        ...

    def get_server(self, server_id: str) -> ServerInfo: ...
    def iter_servers(
        self, project_id: str | None = None, page_size: int = 200
    ) -> Iterator[ServerInfo]:
        """Servers of the scope's project (tenant scope) or of every project / one project
        (admin scope), fetched page by page."""
        ...

    def delete_server(self, server_id: str) -> None: ...
    def import_keypair(self, name: str, public_key: str) -> None:
        """Register an SSH public key under `name` for the scope's user (Nova key pairs),
        for `ServerSpec.key_name`."""
        ...

    def delete_keypair(self, name: str) -> None: ...  # gone already: no error
    def start_server(self, server_id: str) -> None: ...
    def stop_server(self, server_id: str) -> None: ...
    def reboot_server(self, server_id: str, hard: bool = False) -> None: ...
    def suspend_server(self, server_id: str) -> None: ...
    def resume_server(self, server_id: str) -> None: ...
    def pause_server(self, server_id: str) -> None: ...
    def unpause_server(self, server_id: str) -> None: ...
    def lock_server(self, server_id: str) -> None: ...
    def unlock_server(self, server_id: str) -> None: ...
    def resize_server(self, server_id: str, flavor_id: str) -> None: ...
    def confirm_resize(self, server_id: str) -> None: ...
    def revert_resize(self, server_id: str) -> None: ...
    def set_server_metadata(self, server_id: str, metadata: dict) -> dict: ...
    def get_remote_console(self, server_id: str) -> RemoteConsole:
        """A noVNC console URL (SPICE where the cloud refuses VNC); 409 while the server
        is not ready for one."""
        ...

    def get_console_output(self, server_id: str, lines: int) -> str:
        """The last `lines` lines of the server's console log."""
        ...

    def add_security_group(self, server_id: str, name: str) -> None: ...
    def remove_security_group(self, server_id: str, name: str) -> None: ...
    def list_availability_zones(self) -> list[AvailabilityZoneInfo]: ...
    def list_compute_hosts(self) -> list[ComputeHostInfo]:
        """The nova-compute services of every host (admin scope), with their hypervisors'
        capacity and usage."""
        ...


class VolumeAPI(Protocol):
    """Cinder (attach and detach go through Nova, as seed 004 advises)."""

    def create_volume(
        self,
        name: str,
        size: int,
        *,
        volume_type: str = "",
        availability_zone: str = "",
        image_id: str = "",
        description: str = "",
    ) -> VolumeInfo: ...
    def get_volume(self, volume_id: str) -> VolumeInfo: ...
    def list_volumes(self) -> list[VolumeInfo]: ...
    def iter_volumes(self, page_size: int = 200) -> Iterator[VolumeInfo]:
        """Every volume the scope sees, page by page: the admin's are every project's."""
        ...

    def list_volume_types(self) -> list[str]:
        """The names of the volume types the scope may use."""
        ...

    def extend_volume(self, volume_id: str, new_size: int) -> None:
        """Grow the volume; an attached one only where the cloud extends in-use volumes
        (Cinder's API microversion 3.42 and a backend that can)."""
        ...

    def update_volume(
        self, volume_id: str, *, name: str | None = None, description: str | None = None
    ) -> VolumeInfo: ...
    def attach_volume(self, server_id: str, volume_id: str) -> VolumeAttachment: ...
    def detach_volume(self, server_id: str, volume_id: str) -> None: ...
    def delete_volume(self, volume_id: str) -> None: ...


class CloudDriver(Protocol):
    """A connection to one cloud in one scope (admin or one tenant)."""

    identity: IdentityAPI
    images: ImageAPI
    compute: ComputeAPI
    volumes: VolumeAPI
    network: NetworkAPI
    floating_ips: FloatingIPAPI
    shares: ShareAPI

    def check(self) -> None:
        """One cheap call the cloud must answer, accepting the credentials (beat's health
        check, health.py); raises a CloudError where it does not."""
        ...
