from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.clouds.models import Cloud
from portal.core.admin_base import ReadOnlyAdmin, progress_bar
from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.servers import services, state_sync
from portal.servers.models import Flavor, Server

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
        count = _sync_clouds_of(queryset, request, services.request_flavor_sync)
        message = ngettext(
            "A flavor sync of %(count)d cloud was queued; see Tasks for its progress.",
            "Flavor syncs of %(count)d clouds were queued; see Tasks for their progress.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


def _sync_clouds_of(queryset, request, request_sync) -> int:
    """Queue `request_sync` for the enabled clouds of the selected rows; how many."""
    clouds = Cloud.objects.filter(pk__in=queryset.values("cloud"), enabled=True)
    for cloud in clouds:
        request_sync(cloud=cloud, actor=actor_of(request.user))
    return len(clouds)


STATUS_COLOURS = {
    Server.Status.CREATING: "#1f6feb",
    Server.Status.READY: "#2da44e",
    Server.Status.RESIZING: "#bf8700",
    Server.Status.DELETING: "#bf8700",
    Server.Status.DELETED: "#6e7781",
    Server.Status.FAILED: "#cf222e",
}


@admin.register(Server)
class ServerAdmin(ReadOnlyAdmin):
    """Servers: read from the database; every action goes through the services, as the
    API's do (one code path), and shows up as a Task with its progress."""

    list_display = [
        "name", "instance_id", "tenant", "status_badge", "runtime_state", "flavor_name",
        "instance_addr", "cloud", "created", "task_progress",
    ]  # fmt: skip
    list_filter = ["status", "runtime_state", "origin", "cloud", "flavor_name"]
    search_fields = ["name", "instance_id", "backend_id", "tenant__tenant_id"]
    list_select_related = ["cloud", "tenant", "current_task"]
    readonly_fields = ["task_history"]
    actions = ["start", "stop", "reboot", "delete_servers", "sync_now"]

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, server):
        colour = STATUS_COLOURS.get(server.status, "#6e7781")
        return format_html(
            '<span style="background:{};color:#fff;padding:1px 6px;border-radius:8px">{}</span>',
            colour,
            server.get_status_display(),
        )

    @admin.display(description=_("latest task"))
    def task_progress(self, server):
        return progress_bar(server.current_task) if server.current_task else "-"

    @admin.display(description=_("tasks"))
    def task_history(self, server):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (task.created, task.kind, progress_bar(task), task.message)
                for task in services.tasks_of(server)[:50]
            ),
        )
        return format_html("<table>{}</table>", rows)

    def _operate(self, request, queryset, operate_type):
        for server in queryset:
            try:
                services.operate_server(
                    server, operate_type, actor=actor_of(request.user), operator=True
                )
            except PortalError as exc:
                self.message_user(request, f"{server.name}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(name)s: %(op)s queued; see its task.")
                    % {"name": server.name, "op": operate_type},
                )

    @admin.action(description=_("Start the selected servers"))
    def start(self, request, queryset):
        self._operate(request, queryset, "start")

    @admin.action(description=_("Stop the selected servers"))
    def stop(self, request, queryset):
        self._operate(request, queryset, "stop")

    @admin.action(description=_("Reboot the selected servers"))
    def reboot(self, request, queryset):
        self._operate(request, queryset, "softreboot")

    @admin.action(description=_("Delete the selected servers (data disks are kept)"))
    def delete_servers(self, request, queryset):
        for server in queryset:
            try:
                services.delete_server(server, actor=actor_of(request.user))
            except PortalError as exc:
                self.message_user(request, f"{server.name}: {exc.message}", messages.ERROR)

    @admin.action(description=_("Sync now (the state of the selected servers' clouds)"))
    def sync_now(self, request, queryset):
        count = _sync_clouds_of(queryset, request, state_sync.request_server_sync)
        message = ngettext(
            "A state sync of %(count)d cloud was queued; see Tasks for its progress.",
            "State syncs of %(count)d clouds were queued; see Tasks for their progress.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
