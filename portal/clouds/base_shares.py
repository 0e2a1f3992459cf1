"""The driver interface's Manila section (portal.clouds.base.CloudDriver.shares) and the
records it returns; apart from base.py for its size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class ShareNetworkInfo:
    """A Manila share network: where a share's server gets its ports (one Neutron
    network and subnet of the project)."""

    id: str
    name: str
    neutron_net_id: str
    neutron_subnet_id: str
    project_id: str = ""


@dataclass(frozen=True)
class ShareAccessRuleInfo:
    """Who may mount a share: an IP address or CIDR (`access_to`), read-only or read-write."""

    id: str
    access_to: str
    access_level: str  # ro | rw
    state: str  # queued_to_apply | applying | active | error | queued_to_deny | denying
    access_type: str = "ip"


@dataclass(frozen=True)
class ShareInfo:
    id: str
    name: str
    status: str  # Manila's: creating available extending shrinking deleting error ...
    size: int  # GB
    share_proto: str  # NFS | CIFS
    description: str = ""
    share_network_id: str = ""
    share_server_id: str = ""
    progress: str = ""  # "45%" while Manila creates it
    export_locations: list[str] = field(default_factory=list)
    project_id: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ShareServerInfo:
    """The share server Manila made for a share network (admin scope only)."""

    id: str
    host: str
    status: str
    share_network_id: str = ""


# ---- the interface ---------------------------------------------------------------


class ShareAPI(Protocol):
    """Manila, with share servers (driver_handles_share_servers): a share lives on the
    share server of its share network. Reads of shares carry their export locations."""

    def list_share_networks(self) -> list[ShareNetworkInfo]: ...
    def create_share_network(
        self, name: str, neutron_net_id: str, neutron_subnet_id: str, description: str = ""
    ) -> ShareNetworkInfo: ...
    def get_share_network(self, share_network_id: str) -> ShareNetworkInfo: ...
    def delete_share_network(self, share_network_id: str) -> None:
        """Ask for its deletion (gone already: no error); 409 while shares use it."""
        ...

    def create_share(
        self,
        name: str,
        share_proto: str,
        size: int,
        *,
        share_network_id: str,
        description: str = "",
    ) -> ShareInfo:
        """Ask for a share; returns it as Manila holds it (usually creating)."""
        ...

    def get_share(self, share_id: str) -> ShareInfo: ...
    def list_shares(self) -> list[ShareInfo]:
        """The scope's shares (every project's for the admin), without export locations."""
        ...

    def delete_share(self, share_id: str) -> None: ...  # gone already: no error
    def extend_share(self, share_id: str, new_size: int) -> None: ...
    def shrink_share(self, share_id: str, new_size: int) -> None: ...
    def list_access_rules(self, share_id: str) -> list[ShareAccessRuleInfo]: ...
    def allow_access(
        self, share_id: str, access_to: str, access_level: str
    ) -> ShareAccessRuleInfo: ...
    def deny_access(self, share_id: str, rule_id: str) -> None: ...  # gone already: no error
    def get_share_server(self, share_server_id: str) -> ShareServerInfo:
        """Admin scope only (Manila's policy)."""
        ...
