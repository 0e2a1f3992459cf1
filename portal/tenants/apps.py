from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "portal.tenants"
    label = "tenants"
    verbose_name = _("Tenants")

    def ready(self):
        from portal.core.checks import warn_when_unset

        warn_when_unset(
            "PLATFORM_AUTHZ_URL",
            "PLATFORM_AUTHZ_URL is not set: the platform is never asked whether a platform "
            "user may act on a resource, so every tenant user may act on all of its "
            "tenant's resources.",
            hint="Set PLATFORM_AUTHZ_URL to the platform's permission endpoint.",
            id="tenants.W001",
        )
        # Imported for its side effect: it registers (on_task_abandoned) what the stuck-task
        # janitor does when it fails a sign-up, which must be known in every process.
        # A cloud that starts serving gets every tenant set up in it.
        from portal.clouds.services import cloud_opened
        from portal.tenants import provisioning  # noqa: F401
        from portal.tenants.regions import on_cloud_opened

        cloud_opened.connect(on_cloud_opened, dispatch_uid="tenants:set-up-in-opened-cloud")
