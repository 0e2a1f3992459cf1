from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServersConfig(AppConfig):
    name = "portal.servers"
    label = "servers"
    verbose_name = _("Servers")

    def ready(self):
        from portal.core.sync import keep_sync_scheduled

        # The entry's name is stored data, so it is not translated.
        keep_sync_scheduled(
            self,
            task="portal.servers.tasks.sync_flavors_on_schedule",
            label="Sync flavors of %(cloud)s",
        )
        keep_sync_scheduled(
            self,
            task="portal.servers.tasks.sync_servers_on_schedule",
            label="Sync servers of %(cloud)s",
            minutes=5,
        )
