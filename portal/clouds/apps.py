from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CloudsConfig(AppConfig):
    name = "portal.clouds"
    label = "clouds"
    verbose_name = _("Clouds")

    def ready(self):
        from portal.clouds.health import clouds_ready
        from portal.core.probes import register_readiness_check

        register_readiness_check("clouds", clouds_ready)
