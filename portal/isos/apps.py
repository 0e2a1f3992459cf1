from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IsosConfig(AppConfig):
    name = "portal.isos"
    label = "isos"
    verbose_name = _("ISOs")

    def ready(self):
        from django.db.models.signals import post_save

        from portal.clouds.sync import SyncKind, register_sync
        from portal.isos.services import _on_server_saved

        # A deleted server's CD volume is deleted and its mount forgotten.
        post_save.connect(_on_server_saved, sender="servers.Server", dispatch_uid="isos-cd")

        # One beat entry per cloud, syncing all its FTP servers (if it has any).
        register_sync(
            self,
            SyncKind(
                kind="isos.sync",
                job="portal.isos.tasks.sync_isos",
                label="Sync ISOs of %(cloud)s",
                verbose_name=_("ISO sync"),
                applies_to=lambda cloud: cloud.ftp_servers.exists(),
            ),
        )
