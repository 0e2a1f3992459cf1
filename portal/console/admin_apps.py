"""The admin app with the portal's site (INSTALLED_APPS names this instead of
django.contrib.admin). A module of its own: apps.py may hold only the core's AppConfig."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "portal.console.admin_site.PortalAdminSite"
