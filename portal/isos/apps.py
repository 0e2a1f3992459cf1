from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IsosConfig(AppConfig):
    name = "portal.isos"
    label = "isos"
    verbose_name = _("ISOs")

    def ready(self):
        from django.db.models.signals import post_save

        from portal.core.sync import keep_sync_scheduled
        from portal.isos.services import _on_server_saved

        # A deleted server's CD volume is deleted and its mount forgotten.
        post_save.connect(_on_server_saved, sender="servers.Server", dispatch_uid="isos-cd")

        # One beat entry per cloud, syncing all its FTP servers. The entry's name is
        # stored data, so it is not translated.
        keep_sync_scheduled(
            self, task="portal.isos.tasks.sync_isos_on_schedule", label="Sync ISOs of %(cloud)s"
        )
