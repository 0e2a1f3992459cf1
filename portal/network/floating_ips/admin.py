"""Floating IPs in the admin: the list (search, filters, live progress of the latest
operation), a read-only page, "Allocate floating IP…", and the "Dissociate" and
"Release" actions. "Associate with server…" needs servers and is added by the servers
app (portal/servers/admin/floating_ips.py)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.core.admin_base import ObjectToolMixin, act_on_each, admin_page, progress_bar
from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.network.floating_ips import services
from portal.network.floating_ips.forms import AllocateForm
from portal.network.floating_ips.models import FloatingIP

ALLOCATE_PAGE = "admin/network/floatingip/allocate.html"


class AssociatedFilter(admin.SimpleListFilter):
    title = _("associated")
    parameter_name = "associated"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(port_id="")
        if self.value() == "no":
            return queryset.filter(port_id="")
        return queryset


class FloatingIPAdmin(ObjectToolMixin, admin.ModelAdmin):
    # Narrow enough for the progress bar to show; the ids are on the page and searchable.
    list_display = ["__str__", "tenant", "fixed_ip_address", "state", "progress"]
    list_filter = [
        "cloud", "state", "status", AssociatedFilter, ("missing_since", admin.EmptyFieldListFilter),
    ]  # fmt: skip
    search_fields = [
        "floating_ip_address", "floating_ip_id", "backend_id", "fixed_ip_address",
        "device_id", "tenant__tenant_id", "tenant__name", "external_network_id",
    ]  # fmt: skip
    list_select_related = ["tenant", "cloud", "current_task"]
    readonly_fields = [
        "floating_ip_id", "backend_id", "floating_ip_address", "tenant", "cloud", "project_id",
        "external_network_id", "status", "port_id", "fixed_ip_address", "device_id",
        "router_id", "state", "status_message", "progress", "created_at", "created",
        "synced_at", "missing_since",
    ]  # fmt: skip
    fields = readonly_fields
    actions = ["dissociate", "release"]
    object_tool = ("admin:network_floatingip_allocate", _("Allocate floating IP…"))

    @admin.display(description=_("progress"))
    def progress(self, floating_ip):
        return progress_bar(floating_ip.current_task)

    def has_add_permission(self, request):
        return False  # allocated by "Allocate floating IP…" (a Task)

    def has_delete_permission(self, request, obj=None):
        return False  # released by the action (a Task that gives the address back first)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_urls(self):
        allocate = self.admin_site.admin_view(self.allocate_view)
        return [
            path("allocate/", allocate, name="network_floatingip_allocate"),
            *super().get_urls(),
        ]

    def allocate_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = AllocateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            network = form.cleaned_data["external_network"]
            try:
                services.allocate(
                    form.cleaned_data["tenant"], network.cloud,
                    external_network_id=network.backend_id, actor=actor_of(request.user),
                )  # fmt: skip
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                message = _("Allocating a floating IP of %(network)s; the progress is shown here.")
                self.message_user(request, message % {"network": network}, messages.SUCCESS)
                return redirect("admin:network_floatingip_changelist")
        title = _("Allocate a floating IP")
        return admin_page(self, request, ALLOCATE_PAGE, title, form=form, submit=_("Allocate"))

    @admin.action(description=_("Dissociate the selected floating IPs"), permissions=["change"])
    def dissociate(self, request, queryset):
        self._act(request, queryset, services.dissociate, _("%(count)d dissociation(s) queued."))

    @admin.action(description=_("Release the selected floating IPs"), permissions=["change"])
    def release(self, request, queryset):
        self._act(request, queryset, services.release, _("%(count)d release(s) queued."))

    def _act(self, request, queryset, service, done):
        actor = actor_of(request.user)
        rows = queryset.select_related("tenant", "cloud")
        count = act_on_each(self, request, rows, lambda row: service(row, actor=actor))
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)


admin.site.register(FloatingIP, FloatingIPAdmin)
