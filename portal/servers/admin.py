from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal.clouds.admin_actions import sync_now_action
from portal.core.admin_base import ReadOnlyAdmin, progress_bar
from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.servers import services
from portal.servers.cdrom import services as cdrom_services
from portal.servers.cdrom.models import IsoMount
from portal.servers.forms import (
    FlavorCreateForm,
    FlavorShareForm,
    IsoChoiceForm,
    ResizeForm,
    ServerCreateForm,
    TemplatePickForm,
)
from portal.servers.models import Flavor, KeyPair, Server

QUEUED_SEE_TASKS = _("Queued; see Tasks for its progress.")

# Mirrored from the cloud: the admin shows them, the flavor pull writes them.
CLOUD_FIELDS = [
    "cloud", "backend_id", "name", "vcpus", "ram", "disk", "is_public", "extra_specs",
    "shared_with", "missing_since", "synced_at", "created", "updated",
]  # fmt: skip


@admin.register(Flavor)
class FlavorAdmin(admin.ModelAdmin):
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
        "enable",
        "disable",
        sync_now_action("flavors.sync", _("Sync now (the clouds of the selected flavors)")),
    ]
    change_list_template = "admin/servers/flavor/change_list.html"
    change_form_template = "admin/servers/flavor/change_form.html"

    # Flavors are made and deleted in the clouds by Celery jobs (the pages below), never
    # by the ModelAdmin's own add and delete (a vanished one is marked missing by the pull).
    def save_model(self, request, obj, form, change):
        # The form edits only the portal's flag: one code path with the API and actions.
        services.set_flavor_enabled(obj, form.cleaned_data["enabled"])

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
                services.share_flavor(
                    flavor, form.cleaned_data["shared_with"], actor=actor_of(request.user)
                )
            except PortalError as exc:
                form.show_refusal(exc)
            else:
                self.message_user(request, QUEUED_SEE_TASKS, messages.SUCCESS)
                return redirect("admin:servers_flavor_change", flavor.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{flavor.name}: {_('Shared with')}",
            "form": form,
            "submit": _("Save"),
        }
        return TemplateResponse(request, "admin/servers/server/form.html", context)

    def delete_in_cloud_view(self, request, pk):
        """The flavor page's "Delete" button (POST): deleted in the cloud by a Celery job."""
        if request.method != "POST":
            return redirect("admin:servers_flavor_change", pk)
        flavor = get_object_or_404(Flavor.objects.select_related("cloud"), pk=pk)
        if not self.has_change_permission(request, flavor):
            raise PermissionDenied
        try:
            services.delete_flavor(flavor, actor=actor_of(request.user))
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
                services.create_flavor(
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
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Create flavor"),
            "form": form,
            "submit": _("Create"),
        }
        return TemplateResponse(request, "admin/servers/server/form.html", context)

    @admin.action(description=_("Enable the selected flavors"), permissions=["change"])
    def enable(self, request, queryset):
        count = services.set_flavors_enabled(queryset, True)
        self.message_user(request, _("Flavors enabled: %(count)d.") % {"count": count})

    @admin.action(description=_("Disable the selected flavors"), permissions=["change"])
    def disable(self, request, queryset):
        count = services.set_flavors_enabled(queryset, False)
        self.message_user(request, _("Flavors disabled: %(count)d.") % {"count": count})


STATUS_COLOURS = {
    Server.Status.CREATING: "#1f6feb",
    Server.Status.READY: "#2da44e",
    Server.Status.RESIZING: "#bf8700",
    Server.Status.DELETING: "#bf8700",
    Server.Status.DELETED: "#6e7781",
    Server.Status.FAILED: "#cf222e",
}


# The server page's buttons: operate_type -> label (pause/lock stay with the API).
PAGE_OPERATIONS = {
    "start": _("Start"),
    "stop": _("Stop"),
    "softreboot": _("Reboot"),
    "hardreboot": _("Hard reboot"),
    "suspend": _("Suspend"),
    "resume": _("Resume"),
}


@admin.register(Server)
class ServerAdmin(ReadOnlyAdmin):
    """Servers: read from the database; every action goes through the services, as the
    API's do (one code path), and shows up as a Task with its progress. "Create server"
    and the server page's buttons (power, resize with a flavor picker, confirm or revert
    a resize, delete) post to the views below."""

    change_list_template = "admin/servers/server/change_list.html"
    change_form_template = "admin/servers/server/change_form.html"

    list_display = [
        "name", "instance_id", "tenant", "status_badge", "runtime_state", "flavor_name",
        "instance_addr", "cloud", "created", "task_progress",
    ]  # fmt: skip
    list_filter = ["status", "runtime_state", "origin", "cloud", "flavor_name"]
    search_fields = ["name", "instance_id", "backend_id", "tenant__tenant_id"]
    list_select_related = ["cloud", "tenant", "current_task"]
    readonly_fields = ["security_groups", "task_history", "cd_drive"]
    # The admin password is a secret (write-only, cleared once sent to the cloud).
    exclude = ["admin_pass", "security_group_names"]
    actions = [
        "start",
        "stop",
        "reboot",
        "delete_servers",
        sync_now_action("servers.sync", _("Sync now (the state of the selected servers' clouds)")),
    ]

    @admin.display(description=_("security groups"))
    def security_groups(self, server):
        return ", ".join(server.security_group_names) or "-"

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, server):
        colour = STATUS_COLOURS.get(server.status, "#6e7781")
        return format_html(
            '<span style="background:{};color:#fff;padding:1px 6px;border-radius:8px">{}</span>',
            colour,
            server.get_status_display(),
        )

    @admin.display(description=_("latest task"))
    def task_progress(self, server):
        return progress_bar(server.current_task) if server.current_task else "-"

    @admin.display(description=_("tasks"))
    def task_history(self, server):
        rows = format_html_join(
            "",
            # The progress bar carries the Task's state and message (kept live by tasks.js).
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (task.created, task.kind, progress_bar(task))
                for task in services.tasks_of(server)[:50]
            ),
        )
        return format_html("<table>{}</table>", rows)

    @admin.display(description=_("mounted ISO"))
    def cd_drive(self, server):
        """The ISO in the server's CD drive (attaching, attached or detaching)."""
        mount = cdrom_services.current_mount(server)
        if mount is None:
            return "-"
        return format_html(
            "{} ({}) {}", mount.iso, mount.get_status_display(), progress_bar(mount.task)
        )

    def _operate(self, request, queryset, operate_type):
        for server in queryset:
            try:
                services.operate_server(
                    server, operate_type, actor=actor_of(request.user), operator=True
                )
            except PortalError as exc:
                self.message_user(request, f"{server.name}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(name)s: %(op)s queued; see its task.")
                    % {"name": server.name, "op": operate_type},
                )

    @admin.action(description=_("Start the selected servers"))
    def start(self, request, queryset):
        self._operate(request, queryset, "start")

    @admin.action(description=_("Stop the selected servers"))
    def stop(self, request, queryset):
        self._operate(request, queryset, "stop")

    @admin.action(description=_("Reboot the selected servers"))
    def reboot(self, request, queryset):
        self._operate(request, queryset, "softreboot")

    @admin.action(description=_("Delete the selected servers (data disks are kept)"))
    def delete_servers(self, request, queryset):
        for server in queryset:
            try:
                services.delete_server(server, actor=actor_of(request.user))
            except PortalError as exc:
                self.message_user(request, f"{server.name}: {exc.message}", messages.ERROR)

    # ---- the create page, the server page's buttons -------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("create/", view(self.create_view), name="servers_server_create"),
            path("<int:pk>/resize/", view(self.resize_view), name="servers_server_resize"),
            path("<int:pk>/mount-iso/", view(self.mount_iso_view), name="servers_server_mount_iso"),
            path(
                "<int:pk>/operate/<str:operation>/",
                view(self.operate_view),
                name="servers_server_operate",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        server = Server.objects.filter(pk=object_id).first()
        if server is not None:
            extra_context = {**(extra_context or {}), **self._buttons(server)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _buttons(self, server):
        at_rest = server.status == Server.Status.READY and not server.locked
        return {
            "operations": PAGE_OPERATIONS.items() if at_rest else [],
            "can_resize": at_rest and server.runtime_state in services.RESIZABLE_STATES,
            "awaits_confirmation": server.status == Server.Status.RESIZED and not server.locked,
            "can_mount_iso": at_rest
            and server.runtime_state in cdrom_services.MOUNTABLE_STATES
            and cdrom_services.current_mount(server) is None,
            "can_unmount_iso": not server.locked
            and cdrom_services.holding_mounts()
            .filter(server=server, status=IsoMount.Status.ATTACHED)
            .exists(),
            "can_delete": server.status
            in (Server.Status.READY, Server.Status.FAILED, Server.Status.RESIZED)
            and not server.locked,
        }

    def create_view(self, request):
        """The "Create server" page: the form feeds services.create_server."""
        picker = TemplatePickForm(request.GET or None)
        template = picker.cleaned_data["template"] if picker.is_valid() else None
        initial = ServerCreateForm.initial_from(template) if template else None
        form = ServerCreateForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                server, _task = services.create_server(
                    form.cleaned_data["tenant"],
                    form.to_request(),
                    actor=actor_of(request.user),
                    operator=True,
                )
            except PortalError as exc:
                form.show_refusal(exc)
            else:
                self.message_user(
                    request,
                    _("%(name)s is being created; its task shows the progress.")
                    % {"name": server.name},
                    messages.SUCCESS,
                )
                return redirect("admin:servers_server_change", server.pk)
        return self._page(request, _("Create server"), form, _("Create"), picker=picker)

    def resize_view(self, request, pk):
        """ "Resize": a flavor picker of the flavors the server's tenant may use."""
        server = get_object_or_404(Server, pk=pk)
        form = ResizeForm(server, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.resize_server(
                    server, form.cleaned_data["flavor"].backend_id, actor=actor_of(request.user)
                )
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, _("The resize was queued; its task shows the progress."))
                return redirect("admin:servers_server_change", server.pk)
        title = _("Resize %(name)s (now %(flavor)s)") % {
            "name": server.name,
            "flavor": server.flavor_name,
        }
        return self._page(request, title, form, _("Resize"), server=server)

    def mount_iso_view(self, request, pk):
        """ "Mount ISO…": an ISO of the server's cloud, mounted by the ISO service's job."""
        server = get_object_or_404(Server, pk=pk)
        form = IsoChoiceForm(server, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                cdrom_services.mount_iso(
                    server, form.cleaned_data["iso"], actor=actor_of(request.user)
                )
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, _("Queued; the task below shows the progress."))
                return redirect("admin:servers_server_change", server.pk)
        title = _("Mount ISO") + f": {server.name}"
        return self._page(request, title, form, _("Mount"), server=server)

    def _page(self, request, title, form, submit, server=None, picker=None):
        context = {
            "picker": picker,
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "submit": submit,
            "server": server,
        }
        return TemplateResponse(request, "admin/servers/server/form.html", context)

    def operate_view(self, request, pk, operation):
        """The server page's buttons (POST): power operations, confirm or revert a
        resize, unmount the ISO, delete."""
        if request.method != "POST":
            return redirect("admin:servers_server_change", pk)
        server = get_object_or_404(Server, pk=pk)
        actor = actor_of(request.user)
        try:
            if operation == "delete":
                services.delete_server(server, actor=actor)
            elif operation == "unmount-iso":
                cdrom_services.unmount_iso(server, actor=actor)
            elif operation in ("confirm", "revert"):
                services.finish_resize(server, operation, actor=actor)
            elif operation in PAGE_OPERATIONS:
                services.operate_server(server, operation, actor=actor, operator=True)
            else:
                raise Http404
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, _("Queued; the task below shows the progress."))
        return redirect("admin:servers_server_change", pk)


@admin.register(KeyPair)
class KeyPairAdmin(ReadOnlyAdmin):
    """Key pairs are made and deleted by their tenants through the API (a Task each)."""

    list_display = ["name", "tenant", "cloud", "key_type", "fingerprint", "status", "created"]
    list_filter = ["status", "key_type", "cloud"]
    search_fields = ["name", "keypair_id", "fingerprint", "tenant__tenant_id"]
    list_select_related = ["tenant", "cloud"]


# Admin pages with modules of their own, registered by being imported here.
from portal.servers import template_admin  # noqa: E402, F401
from portal.servers.cdrom import admin as cdrom_admin  # noqa: E402, F401
