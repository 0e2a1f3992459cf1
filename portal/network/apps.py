from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "portal.network"
    label = "network"
    verbose_name = _("Networking")

    def ready(self):
        from portal.core.sync import keep_sync_scheduled

        # The entry's name is stored data, so it is not translated.
        keep_sync_scheduled(
            self,
            task="portal.network.tasks.sync_network_on_schedule",
            label="Sync networks of %(cloud)s",
        )
