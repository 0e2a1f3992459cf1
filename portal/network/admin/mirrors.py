"""Read-only admin lists of what the network pull mirrors, with "Sync now"; security groups
have their own admin (security_groups/admin.py), where they are also made and changed."""

from django.contrib import admin
from django.db.models import F
from django.db.models.functions import NullIf
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from portal.clouds.admin_actions import sync_now_action
from portal.core.admin_base import ViewOnlyAdmin
from portal.core.bars import usage_bar
from portal.network.capacity import RESOURCES
from portal.network.models import AvailabilityZone, ComputeHost, Network

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


@admin.register(AvailabilityZone)
class AvailabilityZoneAdmin(MirrorAdmin):
    list_display = ["name", "cloud", "available", "missing_since"]
    list_filter = ["cloud", "available", MISSING_FILTER]
    search_fields = ["name"]


def usage_column(total, used, label, unit):
    """A list column drawing `used` against `total` as a bar, sorted by how full it is."""

    @admin.display(description=label, ordering=f"{used}_share")
    def column(model_admin, host):
        bar = usage_bar(getattr(host, total), getattr(host, used), label, unit)
        return render_to_string("admin/portal/usage_bar.html", {"bar": bar})

    return column


@admin.register(ComputeHost)
class ComputeHostAdmin(MirrorAdmin):
    list_display = [
        "name", "cloud", "zone", "state", "status", "servers", "vcpus_usage", "memory_usage",
        "disk_usage", "disabled_reason", "missing_since",
    ]  # fmt: skip
    list_filter = ["cloud", "state", "status", "zone", MISSING_FILTER]
    search_fields = ["name", "zone"]
    vcpus_usage, memory_usage, disk_usage = (usage_column(*resource) for resource in RESOURCES)

    def get_queryset(self, request):
        # Each bar sorts by the share used (none for a host without that capacity).
        shares = {
            f"{used}_share": F(used) * 1.0 / NullIf(F(total), 0)
            for total, used, _label, _unit in RESOURCES
        }
        return super().get_queryset(request).annotate(**shares)


# Floating IPs have their own admin module (registered when imported).
from portal.network.floating_ips import admin as floating_ip_admin  # noqa: E402, F401
