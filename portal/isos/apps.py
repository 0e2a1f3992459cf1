from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IsosConfig(AppConfig):
    name = "portal.isos"
    label = "isos"
    verbose_name = _("Isos")
