from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.clouds.admin_actions import set_enabled_action, sync_now_action
from portal.core.admin_base import act_on_each, admin_page
from portal.core.flags import set_row_enabled
from portal.core.principals import actor_of
from portal.isos import ftp_servers, services
from portal.isos.forms import FtpServerForm
from portal.isos.models import FtpServer, Iso


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
        "size", "checksum", "mtime", "origin", "status", "mounted_on", "uploaded_by",
        "missing_since", "synced_at", "created", "updated",
    ]  # fmt: skip
    readonly_fields = fields[4:]
    actions = [
        set_enabled_action(True, _("Enable the selected ISOs"), _("ISOs enabled: %(count)d.")),
        set_enabled_action(False, _("Disable the selected ISOs"), _("ISOs disabled: %(count)d.")),
        sync_now_action("isos.sync", _("Sync now (the clouds of the selected ISOs)")),
        "delete_isos",
    ]

    def get_queryset(self, request):
        return services.with_mounts(super().get_queryset(request))

    @admin.display(description=_("mounted on"))
    def mounted_on(self, iso):
        return ", ".join(services.servers_mounting(iso)) or "-"

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_view)
        return [path("upload/", upload, name="isos_iso_upload"), *super().get_urls()]

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
        set_row_enabled(obj, form.cleaned_data["enabled"])

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletion goes through the FTP server
        return actions

    def has_delete_permission(self, request, obj=None):
        return False  # the delete_isos action checks and queues it instead

    @admin.action(description=_("Delete the selected ISOs (from the FTP server too)"))
    def delete_isos(self, request, queryset):
        actor = actor_of(request.user)
        message = _("%(iso)s: deletion queued; see Tasks for its progress.")
        act_on_each(
            self, request, queryset,
            lambda iso: services.request_iso_deletion(iso, actor=actor),
            done=lambda iso: self.message_user(request, message % {"iso": iso}, messages.SUCCESS),
        )  # fmt: skip
