from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "portal.tenants"
    label = "tenants"
    verbose_name = _("Tenants")

    def ready(self):
        from portal.tenants.checks import check_platform_authz

        checks.register(check_platform_authz, "deploy", deploy=True)
        # Registers the handler the stuck-task janitor calls for abandoned sign-ups.
        from portal.tenants import services  # noqa: F401
