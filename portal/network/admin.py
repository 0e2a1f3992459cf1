"""Read-only admin lists of what the network pull mirrors, with "Sync now"."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.clouds.admin_actions import sync_now_action
from portal.core.admin_base import ViewOnlyAdmin
from portal.network.models import AvailabilityZone, ComputeHost, Network, SecurityGroup

MISSING_FILTER = ("missing_since", admin.EmptyFieldListFilter)


class MirrorAdmin(ViewOnlyAdmin):
    """The cloud's objects as the network pull left them: shown, never edited here."""

    list_select_related = ["cloud"]
    actions = [sync_now_action("network.sync", _("Sync now (the clouds of the selected rows)"))]


@admin.register(Network)
class NetworkAdmin(MirrorAdmin):
    list_display = [
        "name", "backend_id", "cloud", "project_id", "shared", "external", "status",
        "missing_since",
    ]  # fmt: skip
    list_filter = ["cloud", "shared", "external", "status", MISSING_FILTER]
    search_fields = ["name", "backend_id", "project_id"]


@admin.register(SecurityGroup)
class SecurityGroupAdmin(MirrorAdmin):
    list_display = ["name", "backend_id", "cloud", "project_id", "missing_since"]
    list_filter = ["cloud", MISSING_FILTER]
    search_fields = ["name", "backend_id", "project_id"]


@admin.register(AvailabilityZone)
class AvailabilityZoneAdmin(MirrorAdmin):
    list_display = ["name", "cloud", "available", "missing_since"]
    list_filter = ["cloud", "available", MISSING_FILTER]
    search_fields = ["name"]


@admin.register(ComputeHost)
class ComputeHostAdmin(MirrorAdmin):
    list_display = ["name", "cloud", "zone", "state", "status", "disabled_reason", "missing_since"]
    list_filter = ["cloud", "state", "status", "zone", MISSING_FILTER]
    search_fields = ["name", "zone"]
