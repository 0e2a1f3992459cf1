from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectStorageConfig(AppConfig):
    name = "portal.objectstorage"
    label = "objectstorage"
    verbose_name = _("object storage")

    def ready(self):
        from portal.clouds.sync import SyncKind, register_sync
        from portal.objectstorage import locking  # noqa: F401  (the janitor's handlers)
        from portal.objectstorage.models import OssUser

        def has_oss_users(cloud) -> bool:
            """Only the portal's S3 users are pulled: a region without any has none."""
            return OssUser.objects.filter(
                store__cloud=cloud, store__enabled=True, status=OssUser.Status.READY
            ).exists()

        register_sync(
            self,
            SyncKind(
                kind="objectstorage.sync",
                job="portal.objectstorage.tasks.sync_object_storage",
                label="Sync S3 users and buckets of %(cloud)s",
                verbose_name=_("object storage sync"),
                # usage changes with every write: read it more often than the rest
                minutes=2,
                applies_to=has_oss_users,
            ),
        )
