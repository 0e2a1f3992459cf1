from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from portal.isos import services
from portal.isos.forms import FtpServerForm
from portal.isos.models import FtpServer


@admin.register(FtpServer)
class FtpServerAdmin(admin.ModelAdmin):
    form = FtpServerForm
    list_display = ["name", "cloud", "host", "port", "base_dir", "use_tls", "ssh_host"]
    list_filter = ["cloud", "use_tls"]
    search_fields = ["name", "host", "ssh_host"]
    list_select_related = ["cloud"]
    actions = ["test_connection"]
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
        services.save_ftp_server(obj, form.cleaned_data)

    def delete_model(self, request, obj):
        services.delete_ftp_server(obj)

    @admin.action(description=_("Test the connection"))
    def test_connection(self, request, queryset):
        for server in queryset:
            check = services.test_connection(server)
            level = messages.SUCCESS if check.ok else messages.ERROR
            self.message_user(request, f"{server.name}: {check.message}", level)
