from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.clouds.admin_actions import sync_now_action
from portal.core.admin_base import admin_page, progress_bar
from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.isos import ftp_servers, services
from portal.isos.forms import FtpServerForm, MountForm
from portal.isos.models import FtpServer, Iso, IsoMount


@admin.register(FtpServer)
class FtpServerAdmin(admin.ModelAdmin):
    form = FtpServerForm
    list_display = ["name", "cloud", "host", "port", "base_dir", "use_tls", "ssh_host"]
    list_filter = ["cloud", "use_tls"]
    search_fields = ["name", "host", "ssh_host"]
    list_select_related = ["cloud"]
    actions = [
        "test_connection",
        sync_now_action("isos.sync", _("Sync ISOs now (the clouds of the selected servers)")),
    ]
    fieldsets = [
        (None, {"fields": ["name", "cloud"]}),
        (
            _("FTP"),
            {"fields": ["host", "port", "username", "password", "base_dir", "passive", "use_tls"]},
        ),
        (
            _("SSH to the storage host (optional: listing and checksums)"),
            {
                "fields": [
                    "ssh_host",
                    "ssh_port",
                    "ssh_username",
                    "ssh_password",
                    "ssh_private_key",
                    "ssh_host_key",
                    "ssh_base_dir",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        ftp_servers.save_ftp_server(obj, form.cleaned_data)

    def delete_model(self, request, obj):
        ftp_servers.delete_ftp_server(obj)

    @admin.action(description=_("Test the connection"))
    def test_connection(self, request, queryset):
        for server in queryset:
            check = ftp_servers.test_connection(server)
            level = messages.SUCCESS if check.ok else messages.ERROR
            self.message_user(request, f"{server.name}: {check.message}", level)


class IsoUploadForm(forms.Form):
    """The metadata of POST /api/v1/isos; the page's script sends it and then the file."""

    ftp_server_id = forms.ModelChoiceField(
        FtpServer.objects.select_related("cloud"), label=_("FTP server")
    )
    iso_name = forms.CharField(label=_("name"), max_length=255)
    iso_desc = forms.CharField(label=_("description"), required=False, widget=forms.Textarea)
    os_type = forms.CharField(label=_("OS type"), max_length=50, required=False)
    file = forms.FileField(
        label=_("ISO file"), help_text=_("An ISO 9660 or UDF image; anything else is refused.")
    )


@admin.register(Iso)
class IsoAdmin(admin.ModelAdmin):
    list_display = [
        "iso_name", "file_name", "ftp_server", "size", "os_type", "origin", "status",
        "enabled", "mounted_on", "missing_since",
    ]  # fmt: skip
    list_filter = [
        "ftp_server", "enabled", "origin", "status", "os_type",
        ("missing_since", admin.EmptyFieldListFilter),
    ]  # fmt: skip
    search_fields = ["iso_name", "file_name", "iso_id", "os_type"]
    list_select_related = ["ftp_server", "cloud"]
    fields = [
        "iso_name", "iso_desc", "os_type", "enabled", "iso_id", "ftp_server", "file_name",
        "size", "checksum", "mtime", "origin", "status", "mounting", "uploaded_by",
        "missing_since", "synced_at", "created", "updated",
    ]  # fmt: skip
    readonly_fields = fields[4:]
    actions = [
        "enable",
        "disable",
        "mount_on_server",
        sync_now_action("isos.sync", _("Sync now (the clouds of the selected ISOs)")),
        "delete_isos",
    ]

    def get_queryset(self, request):
        return services.with_mounts(super().get_queryset(request))

    @admin.display(description=_("mounted on"))
    def mounted_on(self, iso):
        return ", ".join(services.servers_mounting(iso)) or "-"

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
        upload = self.admin_site.admin_view(self.upload_view)
        mount = self.admin_site.admin_view(self.mount_view)
        return [
            path("upload/", upload, name="isos_iso_upload"),
            path("<int:iso_pk>/mount/", mount, name="isos_iso_mount"),
            *super().get_urls(),
        ]

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
                return redirect("admin:isos_isomount_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Mount %(iso)s on a server") % {"iso": iso},
            "iso": iso,
            "form": form,
        }
        return TemplateResponse(request, "admin/isos/mount.html", context)

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:isos_iso_upload")  # ISOs are made by uploading one

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return admin_page(
            self, request, "admin/isos/upload.html", _("Upload an ISO"),
            form=IsoUploadForm(), api_url="/api/v1/isos",
        )  # fmt: skip

    def save_model(self, request, obj, form, change):
        # One code path with the API: the portal's fields and the flag through services.
        services.update_iso(obj, form.cleaned_data)
        services.set_iso_enabled(obj, form.cleaned_data["enabled"])

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletion goes through the FTP server
        return actions

    def has_delete_permission(self, request, obj=None):
        return False  # the delete_isos action checks and queues it instead

    @admin.action(description=_("Enable the selected ISOs"), permissions=["change"])
    def enable(self, request, queryset):
        count = services.set_isos_enabled(queryset, True)
        self.message_user(request, _("ISOs enabled: %(count)d.") % {"count": count})

    @admin.action(description=_("Disable the selected ISOs"), permissions=["change"])
    def disable(self, request, queryset):
        count = services.set_isos_enabled(queryset, False)
        self.message_user(request, _("ISOs disabled: %(count)d.") % {"count": count})

    @admin.action(description=_("Mount on server…"), permissions=["change"])
    def mount_on_server(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one ISO to mount."), messages.WARNING)
            return None
        return redirect("admin:isos_iso_mount", iso_pk=queryset.get().pk)

    @admin.action(description=_("Delete the selected ISOs (from the FTP server too)"))
    def delete_isos(self, request, queryset):
        for iso in queryset:
            try:
                services.request_iso_deletion(iso, actor=actor_of(request.user))
            except PortalError as exc:
                self.message_user(request, f"{iso}: {exc.message}", messages.ERROR)
            else:
                message = _("%(iso)s: deletion queued; see Tasks for its progress.")
                self.message_user(request, message % {"iso": iso}, messages.SUCCESS)


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
