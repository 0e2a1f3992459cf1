from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.clouds import mappings, services
from portal.clouds.forms import (
    AZURE_SETTINGS,
    CREDENTIAL_FIELDS,
    GENERAL_FIELDS,
    OPTION_FIELDS,
    AzureMappingForm,
    CloudForm,
)
from portal.clouds.models import AzureMapping, Cloud
from portal.core.principals import actor_of

# Written by beat's check of the clouds (portal/clouds/health.py), read by /readyz.
CHECK_FIELDS = ["checked_at", "check_ok", "check_message"]


class AzureMappingInline(admin.TabularInline):
    """An Azure cloud's mappings, on its page."""

    model = AzureMapping
    form = AzureMappingForm
    fields = ["kind", "name", "azure_ref"]
    extra = 1


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

    def get_inlines(self, request, obj):
        """Mappings only on a saved Azure cloud's page."""
        return [AzureMappingInline] if obj is not None and obj.kind == Cloud.Kind.AZURE else []

    def save_model(self, request, obj, form, change):
        services.save_cloud(obj, form.cleaned_data, actor=actor_of(request.user))

    def save_formset(self, request, form, formset, change):
        """Mappings are saved and deleted through clouds.mappings, as the API does."""
        for mapping in formset.save(commit=False):
            mappings.save_mapping(mapping, {})
        for mapping in formset.deleted_objects:
            mappings.delete_mapping(mapping)


@admin.register(AzureMapping)
class AzureMappingAdmin(admin.ModelAdmin):
    form = AzureMappingForm
    list_display = ["name", "kind", "azure_ref", "cloud", "updated"]
    list_filter = ["cloud", "kind"]
    search_fields = ["name", "azure_ref"]
    list_select_related = ["cloud"]

    def save_model(self, request, obj, form, change):
        mappings.save_mapping(obj, {})

    def delete_model(self, request, obj):
        mappings.delete_mapping(obj)
