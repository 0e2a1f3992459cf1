"""VPCs in the admin: the list (search, filters, each one's subnets and live Task), the
page with its subnets, and the forms that create, edit, delete and add or remove subnets
through the request side (vpcs.py), as the API does."""

from django.contrib import admin
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal.clouds.admin_actions import sync_now_action
from portal.core.admin_base import ObjectToolMixin, ViewOnlyAdmin, progress_bar
from portal.core.principals import actor_of
from portal.network import vpcs
from portal.network.admin.pages import bound, form_page
from portal.network.forms import ConfirmForm, SubnetAddForm, VpcCreateForm, VpcEditForm
from portal.network.models import Subnet, Vpc

MISSING_FILTER = ("missing_since", admin.EmptyFieldListFilter)


@admin.register(Vpc)
class VpcAdmin(ObjectToolMixin, ViewOnlyAdmin):
    list_display = [
        "name", "vpc_id", "tenant", "cloud", "subnet_cidrs", "status", "state", "task",
        "created",
    ]  # fmt: skip
    list_filter = ["cloud", "state", "status", MISSING_FILTER]
    search_fields = ["name", "vpc_id", "backend_id", "tenant__tenant_id", "subnets__cidr"]
    list_select_related = ["tenant", "cloud", "current_task"]
    fields = [
        "name", "vpc_id", "backend_id", "description", "tenant", "cloud", "project_id",
        "status", "state", "state_message", "task", "subnet_table", "cloud_created_at",
        "missing_since", "synced_at", "created", "updated",
    ]  # fmt: skip
    readonly_fields = fields
    actions = [sync_now_action("network.sync", _("Sync now (the clouds of the selected rows)"))]
    object_tool = ("admin:network_vpc_create", _("Create VPC"))
    change_form_template = "admin/network/change_form.html"

    def get_queryset(self, request):
        present = Subnet.objects.filter(missing_since__isnull=True).order_by("pk")
        queryset = super().get_queryset(request).filter(pk__in=vpcs.vpcs_of_tenants())
        return queryset.prefetch_related(Prefetch("subnets", queryset=present)).distinct()

    @admin.display(description=_("subnets"))
    def subnet_cidrs(self, vpc):
        return ", ".join(subnet.cidr for subnet in vpc.subnets.all())

    @admin.display(description=_("latest task"))
    def task(self, vpc):
        return progress_bar(vpc.current_task)

    @admin.display(description=_("subnets"))
    def subnet_table(self, vpc):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            '<td><a href="{}">{}</a></td></tr>',
            (
                (
                    subnet.cidr, subnet.name, subnet.gateway_ip, subnet.backend_id or "-",
                    subnet.get_state_display(),
                    reverse("admin:network_vpc_remove_subnet", args=[vpc.pk, subnet.pk]),
                    _("Remove"),
                )
                for subnet in vpc.subnets.all()
            ),
        )  # fmt: skip
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "<th></th></tr></thead><tbody>{}</tbody></table>",
            _("CIDR"), _("name"), _("gateway IP"), _("backend id"), _("portal state"), rows,
        )  # fmt: skip

    def change_view(self, request, object_id, form_url="", extra_context=None):
        tools = [
            (reverse("admin:network_vpc_edit", args=[object_id]), _("Edit")),
            (reverse("admin:network_vpc_add_subnet", args=[object_id]), _("Add subnet")),
            (reverse("admin:network_vpc_delete_in_cloud", args=[object_id]), _("Delete")),
        ]
        extra_context = {**(extra_context or {}), "object_tools": tools}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        pages = [
            ("create/", self.create_view, "create"),
            ("<int:pk>/edit/", self.edit_view, "edit"),
            ("<int:pk>/delete-in-cloud/", self.delete_in_cloud_view, "delete_in_cloud"),
            ("<int:pk>/subnets/add/", self.add_subnet_view, "add_subnet"),
            ("<int:pk>/subnets/<int:subnet_pk>/remove/", self.remove_subnet_view, "remove_subnet"),
        ]
        own = [path(route, view(page), name=f"network_vpc_{name}") for route, page, name in pages]
        return [*own, *super().get_urls()]

    def _vpc(self, pk):
        return get_object_or_404(vpcs.vpcs_of_tenants().select_related("cloud", "tenant"), pk=pk)

    def _page(self, vpc):
        return reverse("admin:network_vpc_change", args=[vpc.pk])

    def create_view(self, request):
        form = VpcCreateForm(bound(request))

        def act(data):
            vpc, _task = vpcs.create_vpc(
                data["tenant"], data["cloud"], name=data["name"],
                description=data["description"], cidr=data["cidr"], actor=actor_of(request.user),
            )  # fmt: skip
            return vpc

        back = reverse("admin:network_vpc_changelist")
        return form_page(
            self,
            request,
            form,
            act,
            title=_("Create VPC"),
            submit=_("Create"),
            back=back,
            done=self._page,
        )

    def edit_view(self, request, pk):
        vpc = self._vpc(pk)
        initial = {"name": vpc.name, "description": vpc.description}
        form = VpcEditForm(bound(request), initial=initial)

        def act(data):
            vpcs.update_vpc(
                vpc, name=data["name"], description=data["description"],
                actor=actor_of(request.user),
            )  # fmt: skip

        title = f"{vpc}: {_('Edit')}"
        return form_page(
            self, request, form, act, title=title, submit=_("Save"), back=self._page(vpc)
        )

    def delete_in_cloud_view(self, request, pk):
        vpc = self._vpc(pk)
        intro = _("Delete the VPC %(name)s with its subnets in the cloud?") % {"name": vpc}
        return form_page(
            self, request, ConfirmForm(bound(request)),
            lambda data: vpcs.delete_vpc(vpc, actor=actor_of(request.user)),
            title=f"{vpc}: {_('Delete')}", submit=_("Delete"), back=self._page(vpc),
            intro=intro, done=reverse("admin:network_vpc_changelist"),
        )  # fmt: skip

    def add_subnet_view(self, request, pk):
        vpc = self._vpc(pk)
        form = SubnetAddForm(bound(request))

        def act(data):
            vpcs.add_subnet(vpc, cidr=data["cidr"], name=data["name"], actor=actor_of(request.user))

        title = f"{vpc}: {_('Add subnet')}"
        return form_page(
            self, request, form, act, title=title, submit=_("Add"), back=self._page(vpc)
        )

    def remove_subnet_view(self, request, pk, subnet_pk):
        vpc = self._vpc(pk)
        subnet = get_object_or_404(vpcs.present_subnets(vpc), pk=subnet_pk)
        intro = _("Remove the subnet %(cidr)s from the VPC %(name)s in the cloud?") % {
            "cidr": subnet.cidr, "name": vpc,
        }  # fmt: skip
        return form_page(
            self, request, ConfirmForm(bound(request)),
            lambda data: vpcs.remove_subnet(vpc, subnet, actor=actor_of(request.user)),
            title=f"{vpc}: {_('Remove subnet')}", submit=_("Remove"), back=self._page(vpc),
            intro=intro,
        )  # fmt: skip
