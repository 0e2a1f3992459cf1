"""Tenants in the admin UI. Sign-up and key changes go through signup.py and keys.py, as in
the API."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from portal.core.admin_base import progress_bar
from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.tenants import keys, regions, signup
from portal.tenants.models import (
    PROVISION_TASK_KIND,
    TENANT_NAME_MAX_LENGTH,
    PlatformAPIKey,
    Tenant,
    TenantAPIKey,
    TenantIdentity,
    TenantQuota,
)


class ReadOnlyInline(admin.TabularInline):
    """Shows rows made by the services; nothing is added, changed or deleted here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TenantIdentityInline(ReadOnlyInline):
    model = TenantIdentity
    # Never the password: it is shown nowhere, not even to staff.
    fields = readonly_fields = (
        "cloud",
        "state",
        "state_message",
        "failures",
        "domain_name",
        "domain_id",
        "project_name",
        "project_id",
        "username",
        "user_id",
        "role_name",
        "role_id",
        "role_assigned",
        "member_role_id",
    )


class TenantAPIKeyInline(ReadOnlyInline):
    model = TenantAPIKey
    fields = readonly_fields = ("prefix", "name", "created", "revoked", "expiry_date")


class TenantQuotaInline(admin.StackedInline):
    model = TenantQuota
    fields = TenantQuota.RESOURCES
    can_delete = False


class TenantAddForm(forms.ModelForm):
    """Only a name: the id, key and cloud identity come from signup.register_tenant."""

    name = forms.CharField(label=_("name"), max_length=TENANT_NAME_MAX_LENGTH)

    class Meta:
        model = Tenant
        fields = ["name"]

    def clean_name(self):
        # The service's own checks, run early so a mistake shows on the form.
        try:
            name = signup.clean_tenant_name(self.cleaned_data["name"])
            signup.ensure_name_available(name)
            signup.provisioning_clouds()
        except PortalError as exc:
            raise ValidationError(exc.message) from exc
        return name


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("tenant_id", "name", "status", "created")
    list_filter = ("status",)
    search_fields = ("tenant_id", "name")
    readonly_fields = ("tenant_id", "status", "status_message", "setup", "created", "updated")
    fields = ("tenant_id", "name", "status", "status_message", "setup", "created", "updated")
    inlines = (TenantIdentityInline, TenantAPIKeyInline, TenantQuotaInline)
    actions = ("rotate_key", "revoke_keys", "retry_setup")

    def has_delete_permission(self, request, obj=None):
        # Deleting the row would leave the tenant's domain, servers and volumes in the
        # cloud with nothing pointing at them; there is no tenant deletion service yet.
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = TenantAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("name",) if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return () if obj is None else self.inlines

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except PortalError as exc:
            # Raised by register_tenant after the form was valid (a concurrent sign-up took
            # the name): the admin's transaction has rolled back; say why and start over.
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The form checked the name; only a sign-up racing this one can still fail here
        # (see add_view).
        tenant, key, _task = signup.register_tenant(obj.name, actor=actor_of(request.user))
        obj.tenant_id = tenant.tenant_id
        obj.refresh_from_db()
        self._show_key(request, tenant, key)

    @admin.action(description=_("Rotate the API key (older keys stop working)"))
    def rotate_key(self, request, queryset):
        for tenant in queryset:
            key = keys.rotate_tenant_key(tenant, actor=actor_of(request.user))
            self._show_key(request, tenant, key)

    @admin.action(description=_("Revoke all API keys"))
    def revoke_keys(self, request, queryset):
        actor = actor_of(request.user)
        count = sum(keys.revoke_tenant_keys(tenant, actor=actor) for tenant in queryset)
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Retry the set-up in regions where it failed"))
    def retry_setup(self, request, queryset):
        actor = actor_of(request.user)
        count = sum(regions.retry_tenant(tenant, actor=actor) for tenant in queryset)
        self.message_user(
            request,
            ngettext("%(count)d set-up queued.", "%(count)d set-ups queued.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.display(description=_("set-up in the cloud"))
    def setup(self, tenant):
        return progress_bar(tenant.tasks.filter(kind=PROVISION_TASK_KIND).first())

    def _show_key(self, request, tenant, key):
        self.message_user(
            request,
            _("API key of %(tenant)s: %(key)s - copy it now, it is not shown again.")
            % {"tenant": tenant.tenant_id, "key": key},
            messages.WARNING,
        )


@admin.register(PlatformAPIKey)
class PlatformAPIKeyAdmin(APIKeyModelAdmin):
    """The library's admin: shows a new key once, on creation (its "Has expired" column
    named in the portal's languages)."""

    list_display = ["prefix", "name", "created", "expiry_date", "has_expired", "revoked"]

    @admin.display(description=_("has expired"), boolean=True)
    def has_expired(self, key):
        return key.has_expired


# The library's own APIKey model is not used by the portal (tenant and platform keys are
# separate models); hiding it keeps operators from creating keys that open nothing.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)
