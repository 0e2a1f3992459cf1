from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServersConfig(AppConfig):
    name = "portal.servers"
    label = "servers"
    verbose_name = _("Servers")

    def ready(self):
        from django.db.models.signals import post_save

        from portal.clouds.sync import SyncKind, register_sync
        from portal.servers.cdrom.services import _on_server_saved

        # A deleted server's CD volume is deleted and its mount forgotten.
        post_save.connect(_on_server_saved, sender="servers.Server", dispatch_uid="isos-cd")

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
        # Registers the handlers the stuck-task janitor calls for abandoned operations.
        from portal.servers import keypairs, locking  # noqa: F401
        from portal.servers.disks import services as disk_services  # noqa: F401
