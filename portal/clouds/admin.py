from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.clouds import services
from portal.clouds.forms import (
    AZURE_SETTINGS,
    CREDENTIAL_FIELDS,
    GENERAL_FIELDS,
    OPTION_FIELDS,
    CloudForm,
)
from portal.clouds.models import Cloud
from portal.core.principals import actor_of

# Written by beat's check of the clouds (portal/clouds/health.py), read by /readyz.
CHECK_FIELDS = ["checked_at", "check_ok", "check_message"]


@admin.register(Cloud)
class CloudAdmin(admin.ModelAdmin):
    form = CloudForm
    list_display = ["name", "kind", "region", "auth_url", "enabled", "is_default", "check_ok"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "region", "auth_url"]
    fieldsets = [
        (None, {"fields": GENERAL_FIELDS}),
        (_("Admin credentials"), {"fields": CREDENTIAL_FIELDS}),
        (_("Azure subscription and service principal"), {"fields": AZURE_SETTINGS}),
        (_("Driver options"), {"fields": OPTION_FIELDS, "classes": ["collapse"]}),
        (_("Last check"), {"fields": CHECK_FIELDS}),
    ]
    readonly_fields = CHECK_FIELDS

    def save_model(self, request, obj, form, change):
        services.save_cloud(obj, form.cleaned_data, actor=actor_of(request.user))
