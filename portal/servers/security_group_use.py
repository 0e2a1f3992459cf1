"""The servers app's answers to the network app about security groups: which servers
use a group, the servers an attach or detach names, and a server's groups as Nova
re-read them. Registered in apps.py (see portal/network/security_groups/server_use.py
for why the network app asks instead of importing this app)."""

from portal.network.security_groups.server_use import ServerRef
from portal.servers.models import Server

FIELDS = ("instance_id", "name", "cloud_id", "backend_id", "security_group_names")


class ServerDirectory:
    def servers_using(self, group) -> list[ServerRef]:
        # Filtered in Python: SQLite has no JSON containment; one query either way.
        servers = self._live().filter(tenant=group.tenant_id, cloud=group.cloud_id)
        return [
            ServerRef(*row)
            for row in servers.order_by("name", "pk").values_list(*FIELDS)
            if group.name in (row[-1] or [])
        ]

    def find_servers(self, tenant, instance_ids) -> list[ServerRef]:
        servers = self._live().filter(instance_id__in=list(instance_ids))
        if tenant is not None:
            servers = servers.filter(tenant=tenant)
        found = {row[0]: ServerRef(*row) for row in servers.values_list(*FIELDS)}
        return [found[instance_id] for instance_id in instance_ids if instance_id in found]

    def record_security_groups(self, instance_id, names) -> None:
        Server.objects.filter(instance_id=instance_id).update(security_group_names=list(names))

    @staticmethod
    def _live():
        return Server.objects.exclude(status=Server.Status.DELETED)
