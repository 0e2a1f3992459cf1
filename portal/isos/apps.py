from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IsosConfig(AppConfig):
    name = "portal.isos"
    label = "isos"
    verbose_name = _("ISOs")

    def ready(self):
        from portal.core.sync import keep_sync_scheduled

        # One beat entry per cloud, syncing all its FTP servers. The entry's name is
        # stored data, so it is not translated.
        keep_sync_scheduled(
            self, task="portal.isos.tasks.sync_isos_on_schedule", label="Sync ISOs of %(cloud)s"
        )
