from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharesConfig(AppConfig):
    name = "portal.shares"
    label = "shares"
    verbose_name = _("NAS shares")

    def ready(self):
        from portal.clouds.sync import SyncKind, register_sync
        from portal.shares import locking  # noqa: F401  (the janitor's handlers)
        from portal.shares.models import Share

        def has_shares(cloud) -> bool:
            """The sync refreshes the portal's shares only: a cloud without any (perhaps
            without Manila at all) has nothing to pull."""
            return Share.objects.filter(cloud=cloud, status=Share.Status.READY).exists()

        register_sync(
            self,
            SyncKind(
                kind="shares.sync",
                job="portal.shares.tasks.sync_shares",
                label="Sync NAS shares of %(cloud)s",
                verbose_name=_("NAS share sync"),
                applies_to=has_shares,
            ),
        )
