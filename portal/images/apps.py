from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImagesConfig(AppConfig):
    name = "portal.images"
    label = "images"
    verbose_name = _("Images")

    def ready(self):
        from portal.core.sync import keep_sync_scheduled

        # The entry's name is stored data, so it is not translated.
        keep_sync_scheduled(
            self,
            task="portal.images.tasks.sync_images_on_schedule",
            label="Sync images of %(cloud)s",
        )
