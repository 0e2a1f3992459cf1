from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IsosConfig(AppConfig):
    name = "portal.isos"
    label = "isos"
    verbose_name = _("ISOs")

    def ready(self):
        from portal.clouds.sync import SyncKind, register_sync

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
