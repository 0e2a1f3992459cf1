from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.clouds import services
from portal.clouds.forms import CloudForm
from portal.clouds.models import Cloud


@admin.register(Cloud)
class CloudAdmin(admin.ModelAdmin):
    form = CloudForm
    list_display = ["name", "kind", "region", "auth_url", "enabled", "is_default"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "region", "auth_url"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "region", "enabled", "is_default"]}),
        (
            _("Admin credentials"),
            {
                "fields": (
                    "auth_url",
                    "username",
                    "password",
                    "project_name",
                    "user_domain_name",
                    "project_domain_name",
                    "region_name",
                    "verify_tls",
                )
            },
        ),
        (_("Driver options"), {"fields": ["options"], "classes": ["collapse"]}),
    ]

    def save_model(self, request, obj, form, change):
        services.save_cloud(obj, form.cleaned_data)
