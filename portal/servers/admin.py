from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.clouds.models import Cloud
from portal.core.principals import actor_of
from portal.servers import services
from portal.servers.models import Flavor

# Mirrored from the cloud: the admin shows them, the flavor pull writes them.
CLOUD_FIELDS = [
    "cloud", "backend_id", "name", "vcpus", "ram", "disk", "is_public", "extra_specs",
    "shared_with", "missing_since", "synced_at", "created", "updated",
]  # fmt: skip


@admin.register(Flavor)
class FlavorAdmin(admin.ModelAdmin):
    list_display = [
        "name", "backend_id", "cloud", "vcpus", "ram", "disk", "is_public", "enabled",
        "missing_since",
    ]  # fmt: skip
    list_filter = [
        "cloud", "enabled", "is_public", ("missing_since", admin.EmptyFieldListFilter),
    ]  # fmt: skip
    search_fields = ["name", "backend_id"]
    list_select_related = ["cloud"]
    readonly_fields = CLOUD_FIELDS
    fields = ["enabled", *CLOUD_FIELDS]
    actions = ["enable", "disable", "sync_now"]

    # Flavors come from the clouds and may be referenced by servers: never made or
    # deleted here (a vanished one is marked missing by the pull).
    def save_model(self, request, obj, form, change):
        # The form edits only the portal's flag: one code path with the API and actions.
        services.set_flavor_enabled(obj, form.cleaned_data["enabled"])

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Enable the selected flavors"), permissions=["change"])
    def enable(self, request, queryset):
        count = services.set_flavors_enabled(queryset, True)
        self.message_user(request, _("Flavors enabled: %(count)d.") % {"count": count})

    @admin.action(description=_("Disable the selected flavors"), permissions=["change"])
    def disable(self, request, queryset):
        count = services.set_flavors_enabled(queryset, False)
        self.message_user(request, _("Flavors disabled: %(count)d.") % {"count": count})

    @admin.action(description=_("Sync now (the clouds of the selected flavors)"))
    def sync_now(self, request, queryset):
        clouds = Cloud.objects.filter(pk__in=queryset.values("cloud"), enabled=True)
        for cloud in clouds:
            services.request_flavor_sync(cloud=cloud, actor=actor_of(request.user))
        message = ngettext(
            "A flavor sync of %(count)d cloud was queued; see Tasks for its progress.",
            "Flavor syncs of %(count)d clouds were queued; see Tasks for their progress.",
            len(clouds),
        )
        self.message_user(request, message % {"count": len(clouds)}, messages.SUCCESS)
