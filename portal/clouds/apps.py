from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CloudsConfig(AppConfig):
    name = "portal.clouds"
    label = "clouds"
    verbose_name = _("Clouds")
