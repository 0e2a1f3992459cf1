from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = _("Tasks and audit")

    def ready(self):
        from portal.core.checks import check_field_encryption_keys

        checks.register(check_field_encryption_keys, "deploy", deploy=True)
