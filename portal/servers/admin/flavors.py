from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.clouds.admin_actions import set_enabled_action, sync_now_action
from portal.core.admin_base import ObjectToolMixin, admin_page
from portal.core.errors import PortalError
from portal.core.flags import set_row_enabled
from portal.core.principals import actor_of
from portal.servers import flavors
from portal.servers.admin.servers import FORM_PAGE
from portal.servers.forms import FlavorCreateForm, FlavorShareForm
from portal.servers.models import Flavor

QUEUED_SEE_TASKS = _("Queued; see Tasks for its progress.")

# Mirrored from the cloud: the admin shows them, the flavor pull writes them.
CLOUD_FIELDS = [
    "cloud", "backend_id", "name", "vcpus", "ram", "disk", "is_public", "extra_specs",
    "shared_with", "missing_since", "synced_at", "created", "updated",
]  # fmt: skip


@admin.register(Flavor)
class FlavorAdmin(ObjectToolMixin, admin.ModelAdmin):
    list_display = [
        "name", "backend_id", "cloud", "vcpus", "ram", "disk", "is_public", "enabled",
        "missing_since",
    ]  # fmt: skip
    list_filter = [
        "cloud", "enabled", "is_public", ("missing_since", admin.EmptyFieldListFilter),
    ]  # fmt: skip
    search_fields = ["name", "backend_id"]
    list_select_related = ["cloud"]
    readonly_fields = CLOUD_FIELDS
    fields = ["enabled", *CLOUD_FIELDS]
    actions = [
        set_enabled_action(
            True, _("Enable the selected flavors"), _("Flavors enabled: %(count)d.")
        ),
        set_enabled_action(
            False, _("Disable the selected flavors"), _("Flavors disabled: %(count)d.")
        ),
        sync_now_action("flavors.sync", _("Sync now (the clouds of the selected flavors)")),
    ]
    object_tool = ("admin:servers_flavor_create", _("Create flavor"))
    change_form_template = "admin/servers/flavor/change_form.html"

    # Flavors are made and deleted in the clouds by Celery jobs (the pages below), never
    # by the ModelAdmin's own add and delete (a vanished one is marked missing by the pull).
    def save_model(self, request, obj, form, change):
        # The form edits only the portal's flag: one code path with the API and actions.
        set_row_enabled(obj, form.cleaned_data["enabled"])

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("create/", view(self.create_view), name="servers_flavor_create"),
            path("<int:pk>/share/", view(self.share_view), name="servers_flavor_share"),
            path(
                "<int:pk>/delete-in-cloud/",
                view(self.delete_in_cloud_view),
                name="servers_flavor_delete_in_cloud",
            ),
            *super().get_urls(),
        ]

    def share_view(self, request, pk):
        """ "Shared with…": the tenants a non-public flavor is offered to, changed in the
        cloud by a Celery job."""
        flavor = get_object_or_404(Flavor.objects.select_related("cloud"), pk=pk)
        if not self.has_change_permission(request, flavor):
            raise PermissionDenied
        form = FlavorShareForm(
            request.POST or None, initial={"shared_with": flavor.shared_with.all()}
        )
        if request.method == "POST" and form.is_valid():
            try:
                flavors.share_flavor(
                    flavor, form.cleaned_data["shared_with"], actor=actor_of(request.user)
                )
            except PortalError as exc:
                form.show_refusal(exc)
            else:
                self.message_user(request, QUEUED_SEE_TASKS, messages.SUCCESS)
                return redirect("admin:servers_flavor_change", flavor.pk)
        title = f"{flavor.name}: {_('Shared with')}"
        return admin_page(self, request, FORM_PAGE, title, form=form, submit=_("Save"))

    def delete_in_cloud_view(self, request, pk):
        """The flavor page's "Delete" button (POST): deleted in the cloud by a Celery job."""
        if request.method != "POST":
            return redirect("admin:servers_flavor_change", pk)
        flavor = get_object_or_404(Flavor.objects.select_related("cloud"), pk=pk)
        if not self.has_change_permission(request, flavor):
            raise PermissionDenied
        try:
            flavors.delete_flavor(flavor, actor=actor_of(request.user))
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return redirect("admin:servers_flavor_change", pk)
        self.message_user(request, QUEUED_SEE_TASKS, messages.SUCCESS)
        return redirect("admin:servers_flavor_changelist")

    def create_view(self, request):
        """ "Create flavor": made in the cloud by a Celery job, then mirrored here."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = FlavorCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                flavors.create_flavor(
                    form.cleaned_data["cloud"], form.to_request(), actor=actor_of(request.user)
                )
            except PortalError as exc:
                form.show_refusal(exc)
            else:
                self.message_user(
                    request,
                    _("Flavor %(name)s is being created; see Tasks for its progress.")
                    % {"name": form.cleaned_data["name"]},
                    messages.SUCCESS,
                )
                return redirect("admin:servers_flavor_changelist")
        return admin_page(
            self, request, FORM_PAGE, _("Create flavor"), form=form, submit=_("Create")
        )
