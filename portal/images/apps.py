from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImagesConfig(AppConfig):
    name = "portal.images"
    label = "images"
    verbose_name = _("Images")

    def ready(self):
        from portal.clouds.sync import SyncKind, register_sync

        register_sync(
            self,
            SyncKind(
                kind="images.sync",
                job="portal.images.tasks.sync_images",
                label="Sync images of %(cloud)s",
                verbose_name=_("Image sync"),
            ),
        )
