"""The portal's admin site: Django's, with the dashboard as its index and the navigation
grouped by area in the order an operator works (clouds first, tasks and audit last)."""

from django.contrib import admin

from portal.console import dashboard

# App labels in navigation order; apps not named here (users, periodic tasks) follow.
AREAS = [
    "clouds", "tenants", "images", "isos", "servers", "network", "shares", "objectstorage",
    "webhooks", "core",
]  # fmt: skip


def area_rank(app_label):
    return AREAS.index(app_label) if app_label in AREAS else len(AREAS)


class PortalAdminSite(admin.AdminSite):
    index_template = "admin/dashboard.html"

    def get_app_list(self, request, app_label=None):
        # Django sorts apps by name; a stable sort by area keeps that order for the rest.
        apps = super().get_app_list(request, app_label)
        return sorted(apps, key=lambda app: area_rank(app["app_label"]))

    def index(self, request, extra_context=None):
        context = {**(extra_context or {}), "dashboard": dashboard.summary()}
        return super().index(request, context)
