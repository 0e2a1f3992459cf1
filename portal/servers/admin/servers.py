from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from portal.clouds.admin_actions import sync_now_action
from portal.core.admin_base import (
    HiddenByDefaultFilter,
    ObjectToolMixin,
    ReadOnlyAdmin,
    act_on_each,
    admin_page,
)
from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.servers import console, services
from portal.servers.admin.create_wizard import create_view
from portal.servers.admin.security_groups import ServerSecurityGroupsMixin
from portal.servers.admin.server_list import (
    POSTED_OPERATIONS,
    ServerListMixin,
    confirm_bulk,
    opens_console,
)
from portal.servers.admin.server_page import ServerPageMixin
from portal.servers.cdrom import services as cdrom_services
from portal.servers.cdrom.models import IsoMount
from portal.servers.forms import IsoChoiceForm, ResizeForm
from portal.servers.locking import available_actions
from portal.servers.models import Flavor, Server

# The page of a form that queues work (create, resize, mount; flavors' create and share).
FORM_PAGE = "admin/servers/server/form.html"


class LiveOrDeletedFilter(HiddenByDefaultFilter):
    """The portal's status, deleted servers hidden unless asked for: they are history."""

    title = _("status")
    parameter_name = "status"
    default_label = _("All but deleted")
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Server.Status.choices, (self.ALL, _("All, deleted ones included"))]

    def without_hidden(self, queryset):
        return queryset.exclude(status=Server.Status.DELETED)

    def chosen(self, queryset, value):
        return queryset if value == self.ALL else queryset.filter(status=value)


class FlavorNameFilter(admin.SimpleListFilter):
    """By flavor name, offering the names of the flavors the portal knows: Django's
    filter of every value read them off all the servers (SELECT DISTINCT over the whole
    table, 38 ms of each page at 100,000 servers). A server keeps the name of a flavor
    deleted since; `?flavor_name=` still finds it."""

    title = _("flavor name")
    parameter_name = "flavor_name"

    def lookups(self, request, model_admin):
        names = Flavor.objects.order_by("name").values_list("name", flat=True).distinct()
        return [(name, name) for name in names]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(flavor_name=self.value())


@admin.register(Server)
class ServerAdmin(
    ServerListMixin, ServerPageMixin, ServerSecurityGroupsMixin, ObjectToolMixin, ReadOnlyAdmin
):
    """Servers: read from the database; every action goes through the services, as the
    API's do (one code path), and shows up as a Task with its progress. "Create server",
    the list's row menus and the server page's buttons (power, resize with a flavor
    picker, confirm or revert a resize, delete) post to the views below. The list's
    columns are ServerListMixin's, the page's sections ServerPageMixin's."""

    object_tool = ("admin:servers_server_create", _("Create server"))
    list_filter = [LiveOrDeletedFilter, "runtime_state", "origin", "cloud", FlavorNameFilter]
    # By name, either id, tenant, or an IP address (a text search in the addresses).
    search_fields = ["name", "instance_id", "backend_id", "tenant__tenant_id", "addresses"]
    actions = [
        "start",
        "stop",
        "reboot",
        "delete_servers",
        sync_now_action("servers.sync", _("Sync now (the state of the selected servers' clouds)")),
    ]

    def _operate(self, request, queryset, operate_type):
        actor = actor_of(request.user)
        message = _("%(name)s: %(op)s queued; see its task.")
        act_on_each(
            self,
            request,
            queryset,
            lambda server: services.operate_server(
                server, operate_type, actor=actor, operator=True
            ),
            name=_server_name,
            done=lambda server: self.message_user(
                request, message % {"name": server.name, "op": operate_type}
            ),
        )

    @admin.action(description=_("Start the selected servers"))
    def start(self, request, queryset):
        self._operate(request, queryset, "start")

    @admin.action(description=_("Stop the selected servers"))
    def stop(self, request, queryset):
        return confirm_bulk(
            self, request, queryset, action="stop",
            question=_("Stop these servers? What runs on them stops too."),
            act=lambda servers: self._operate(request, servers, "stop"),
        )  # fmt: skip

    @admin.action(description=_("Reboot the selected servers"))
    def reboot(self, request, queryset):
        self._operate(request, queryset, "softreboot")

    @admin.action(description=_("Delete the selected servers (data disks are kept)"))
    def delete_servers(self, request, queryset):
        actor = actor_of(request.user)
        return confirm_bulk(
            self, request, queryset, action="delete",
            question=_("Delete these servers? Their data disks are kept."),
            act=lambda servers: act_on_each(
                self, request, servers,
                lambda server: services.delete_server(server, actor=actor),
                name=_server_name,
            ),
        )  # fmt: skip

    # ---- the create page, the server page's buttons -------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("create/", view(create_view(self)), name="servers_server_create"),
            path("<int:pk>/resize/", view(self.resize_view), name="servers_server_resize"),
            path("<int:pk>/mount-iso/", view(self.mount_iso_view), name="servers_server_mount_iso"),
            path("<int:pk>/console/", view(self.console_view), name="servers_server_console"),
            *self.security_group_urls(),
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
            extra_context = {
                **(extra_context or {}),
                **self._buttons(server),
                **self._console_log(request, server),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _console_log(self, request, server):
        """The "Console log" section: the last `?console_lines=N` lines, once asked for."""
        if not server.backend_id:
            return {}
        raw = request.GET.get("console_lines")
        section = {"console_lines": raw or console.DEFAULT_LOG_LINES}
        if raw is None:
            return section
        try:
            lines = console.log_lines(raw)
            task = console.request_console_log(server, lines, actor=actor_of(request.user))
            result = console.result_of(task)
        except PortalError as exc:
            return {**section, "console_log_error": exc.fields.get("lines", [exc.message])[0]}
        if result is None:
            return {
                **section,
                "console_log_error": _("The cloud has not answered yet; try again in a moment."),
            }
        return {**section, "console_log": result["output"]}

    def _buttons(self, server):
        actions = available_actions(server, operator=True)
        at_rest = server.status == Server.Status.READY and not server.locked
        return {
            "operations": [item for item in POSTED_OPERATIONS.items() if item[0] in actions],
            "can_resize": "resize" in actions,
            "awaits_confirmation": "confirm" in actions,
            "can_mount_iso": at_rest
            and server.runtime_state in cdrom_services.MOUNTABLE_STATES
            and cdrom_services.current_mount(server) is None,
            "can_unmount_iso": not server.locked
            and cdrom_services.holding_mounts()
            .filter(server=server, status=IsoMount.Status.ATTACHED)
            .exists(),
            "can_delete": "delete" in actions,
            "can_open_console": opens_console(server),
        }

    def resize_view(self, request, pk):
        """ "Resize": a flavor picker of the flavors the server's tenant may use."""
        server = get_object_or_404(Server, pk=pk)
        actor = actor_of(request.user)
        title = _("Resize %(name)s (now %(flavor)s)") % {
            "name": server.name,
            "flavor": server.flavor_name,
        }
        return self._server_form_page(
            request, server, ResizeForm(server, request.POST or None), title, _("Resize"),
            act=lambda data: services.resize_server(
                server, data["flavor"].backend_id, actor=actor
            ),
            done_message=_("The resize was queued; its task shows the progress."),
        )  # fmt: skip

    def mount_iso_view(self, request, pk):
        """ "Mount ISO…": an ISO of the server's cloud, mounted by the ISO service's job."""
        server = get_object_or_404(Server, pk=pk)
        actor = actor_of(request.user)
        return self._server_form_page(
            request, server, IsoChoiceForm(server, request.POST or None),
            _("Mount ISO") + f": {server.name}", _("Mount"),
            act=lambda data: cdrom_services.mount_iso(server, data["iso"], actor=actor),
            done_message=_("Queued; the task below shows the progress."),
        )  # fmt: skip

    def _server_form_page(self, request, server, form, title, submit, *, act, done_message):
        """A server page's form (resize, mount): posted valid, `act(cleaned_data)` queues
        the work and the server's page says `done_message`; a refusal shows on the form."""
        if request.method == "POST" and form.is_valid():
            try:
                act(form.cleaned_data)
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, done_message)
                return redirect("admin:servers_server_change", server.pk)
        return self._page(request, title, form, submit, server=server)

    def console_view(self, request, pk):
        """ "Console" (a new tab): the server's remote console, asked of the cloud as the
        API does; the server page with the reason when there is none."""
        server = get_object_or_404(Server, pk=pk)
        try:
            result = console.result_of(
                console.request_console(server, actor=actor_of(request.user))
            )
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            if result is not None:
                return redirect(result["url"])
            self.message_user(
                request,
                _("The cloud has not answered yet; try again in a moment."),
                messages.WARNING,
            )
        return redirect("admin:servers_server_change", pk)

    def _page(self, request, title, form, submit, server=None):
        return admin_page(self, request, FORM_PAGE, title, form=form, submit=submit, server=server)

    def operate_view(self, request, pk, operation):
        """The server page's buttons and the list's row menus (POST): power operations,
        confirm or revert a resize, unmount the ISO, delete. Back to the server's page, or
        to the list a row menu posted from (`next`)."""
        if request.method != "POST":
            return redirect("admin:servers_server_change", pk)
        server = get_object_or_404(Server, pk=pk)
        actor = actor_of(request.user)
        back = request.POST.get("next", "")
        to_list = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
        try:
            if operation == "delete":
                services.delete_server(server, actor=actor)
            elif operation == "unmount-iso":
                cdrom_services.unmount_iso(server, actor=actor)
            elif operation in ("confirm", "revert"):
                services.finish_resize(server, operation, actor=actor)
            elif operation in POSTED_OPERATIONS:
                services.operate_server(server, operation, actor=actor, operator=True)
            else:
                raise Http404
        except PortalError as exc:
            self.message_user(request, f"{server.name}: {exc.message}", messages.ERROR)
        else:
            queued = _("%(name)s: queued; its row shows the progress.") % {"name": server.name}
            self.message_user(
                request, queued if to_list else _("Queued; the task below shows the progress.")
            )
        return redirect(back) if to_list else redirect("admin:servers_server_change", pk)


def _server_name(server):
    return server.name
