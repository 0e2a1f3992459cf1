from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.clouds.models import Cloud
from portal.core.principals import actor_of
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
    actions = ["test_connection", "sync_isos"]
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

    @admin.action(description=_("Sync ISOs now (the clouds of the selected servers)"))
    def sync_isos(self, request, queryset):
        queue_iso_syncs(self, request, queryset.values("cloud"))


def queue_iso_syncs(model_admin, request, cloud_ids):
    clouds = Cloud.objects.filter(pk__in=cloud_ids, enabled=True)
    for cloud in clouds:
        services.request_iso_sync(cloud=cloud, actor=actor_of(request.user))
    message = ngettext(
        "An ISO sync of %(count)d cloud was queued; see Tasks for its progress.",
        "ISO syncs of %(count)d clouds were queued; see Tasks for their progress.",
        len(clouds),
    )
    model_admin.message_user(request, message % {"count": len(clouds)}, messages.SUCCESS)
