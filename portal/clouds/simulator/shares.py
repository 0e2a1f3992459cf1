"""Manila with share servers: share networks on a project's Neutron subnet, shares on the
share server of their share network (two ports in that subnet, like the dummy backend's),
access rules by IP or CIDR, with Manila's refusals.

A share's `parent_id` is its share network; a share server's and an access rule's is their
share network and share. Creating, resizing and deleting shares take the transitions
"share_create", "share_extend", "share_shrink" and "share_delete" (cloud.options["delays"]).
"""

import ipaddress

from django.utils.translation import gettext as _

from portal.clouds.base_shares import (
    ShareAccessRuleInfo,
    ShareInfo,
    ShareNetworkInfo,
    ShareServerInfo,
)
from portal.clouds.simulator import ports, state
from portal.clouds.simulator import visibility as visible
from portal.clouds.simulator.models import SimulatedObject
from portal.clouds.simulator.quotas import check_quota
from portal.clouds.simulator.refusals import bad_request, conflict, require_status
from portal.clouds.simulator.service import Kind, SimulatedService, atomic

PROTOCOLS = ("NFS", "CIFS")
ACCESS_LEVELS = ("ro", "rw")
SHARE_SERVER_OWNER = "manila:share"
SERVER_HOST = "simulator@dummy"
DELETABLE_STATUSES = ("available", "error", "extending_error", "shrinking_error")
RESIZABLE_STATUSES = ("available",)
# Manila applies a rule in the background; the simulator has it active at once.
RULE_ACTIVE = "active"


def share_network_info(network: SimulatedObject) -> ShareNetworkInfo:
    return ShareNetworkInfo(
        id=network.backend_id,
        name=network.name,
        neutron_net_id=network.data["neutron_net_id"],
        neutron_subnet_id=network.data["neutron_subnet_id"],
        project_id=network.project_id,
    )


def share_info(share: SimulatedObject, export_locations: list[str] | None = None) -> ShareInfo:
    data = share.data
    return ShareInfo(
        id=share.backend_id,
        name=share.name,
        status=share.status,
        size=data["size"],
        share_proto=data["share_proto"],
        description=data.get("description", ""),
        share_network_id=share.parent_id,
        share_server_id=data.get("share_server_id", ""),
        progress=data.get("progress", ""),
        export_locations=export_locations or [],
        project_id=share.project_id,
        created_at=share.created,
        updated_at=share.updated,
    )


def rule_info(rule: SimulatedObject) -> ShareAccessRuleInfo:
    return ShareAccessRuleInfo(
        id=rule.backend_id,
        access_to=rule.name,
        access_level=rule.data["access_level"],
        state=rule.status,
    )


class SimulatedShares(SimulatedService):
    group = "shares"

    # ---- share networks ------------------------------------------------------------

    def list_share_networks(self) -> list[ShareNetworkInfo]:
        return [share_network_info(n) for n in self._owned(Kind.SHARE_NETWORK)]

    def create_share_network(
        self, name: str, neutron_net_id: str, neutron_subnet_id: str, description: str = ""
    ) -> ShareNetworkInfo:
        network = self._get(visible.networks(self.scope), neutron_net_id, _("network"))
        subnet = self._all(Kind.SUBNET).filter(backend_id=neutron_subnet_id).first()
        if subnet is None or subnet.parent_id != network.backend_id:
            raise bad_request(
                _("The subnet %(subnet)s is not a subnet of network %(network)s."),
                subnet=neutron_subnet_id,
                network=neutron_net_id,
            )
        data = {
            "neutron_net_id": neutron_net_id,
            "neutron_subnet_id": neutron_subnet_id,
            "description": description,
        }
        return share_network_info(self._create(Kind.SHARE_NETWORK, name=name, data=data))

    def get_share_network(self, share_network_id: str) -> ShareNetworkInfo:
        return share_network_info(self._find(Kind.SHARE_NETWORK, share_network_id))

    def delete_share_network(self, share_network_id: str) -> None:
        with atomic():
            network = self._owned(Kind.SHARE_NETWORK).filter(backend_id=share_network_id)
            network = network.select_for_update().first()
            if network is None:
                return
            if self._all(Kind.SHARE).filter(parent_id=network.backend_id).exists():
                raise conflict(
                    _("The share network %(id)s is in use by shares."), id=network.backend_id
                )
            servers = self._all(Kind.SHARE_SERVER).filter(parent_id=network.backend_id)
            server_ids = list(servers.values_list("backend_id", flat=True))
            ports.ports_of(self.cloud).filter(parent_id__in=server_ids).delete()
            servers.delete()
            network.delete()

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
        if share_proto not in PROTOCOLS:
            raise bad_request(_("Invalid share protocol %(proto)s."), proto=share_proto)
        if size < 1:
            raise bad_request(_("A share is at least 1 GB."))
        network = self._find(Kind.SHARE_NETWORK, share_network_id)
        check_quota(self.cloud, self.scope.project_id, shares=1, share_gigabytes=size)
        with atomic():
            server = self._share_server(network)
            data = {
                "size": size,
                "share_proto": share_proto,
                "description": description,
                "share_server_id": server.backend_id,
                "progress": "0%",
            }
            share = self._create(Kind.SHARE, name=name, parent_id=network.backend_id, data=data)
            state.begin(
                share,
                "share_create",
                interim={"status": "creating"},
                final={"status": "available", "data": {"progress": "100%"}},
            )
        return self._share_info(share)

    def get_share(self, share_id: str) -> ShareInfo:
        return self._share_info(self._find(Kind.SHARE, share_id))

    def list_shares(self) -> list[ShareInfo]:
        return [share_info(share) for share in self._settled(self._owned(Kind.SHARE))]

    def delete_share(self, share_id: str) -> None:
        with atomic():
            share = self._owned(Kind.SHARE).filter(backend_id=share_id)
            share = share.select_for_update().first()
            if share is None or share.status == "deleting":
                return
            self._refuse_unless(share, DELETABLE_STATUSES, _("delete"))
            state.begin(
                share, "share_delete", interim={"status": "deleting"}, final={}, then="delete_share"
            )

    def extend_share(self, share_id: str, new_size: int) -> None:
        with atomic():
            share = self._get_for_update(self._owned(Kind.SHARE), share_id, _("share"))
            self._refuse_unless(share, RESIZABLE_STATUSES, _("extend"))
            if new_size <= share.data["size"]:
                raise bad_request(
                    _("New size for extend must be greater than current size %(size)s GB."),
                    size=share.data["size"],
                )
            grow = new_size - share.data["size"]
            check_quota(self.cloud, share.project_id, share_gigabytes=grow)
            self._resize(share, "share_extend", "extending", new_size)

    def shrink_share(self, share_id: str, new_size: int) -> None:
        with atomic():
            share = self._get_for_update(self._owned(Kind.SHARE), share_id, _("share"))
            self._refuse_unless(share, RESIZABLE_STATUSES, _("shrink"))
            if not 0 < new_size < share.data["size"]:
                raise bad_request(
                    _("New size for shrink must be less than current size %(size)s GB."),
                    size=share.data["size"],
                )
            self._resize(share, "share_shrink", "shrinking", new_size)

    # ---- access rules --------------------------------------------------------------

    def list_access_rules(self, share_id: str) -> list[ShareAccessRuleInfo]:
        share = self._find(Kind.SHARE, share_id)
        return [
            rule_info(r) for r in self._all(Kind.SHARE_ACCESS).filter(parent_id=share.backend_id)
        ]

    def allow_access(self, share_id: str, access_to: str, access_level: str) -> ShareAccessRuleInfo:
        if access_level not in ACCESS_LEVELS:
            raise bad_request(_("Invalid access level %(level)s."), level=access_level)
        try:
            ipaddress.ip_network(access_to, strict=True)
        except ValueError:
            raise bad_request(_("Invalid IP access rule %(to)s."), to=access_to) from None
        with atomic():
            share = self._get_for_update(self._owned(Kind.SHARE), share_id, _("share"))
            self._refuse_unless(share, ("available",), _("change the access rules of"))
            rules = self._all(Kind.SHARE_ACCESS).filter(parent_id=share.backend_id)
            if rules.filter(name=access_to).exists():
                raise bad_request(
                    _("Share access ip:%(to)s exists for share %(id)s."),
                    to=access_to,
                    id=share.backend_id,
                )
            rule = self._create(
                Kind.SHARE_ACCESS,
                project_id=share.project_id,
                parent_id=share.backend_id,
                name=access_to,
                status=RULE_ACTIVE,
                data={"access_level": access_level},
            )
        return rule_info(rule)

    def deny_access(self, share_id: str, rule_id: str) -> None:
        share = self._find(Kind.SHARE, share_id)
        self._all(Kind.SHARE_ACCESS).filter(parent_id=share.backend_id, backend_id=rule_id).delete()

    # ---- share servers (admin) -----------------------------------------------------

    def get_share_server(self, share_server_id: str) -> ShareServerInfo:
        self._require_admin(_("read share servers"))
        server = self._get(self._all(Kind.SHARE_SERVER), share_server_id, _("share server"))
        return ShareServerInfo(
            id=server.backend_id,
            host=server.data["host"],
            status=server.status,
            share_network_id=server.parent_id,
        )

    # ---- helpers -------------------------------------------------------------------

    def _find(self, kind: str, backend_id: str) -> SimulatedObject:
        what = _("share") if kind == Kind.SHARE else _("share network")
        return self._get(self._owned(kind), backend_id, what)

    def _share_info(self, share: SimulatedObject) -> ShareInfo:
        """With its export locations: the addresses of its share server's ports."""
        server_ports = ports.ports_of(self.cloud).filter(parent_id=share.data["share_server_id"])
        addresses = server_ports.order_by("pk").values_list("data__ip_address", flat=True)
        paths = [f"{address}:/shares/share-{share.backend_id}" for address in addresses]
        return share_info(share, paths if share.status != "creating" else [])

    def _share_server(self, network: SimulatedObject) -> SimulatedObject:
        """The share network's share server, made (with its two ports) on first use."""
        servers = self._all(Kind.SHARE_SERVER).filter(parent_id=network.backend_id)
        server = servers.first()
        if server is not None:
            return server
        neutron_network = self._all(Kind.NETWORK).get(backend_id=network.data["neutron_net_id"])
        subnet = self._all(Kind.SUBNET).get(backend_id=network.data["neutron_subnet_id"])
        server = self._create(
            Kind.SHARE_SERVER,
            project_id=network.project_id,
            parent_id=network.backend_id,
            status="active",
            data={"host": SERVER_HOST},
        )
        for _port in range(2):
            ports.plug(
                self.cloud,
                neutron_network,
                device_id=server.backend_id,
                device_owner=SHARE_SERVER_OWNER,
                project_id=network.project_id,
                subnet=subnet,
            )
        return server

    def _resize(self, share: SimulatedObject, transition: str, interim: str, new_size: int):
        state.begin(
            share,
            transition,
            interim={"status": interim},
            final={"status": "available", "data": {"size": new_size}},
        )

    def _refuse_unless(self, share: SimulatedObject, statuses, action: str) -> None:
        message = _("Cannot %(action)s share %(id)s while it is %(status)s.")
        require_status(share, statuses, action, message)


@state.finisher("delete_share")
def _delete_share(share: SimulatedObject) -> None:
    SimulatedObject.objects.filter(
        cloud=share.cloud, kind=Kind.SHARE_ACCESS, parent_id=share.backend_id
    ).delete()
    share.delete()
