"""The CD drive in the admin: the ISO mounts list (live progress, "Unmount") and "Mount on
server…" on the ISO list and on an ISO's page.

The ISOs app's admin knows nothing of servers (a layer above): the ISO admin is
registered again here, as a subclass with mounting added (same URLs, same names).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.core.admin_base import admin_page, progress_bar
from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.isos.admin import IsoAdmin
from portal.isos.models import Iso
from portal.servers.cdrom import services
from portal.servers.cdrom.forms import MountForm
from portal.servers.cdrom.models import IsoMount

admin.site.unregister(Iso)


@admin.register(Iso)
class MountableIsoAdmin(IsoAdmin):
    """The ISO admin with "Mount on server…": an action of the list and a button by the
    servers it is mounted on, both leading to the choice of a server (mount_view)."""

    fields = ["mounting" if name == "mounted_on" else name for name in IsoAdmin.fields]
    readonly_fields = fields[4:]
    # After "enable" and "disable", as the ISOs app listed it.
    actions = [*IsoAdmin.actions[:2], "mount_on_server", *IsoAdmin.actions[2:]]

    @admin.display(description=_("mounted on"))
    def mounting(self, iso):
        """The servers it is mounted on, and the way to mount it on another."""
        if not iso.pk:
            return "-"
        link = format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:isos_iso_mount", args=[iso.pk]),
            _("Mount on server…"),
        )
        return format_html("{} {}", self.mounted_on(iso), link)

    def get_urls(self):
        mount = self.admin_site.admin_view(self.mount_view)
        return [path("<int:iso_pk>/mount/", mount, name="isos_iso_mount"), *super().get_urls()]

    def mount_view(self, request, iso_pk):
        """ "Mount on server…": choose the server, then the mount runs as a Task (followed
        on the ISO mounts page)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        iso = get_object_or_404(Iso, pk=iso_pk)
        form = MountForm(iso, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.mount_iso(form.cleaned_data["server"], iso, actor=actor_of(request.user))
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                message = _("Mounting %(iso)s on %(server)s; the progress is shown here.")
                self.message_user(
                    request,
                    message % {"iso": iso, "server": form.cleaned_data["server"]},
                    messages.SUCCESS,
                )
                return redirect("admin:servers_isomount_changelist")
        title = _("Mount %(iso)s on a server") % {"iso": iso}
        page = "admin/servers/isomount/mount.html"
        return admin_page(self, request, page, title, form=form, submit=_("Mount"))

    @admin.action(description=_("Mount on server…"), permissions=["change"])
    def mount_on_server(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one ISO to mount."), messages.WARNING)
            return None
        return redirect("admin:isos_iso_mount", iso_pk=queryset.get().pk)


@admin.register(IsoMount)
class IsoMountAdmin(admin.ModelAdmin):
    """Which ISO is in which server's CD drive, with the live progress of the latest
    mount or unmount. Made by "Mount on server…" on the ISOs; removed by "Unmount"."""

    list_display = [
        "server", "iso", "status", "progress", "device", "volume_id", "mounted_by",
        "attached_at", "status_message",
    ]  # fmt: skip
    list_filter = ["status", "server__cloud"]
    search_fields = ["server__name", "server__instance_id", "iso__iso_name", "volume_id"]
    list_select_related = ["server", "iso", "task"]
    readonly_fields = [
        "server", "iso", "status", "status_message", "device", "volume_id", "image_id",
        "mounted_by", "attached_at", "task", "created", "updated",
    ]  # fmt: skip
    fields = readonly_fields
    actions = ["unmount"]

    @admin.display(description=_("progress"))
    def progress(self, mount):
        return progress_bar(mount.task)

    def has_add_permission(self, request):
        return False  # mounted from the ISO list ("Mount on server…")

    def has_delete_permission(self, request, obj=None):
        return False  # the unmount action detaches and deletes the cloud volume first

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Unmount the selected ISOs"))
    def unmount(self, request, queryset):
        for mount in queryset.select_related("server"):
            try:
                services.unmount_iso(mount.server, actor=actor_of(request.user))
            except PortalError as exc:
                self.message_user(request, f"{mount}: {exc.message}", messages.ERROR)
            else:
                message = _("%(mount)s: unmounting; the progress is shown in the list.")
                self.message_user(request, message % {"mount": mount}, messages.SUCCESS)
