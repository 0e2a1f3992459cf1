from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "portal.network"
    label = "network"
    verbose_name = _("Networking")

    def ready(self):
        from portal.clouds.sync import SyncKind, register_sync
        from portal.network.floating_ips import services  # noqa: F401 (its janitor handlers)

        register_sync(
            self,
            SyncKind(
                kind="network.sync",
                job="portal.network.tasks.sync_network",
                label="Sync networks of %(cloud)s",
                verbose_name=_("Network sync"),
            ),
        )
