from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "portal.network"
    label = "network"
    verbose_name = _("Networking")

    def ready(self):
        from portal.clouds.sync import SyncKind, register_sync

        register_sync(
            self,
            SyncKind(
                kind="network.sync",
                job="portal.network.tasks.sync_network",
                label="Sync networks of %(cloud)s",
                verbose_name=_("Network sync"),
            ),
        )
        # Registers the handlers the stuck-task janitor calls for abandoned operations.
        from portal.network import routers, vpcs  # noqa: F401
        from portal.network.floating_ips import services as floating_ip_services  # noqa: F401
        from portal.network.security_groups import services as group_services  # noqa: F401
