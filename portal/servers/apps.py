from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServersConfig(AppConfig):
    name = "portal.servers"
    label = "servers"
    verbose_name = _("Servers")

    def ready(self):
        from django.db.models.signals import post_save

        from portal.clouds.sync import SyncKind, register_sync
        from portal.network.floating_ips.services import register_server_lookup
        from portal.network.floating_ips.workflows import server_addresses_read
        from portal.servers.cdrom.services import _on_server_saved
        from portal.servers.floating_ips import (
            forget_deleted_servers_ports,
            instance_ids,
            keep_addresses,
        )

        # A deleted server's CD volume is deleted and its mount forgotten.
        post_save.connect(_on_server_saved, sender="servers.Server", dispatch_uid="isos-cd")
        # Floating IPs: which server each is on, and the server's addresses after a move.
        register_server_lookup(instance_ids)
        server_addresses_read.connect(keep_addresses, dispatch_uid="servers-addresses")
        post_save.connect(
            forget_deleted_servers_ports, sender="servers.Server", dispatch_uid="floating-ips"
        )

        register_sync(
            self,
            SyncKind(
                kind="flavors.sync",
                job="portal.servers.tasks.sync_flavors",
                label="Sync flavors of %(cloud)s",
                verbose_name=_("Flavor sync"),
            ),
        )
        register_sync(
            self,
            SyncKind(
                kind="servers.sync",
                job="portal.servers.tasks.sync_servers",
                label="Sync servers of %(cloud)s",
                verbose_name=_("State sync"),
                minutes=5,
            ),
        )
        # A VPC is not deleted while servers are on it.
        from portal.network.vpcs import register_network_users
        from portal.servers.services import servers_on_network

        register_network_users(servers_on_network)

        # The network app asks this one which servers use a security group.
        from portal.network.security_groups.server_use import register_server_directory
        from portal.servers.security_group_use import ServerDirectory

        register_server_directory(ServerDirectory())
        # Registers the handlers the stuck-task janitor calls for abandoned operations.
        from portal.servers import keypairs, locking  # noqa: F401
        from portal.servers.disks import services as disk_services  # noqa: F401
