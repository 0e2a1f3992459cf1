"""Routers in the admin: the list (search, filters, live Task), the page with its
interfaces and route table, and the forms that create and delete it, set or clear its
gateway, and add or remove interfaces and routes through the request side (routers.py),
as the API does."""

from urllib.parse import urlencode

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal.clouds.admin_actions import sync_now_action
from portal.core.admin_base import ObjectToolMixin, ViewOnlyAdmin, progress_bar
from portal.core.principals import actor_of
from portal.network import routers
from portal.network.admin.pages import bound, form_page
from portal.network.forms import (
    ConfirmForm,
    GatewayForm,
    InterfaceForm,
    RouteForm,
    RouterCreateForm,
    RouterEditForm,
)
from portal.network.models import Router

MISSING_FILTER = ("missing_since", admin.EmptyFieldListFilter)


def _table(headers, rows):
    """An HTML table of `rows` (tuples of cells; the last one a link (url, label))."""
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html_join("", "<td>{}</td>", ((cell,) for cell in row[:-1])),
                format_html('<td><a href="{}">{}</a></td>', *row[-1]),
            )
            for row in rows
        ),
    )
    head = format_html_join("", "<th>{}</th>", ((header,) for header in headers))
    return format_html(
        "<table><thead><tr>{}<th></th></tr></thead><tbody>{}</tbody></table>", head, body
    )


@admin.register(Router)
class RouterAdmin(ObjectToolMixin, ViewOnlyAdmin):
    list_display = [
        "name", "router_id", "tenant", "cloud", "external_network_id", "interface_count",
        "route_count", "status", "state", "task", "created",
    ]  # fmt: skip
    list_filter = ["cloud", "state", "status", MISSING_FILTER]
    search_fields = ["name", "router_id", "backend_id", "tenant__tenant_id"]
    list_select_related = ["tenant", "cloud", "current_task"]
    fields = [
        "name", "router_id", "backend_id", "tenant", "cloud", "project_id",
        "external_network_id", "status", "state", "state_message", "task",
        "interface_table", "route_table", "cloud_created_at", "missing_since", "synced_at",
        "created", "updated",
    ]  # fmt: skip
    readonly_fields = fields
    actions = [sync_now_action("network.sync", _("Sync now (the clouds of the selected rows)"))]
    object_tool = ("admin:network_router_create", _("Create router"))
    change_form_template = "admin/network/change_form.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).filter(tenant__isnull=False)
        return routers.with_interfaces(queryset)

    @admin.display(description=_("interfaces"))
    def interface_count(self, router):
        return len(router.interfaces.all())

    @admin.display(description=_("routes"))
    def route_count(self, router):
        return len(router.routes)

    @admin.display(description=_("latest task"))
    def task(self, router):
        return progress_bar(router.current_task)

    @admin.display(description=_("interfaces"))
    def interface_table(self, router):
        rows = [
            (
                interface.subnet.cidr, interface.subnet.network, interface.subnet.backend_id,
                (self._url("remove_interface", router, interface.subnet.pk), _("Remove")),
            )
            for interface in router.interfaces.all()
        ]  # fmt: skip
        return _table([_("CIDR"), _("VPC"), _("backend id")], rows)

    @admin.display(description=_("route table"))
    def route_table(self, router):
        rows = [
            (
                route["destination"], route["nexthop"],
                (f"{self._url('remove_route', router)}?{urlencode(route)}", _("Remove")),
            )
            for route in router.routes
        ]  # fmt: skip
        return _table([_("destination"), _("next hop")], rows)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        router = self._router(object_id)
        tools = [
            (self._url("edit", router), _("Edit")),
            (self._url("gateway", router), _("Set gateway")),
            (self._url("add_interface", router), _("Add interface")),
            (self._url("add_route", router), _("Add route")),
            (self._url("delete_in_cloud", router), _("Delete")),
        ]
        if router.external_network_id:
            tools.insert(1, (self._url("clear_gateway", router), _("Clear gateway")))
        extra_context = {**(extra_context or {}), "object_tools": tools}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        pages = [
            ("create/", self.create_view, "create"),
            ("<int:pk>/edit/", self.edit_view, "edit"),
            ("<int:pk>/gateway/", self.gateway_view, "gateway"),
            ("<int:pk>/gateway/clear/", self.clear_gateway_view, "clear_gateway"),
            ("<int:pk>/interfaces/add/", self.add_interface_view, "add_interface"),
            (
                "<int:pk>/interfaces/<int:subnet_pk>/remove/",
                self.remove_interface_view,
                "remove_interface",
            ),
            ("<int:pk>/routes/add/", self.add_route_view, "add_route"),
            ("<int:pk>/routes/remove/", self.remove_route_view, "remove_route"),
            ("<int:pk>/delete-in-cloud/", self.delete_in_cloud_view, "delete_in_cloud"),
        ]
        own = [
            path(route, view(page), name=f"network_router_{name}") for route, page, name in pages
        ]
        return [*own, *super().get_urls()]

    def _url(self, name, router, *args):
        return reverse(f"admin:network_router_{name}", args=[router.pk, *args])

    def _router(self, pk):
        queryset = routers.with_interfaces(Router.objects.filter(tenant__isnull=False))
        return get_object_or_404(queryset, pk=pk)

    def _page(self, router):
        return reverse("admin:network_router_change", args=[router.pk])

    def _form(self, request, router, form, act, title, submit, intro=""):
        return form_page(
            self, request, form, act, title=f"{router}: {title}", submit=submit,
            back=self._page(router), intro=intro,
        )  # fmt: skip

    def create_view(self, request):
        form = RouterCreateForm(bound(request))

        def act(data):
            network = data["external_network"]
            router, _task = routers.create_router(
                data["tenant"], data["cloud"], name=data["name"],
                external_network_id=network.backend_id if network else "",
                actor=actor_of(request.user),
            )  # fmt: skip
            return router

        back = reverse("admin:network_router_changelist")
        return form_page(
            self,
            request,
            form,
            act,
            title=_("Create router"),
            submit=_("Create"),
            back=back,
            done=self._page,
        )

    def edit_view(self, request, pk):
        router = self._router(pk)
        form = RouterEditForm(bound(request), initial={"name": router.name})

        def act(data):
            routers.rename(router, data["name"], actor=actor_of(request.user))

        return self._form(request, router, form, act, _("Edit"), _("Save"))

    def gateway_view(self, request, pk):
        router = self._router(pk)
        form = GatewayForm(router, bound(request))

        def act(data):
            network_id = data["external_network"].backend_id
            routers.set_gateway(router, network_id, actor=actor_of(request.user))

        return self._form(request, router, form, act, _("Set gateway"), _("Save"))

    def clear_gateway_view(self, request, pk):
        router = self._router(pk)
        return self._form(
            request, router, ConfirmForm(bound(request)),
            lambda data: routers.clear_gateway(router, actor=actor_of(request.user)),
            _("Clear gateway"), _("Clear"), _("Remove the router's external gateway?"),
        )  # fmt: skip

    def add_interface_view(self, request, pk):
        router = self._router(pk)
        form = InterfaceForm(router, bound(request))

        def act(data):
            routers.add_interface(router, data["subnet"], actor=actor_of(request.user))

        return self._form(request, router, form, act, _("Add interface"), _("Add"))

    def remove_interface_view(self, request, pk, subnet_pk):
        router = self._router(pk)
        interface = get_object_or_404(router.interfaces.select_related("subnet"), subnet=subnet_pk)
        subnet = interface.subnet
        intro = _("Remove the router's interface on %(cidr)s?") % {"cidr": subnet.cidr}

        def act(data):
            routers.remove_interface(router, subnet, actor=actor_of(request.user))

        form = ConfirmForm(bound(request))
        return self._form(request, router, form, act, _("Remove interface"), _("Remove"), intro)

    def add_route_view(self, request, pk):
        router = self._router(pk)
        form = RouteForm(bound(request))

        def act(data):
            routers.add_route(
                router, data["destination"], data["nexthop"], actor=actor_of(request.user)
            )

        return self._form(request, router, form, act, _("Add route"), _("Add"))

    def remove_route_view(self, request, pk):
        router = self._router(pk)
        destination = request.GET.get("destination", "")
        nexthop = request.GET.get("nexthop", "")
        intro = _("Remove the route to %(destination)s via %(nexthop)s?") % {
            "destination": destination, "nexthop": nexthop,
        }  # fmt: skip

        def act(data):
            routers.remove_route(router, destination, nexthop, actor=actor_of(request.user))

        form = ConfirmForm(bound(request))
        return self._form(request, router, form, act, _("Remove route"), _("Remove"), intro)

    def delete_in_cloud_view(self, request, pk):
        router = self._router(pk)
        return form_page(
            self, request, ConfirmForm(bound(request)),
            lambda data: routers.delete_router(router, actor=actor_of(request.user)),
            title=f"{router}: {_('Delete')}", submit=_("Delete"), back=self._page(router),
            intro=_("Delete the router %(name)s in the cloud?") % {"name": router},
            done=reverse("admin:network_router_changelist"),
        )  # fmt: skip
