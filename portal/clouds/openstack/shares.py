"""Manila shares, share networks and access rules on openstacksdk's shared_file_system
proxy. Reads and share actions go through the proxy's keystoneauth session at one API
microversion: the SDK's Share resource asks for none (Manila then answers as 2.0, without
`progress`, and knows extend and shrink only as os-extend and os-shrink) and the proxy has
no share servers."""

from __future__ import annotations

from openstack import exceptions as sdk_exc

from portal.clouds.base_shares import (
    ShareAccessRuleInfo,
    ShareInfo,
    ShareNetworkInfo,
    ShareServerInfo,
)
from portal.clouds.openstack.resource import ResourceAPI, parse_time

# Share `progress` (2.54) and share network subnets (2.51); Manila 2023.1 and later have it.
MICROVERSION = "2.65"


def share_info(share: dict, export_locations: list[str] | None = None) -> ShareInfo:
    return ShareInfo(
        id=share["id"],
        name=share.get("name") or "",
        status=share["status"],
        size=share["size"],
        share_proto=share["share_proto"],
        description=share.get("description") or "",
        share_network_id=share.get("share_network_id") or "",
        share_server_id=share.get("share_server_id") or "",
        progress=share.get("progress") or "",
        export_locations=export_locations or [],
        project_id=share.get("project_id") or "",
        created_at=parse_time(share.get("created_at")),
        updated_at=parse_time(share.get("updated_at")),
    )


def share_network_info(network) -> ShareNetworkInfo:
    # Since 2.51 the Neutron ids are on the share network's (default) subnet.
    subnets = network.share_network_subnets or []
    subnet = subnets[0] if subnets else {}
    return ShareNetworkInfo(
        id=network.id,
        name=network.name or "",
        neutron_net_id=subnet.get("neutron_net_id") or network.neutron_net_id or "",
        neutron_subnet_id=subnet.get("neutron_subnet_id") or network.neutron_subnet_id or "",
        project_id=network.project_id or "",
    )


def rule_info(rule) -> ShareAccessRuleInfo:
    return ShareAccessRuleInfo(
        id=rule.id,
        access_to=rule.access_to,
        access_level=rule.access_level,
        state=rule.state or "",
        access_type=rule.access_type or "ip",
    )


class ShareAPI(ResourceAPI):
    # ---- share networks ------------------------------------------------------------

    def list_share_networks(self) -> list[ShareNetworkInfo]:
        api = self._conn.shared_file_system
        return [share_network_info(n) for n in api.share_networks(details=True)]

    def create_share_network(
        self, name: str, neutron_net_id: str, neutron_subnet_id: str, description: str = ""
    ) -> ShareNetworkInfo:
        network = self._conn.shared_file_system.create_share_network(
            name=name,
            neutron_net_id=neutron_net_id,
            neutron_subnet_id=neutron_subnet_id,
            description=description,
        )
        return self.get_share_network(network.id)

    def get_share_network(self, share_network_id: str) -> ShareNetworkInfo:
        return share_network_info(self._conn.shared_file_system.get_share_network(share_network_id))

    def delete_share_network(self, share_network_id: str) -> None:
        self._conn.shared_file_system.delete_share_network(share_network_id, ignore_missing=True)

    # ---- shares --------------------------------------------------------------------

    def create_share(
        self,
        name: str,
        share_proto: str,
        size: int,
        *,
        share_network_id: str,
        description: str = "",
    ) -> ShareInfo:
        share = self._conn.shared_file_system.create_share(
            name=name,
            share_proto=share_proto,
            size=size,
            share_network_id=share_network_id,
            description=description,
        )
        return self.get_share(share.id)

    def get_share(self, share_id: str) -> ShareInfo:
        share = self._read(f"/shares/{share_id}")["share"]
        paths = self._read(f"/shares/{share_id}/export_locations")["export_locations"]
        return share_info(share, [e["path"] for e in paths if not e.get("is_admin_only")])

    def list_shares(self) -> list[ShareInfo]:
        query = "?all_tenants=1" if self._handle.spec.scope == "admin" else ""
        return [share_info(s) for s in self._read(f"/shares/detail{query}")["shares"]]

    def delete_share(self, share_id: str) -> None:
        self._conn.shared_file_system.delete_share(share_id, ignore_missing=True)

    def extend_share(self, share_id: str, new_size: int) -> None:
        """Asks Manila to grow it; the size shows once the status is back to available."""
        self._action(share_id, {"extend": {"new_size": new_size}})

    def shrink_share(self, share_id: str, new_size: int) -> None:
        self._action(share_id, {"shrink": {"new_size": new_size}})

    # ---- access rules --------------------------------------------------------------

    def list_access_rules(self, share_id: str) -> list[ShareAccessRuleInfo]:
        return [rule_info(r) for r in self._conn.shared_file_system.access_rules(share_id)]

    def allow_access(self, share_id: str, access_to: str, access_level: str) -> ShareAccessRuleInfo:
        rule = self._conn.shared_file_system.create_access_rule(
            share_id, access_type="ip", access_to=access_to, access_level=access_level
        )
        return rule_info(rule)

    def deny_access(self, share_id: str, rule_id: str) -> None:
        try:
            self._action(share_id, {"deny_access": {"access_id": rule_id}})
        except sdk_exc.NotFoundException:
            if any(rule.id == rule_id for rule in self.list_access_rules(share_id)):
                raise  # the share is there, the rule too: not a rule already gone

    # ---- share servers (admin) -----------------------------------------------------

    def get_share_server(self, share_server_id: str) -> ShareServerInfo:
        server = self._read(f"/share-servers/{share_server_id}")["share_server"]
        return ShareServerInfo(
            id=server["id"],
            host=server.get("host") or "",
            status=server.get("status") or "",
            share_network_id=server.get("share_network_id") or "",
        )

    def _action(self, share_id: str, body: dict) -> None:
        """A share action at MICROVERSION: the SDK's resize sends none, and Manila 2.0
        knows the actions only by their old names (os-extend, os-shrink)."""
        response = self._conn.shared_file_system.post(
            f"/shares/{share_id}/action", json=body, microversion=MICROVERSION, raise_exc=False
        )
        sdk_exc.raise_from_response(response)

    def _read(self, path: str) -> dict:
        response = self._conn.shared_file_system.get(
            path, microversion=MICROVERSION, raise_exc=False
        )
        sdk_exc.raise_from_response(response)
        return response.json()
