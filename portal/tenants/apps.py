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
        # Imported for its side effect: it registers (on_task_abandoned) what the stuck-task
        # janitor does when it fails a sign-up, which must be known in every process.
        from portal.tenants import provisioning  # noqa: F401
