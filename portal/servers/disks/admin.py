"""Cloud disks in the admin: the list (search, filters, live progress of each disk's
latest Task), "Create cloud disk", and on a disk's page its operations (extend, rename,
attach to a server, detach, delete), each a form that calls the services, as the API
does, and comes back to the disk's page where the Task's progress is followed."""

from django.contrib import admin
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal.clouds.admin_actions import sync_now_action
from portal.core.admin_base import (
    HiddenByDefaultFilter,
    ObjectToolMixin,
    ReadOnlyAdmin,
    admin_page,
    progress_bar,
)
from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.servers.disks import services
from portal.servers.disks.forms import (
    AttachDiskForm,
    ConfirmForm,
    CreateDiskForm,
    ExtendDiskForm,
    RenameDiskForm,
)
from portal.servers.disks.models import VOLUME_STATES, Volume

FORM_PAGE = "admin/servers/volume/form.html"


class DiskStatusFilter(HiddenByDefaultFilter):
    """Cinder's status; deleted disks hidden unless asked for: they are history."""

    title = _("status")
    parameter_name = "status"
    default_label = _("All but deleted")
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*VOLUME_STATES, (self.ALL, _("All, deleted ones included"))]

    def without_hidden(self, queryset):
        return queryset.live()

    def chosen(self, queryset, value):
        return queryset if value == self.ALL else queryset.filter(status=value)


def _confirmation(request):
    """Bound when posted, even empty: confirming needs nothing filled in."""
    return ConfirmForm(request.POST if request.method == "POST" else None)


@admin.register(Volume)
class VolumeAdmin(ObjectToolMixin, ReadOnlyAdmin):
    object_tool = ("admin:servers_volume_create", _("Create cloud disk"))
    list_display = [
        "__str__", "tenant", "cloud", "size_gb", "status", "attached_server", "device",
        "progress", "origin", "created",
    ]  # fmt: skip
    list_filter = [DiskStatusFilter, "origin", "cloud", "volume_type"]
    search_fields = [
        "name", "volume_id", "backend_id", "tenant__tenant_id", "tenant__name", "server__name",
        "server__instance_id",
    ]  # fmt: skip
    list_select_related = ["tenant", "cloud", "server", "current_task"]
    fields = [
        "operations", "progress", "volume_id", "backend_id", "name", "description", "tenant",
        "cloud", "availability_zone", "size_gb", "volume_type", "status", "status_message",
        "attached_server", "device", "attached_at", "origin", "locked", "created", "updated",
        "synced_at",
    ]  # fmt: skip
    readonly_fields = fields
    actions = [sync_now_action("servers.sync", _("Sync now (the selected disks' clouds)"))]

    @admin.display(description=_("size"), ordering="size")
    def size_gb(self, volume):
        return _("%(size)d GB") % {"size": volume.size}

    @admin.display(description=_("attached to"), ordering="server__name")
    def attached_server(self, volume):
        if volume.server is None:
            return "-"
        url = reverse("admin:servers_server_change", args=[volume.server.pk])
        return format_html('<a href="{}">{}</a>', url, volume.server.name)

    @admin.display(description=_("progress"))
    def progress(self, volume):
        return progress_bar(volume.current_task)

    @admin.display(description=_("operations"))
    def operations(self, volume):
        """Buttons to what the disk's state allows now (the services check again)."""
        if volume.locked or volume.status == Volume.DELETED:
            return "-"
        offered = [("rename", _("Rename…"))]
        if volume.status in services.OPERABLE:
            offered.append(("extend", _("Extend…")))
        if volume.status == Volume.AVAILABLE and not volume.is_attached:
            offered += [("attach", _("Attach to server…")), ("delete", _("Delete…"))]
        if volume.server is not None:
            offered.append(("detach", _("Detach…")))
        if volume.status in services.DELETABLE and volume.status != Volume.AVAILABLE:
            offered.append(("delete", _("Delete…")))
        return format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            ((reverse(f"admin:servers_volume_{name}", args=[volume.pk]), label)
             for name, label in offered),
        )  # fmt: skip

    # ---- the pages of the operations ------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        pages = [
            path("create/", view(self.create_view), name="servers_volume_create"),
            *(
                path(f"<int:pk>/{name}/", view(getattr(self, f"{name}_view")),
                     name=f"servers_volume_{name}")
                for name in ("extend", "rename", "attach", "detach", "delete")
            ),
        ]  # fmt: skip
        return [*pages, *super().get_urls()]

    def create_view(self, request):
        form = CreateDiskForm(request.POST or None)

        def act(data):
            volume, _task = services.create_disk(
                data["tenant"], data["cloud"], name=data["volume_name"],
                description=data["volume_desc"], size=data["size_in_g"],
                volume_type=data["volume_type"], availability_zone=data["availability_zone"],
                actor=actor_of(request.user),
            )  # fmt: skip
            return volume

        return self._form_page(request, form, _("Create cloud disk"), _("Create"), act)

    def extend_view(self, request, pk):
        volume = get_object_or_404(Volume, pk=pk)
        form = ExtendDiskForm(volume, request.POST or None)
        return self._form_page(
            request, form, _("Extend %(disk)s") % {"disk": volume}, _("Extend"),
            lambda data: services.extend_disk(
                volume, data["size_in_g"], actor=actor_of(request.user)
            )[0],
        )  # fmt: skip

    def rename_view(self, request, pk):
        volume = get_object_or_404(Volume, pk=pk)
        initial = {"volume_name": volume.name, "volume_desc": volume.description}
        form = RenameDiskForm(request.POST or None, initial=initial)
        return self._form_page(
            request, form, _("Rename %(disk)s") % {"disk": volume}, _("Save"),
            lambda data: services.update_disk(
                volume, name=data["volume_name"], description=data["volume_desc"],
                actor=actor_of(request.user),
            )[0],
        )  # fmt: skip

    def attach_view(self, request, pk):
        volume = get_object_or_404(Volume, pk=pk)
        form = AttachDiskForm(volume, request.POST or None)
        return self._form_page(
            request, form, _("Attach %(disk)s to a server") % {"disk": volume}, _("Attach"),
            lambda data: services.attach_disk(
                volume, data["server"], actor=actor_of(request.user)
            )[0],
        )  # fmt: skip

    def detach_view(self, request, pk):
        volume = get_object_or_404(Volume.objects.select_related("server"), pk=pk)
        title = _("Detach %(disk)s from %(server)s?") % {"disk": volume, "server": volume.server}
        return self._form_page(
            request, _confirmation(request), title, _("Detach"),
            lambda data: services.detach_disk(
                volume, volume.server, actor=actor_of(request.user)
            )[0],
        )  # fmt: skip

    def delete_view(self, request, pk):
        volume = get_object_or_404(Volume, pk=pk)
        title = _("Delete %(disk)s? Its data is lost.") % {"disk": volume}
        return self._form_page(
            request, _confirmation(request), title, _("Delete"),
            lambda data: services.delete_disk(volume, actor=actor_of(request.user))[0],
        )  # fmt: skip

    def _form_page(self, request, form, title, submit, act):
        """Posted valid, `act(cleaned_data)` queues the work and returns the disk, whose
        page then shows the Task's progress; a refusal shows on the form."""
        if request.method == "POST" and form.is_valid():
            try:
                volume = act(form.cleaned_data)
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, _("Queued; the progress is shown here."))
                return redirect("admin:servers_volume_change", volume.pk)
        return admin_page(self, request, FORM_PAGE, title, form=form, submit=submit)
