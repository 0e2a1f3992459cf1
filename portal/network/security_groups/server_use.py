"""Which servers use a security group, and the servers an attach or detach names.

Servers sit above the network app in the layers, so nothing here may import
`portal.servers`. Instead the servers app hands this app a `ServerDirectory` when Django
starts (`register_server_directory` in `portal/servers/apps.py`), and both sides of this
feature ask the directory: the request side to refuse deleting a group that servers
still use (naming them) and to find the servers of an attach or detach, the worker side
to record a server's groups as Nova re-reads them. The dependency stays pointed down
(servers -> network) and the servers' table keeps one owner.
"""

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class ServerRef:
    """What this app needs of a server: its public id, cloud id and groups."""

    instance_id: str
    name: str
    cloud_id: int
    backend_id: str | None
    security_group_names: list[str] = field(default_factory=list)


class ServerDirectory(Protocol):
    def servers_using(self, group) -> list[ServerRef]:
        """The live servers of the group's tenant in its cloud that use it (by name, as
        Nova does)."""
        ...

    def find_servers(self, tenant, instance_ids: list[str]) -> list[ServerRef]:
        """The tenant's live servers of these ids (any tenant's for `tenant` None), in
        the order asked; ids it does not have are left out."""
        ...

    def record_security_groups(self, instance_id: str, names: list[str]) -> None:
        """Record the groups the cloud now says the server has."""
        ...


_directory: list[ServerDirectory] = []


def register_server_directory(directory: ServerDirectory) -> None:
    _directory[:] = [directory]


def server_directory() -> ServerDirectory:
    if not _directory:
        raise RuntimeError("no ServerDirectory registered: is portal.servers installed?")
    return _directory[0]
