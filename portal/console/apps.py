from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The top of the portal: what spans every app (the admin site with its dashboard, the
    demo data). It may import any app; no app imports it."""

    name = "portal.console"
    label = "console"
    verbose_name = _("Console")
