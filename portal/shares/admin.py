"""NAS shares in the admin: the list and each share's page with the live progress of its
latest Task, "Create NAS share", and on a share's page resize, allow an address, grant a
server and deny a rule; deletion as a list action. Every form calls the request side
(services.py), the API's one code path."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from portal.core.admin_base import (
    ObjectToolMixin,
    ReadOnlyAdmin,
    ViewOnlyAdmin,
    act_on_each,
    admin_page,
    progress_bar,
)
from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.shares import forms, services
from portal.shares.models import Share, ShareNetwork

FORM_TEMPLATE = "admin/shares/share/form.html"


@admin.register(Share)
class ShareAdmin(ObjectToolMixin, ReadOnlyAdmin):
    """Shares are made, changed and deleted as Tasks (here or through the API)."""

    object_tool = ("admin:shares_share_create", _("Create NAS share"))
    list_display = [
        "name", "tenant", "cloud", "proto", "size", "status", "share_status", "progress",
        "share_server_host", "created",
    ]  # fmt: skip
    list_filter = ["status", "proto", "share_status", "cloud"]
    search_fields = ["name", "share_id", "backend_id", "tenant__tenant_id", "tenant__name"]
    list_select_related = ["tenant", "cloud", "current_task"]
    fields = [
        "share_id", "backend_id", "name", "description", "tenant", "cloud", "proto", "size",
        "status", "status_message", "progress", "share_status", "share_progress",
        "network_id", "share_network", "share_server_id", "share_server_host", "exports",
        "rules", "mount_clients", "operations", "created", "updated", "synced_at",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["delete_shares"]

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_queryset(self, request):
        return services.shares_visible_to(request.user).select_related(
            "tenant", "cloud", "current_task", "share_network"
        )

    @admin.display(description=_("progress"))
    def progress(self, share):
        return progress_bar(share.current_task)

    @admin.display(description=_("export locations"))
    def exports(self, share):
        return (
            format_html_join(
                "", "<div><code>{}</code></div>", ((p,) for p in share.export_locations)
            )
            or "-"
        )

    @admin.display(description=_("access rules"))
    def rules(self, share):
        rows = ((r["access_to"], r["access_level"], r["state"]) for r in share.access_rules)
        return format_html_join("", "<div>{} ({}, {})</div>", rows) or "-"

    @admin.display(description=_("mount clients"))
    def mount_clients(self, share):
        return ", ".join(services.mount_clients(share)) or "-"

    @admin.display(description=_("operations"))
    def operations(self, share):
        if not share.pk or share.status != Share.Status.READY:
            return "-"
        links = [
            ("shares_share_resize", _("Resize…")),
            ("shares_share_allow", _("Allow an address…")),
            ("shares_share_grant", _("Grant a server…")),
            ("shares_share_deny", _("Deny a rule…")),
        ]
        return format_html_join(
            " ", '<a class="button" href="{}">{}</a>',
            ((reverse(f"admin:{name}", args=[share.pk]), label) for name, label in links),
        )  # fmt: skip

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path("create/", view(self.create_view), name="shares_share_create"),
            path("<int:pk>/resize/", view(self.resize_view), name="shares_share_resize"),
            path("<int:pk>/allow/", view(self.allow_view), name="shares_share_allow"),
            path("<int:pk>/grant/", view(self.grant_view), name="shares_share_grant"),
            path("<int:pk>/deny/", view(self.deny_view), name="shares_share_deny"),
            *super().get_urls(),
        ]

    # ---- the forms -----------------------------------------------------------------

    def create_view(self, request):
        if not request.user.is_staff:
            raise PermissionDenied
        form = forms.ShareCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                share, _task = services.create_share(
                    form.cleaned_data["tenant"], form.to_request(), actor=actor_of(request.user)
                )
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                return self._queued(
                    request, share, _("Creating %(name)s; the progress is shown here.")
                )
        return admin_page(
            self, request, FORM_TEMPLATE, _("Create NAS share"), form=form, submit=_("Create")
        )

    def resize_view(self, request, pk):
        return self._share_form(
            request, pk, forms.ResizeForm, _("Resize %(name)s"),
            lambda share, data, actor: services.resize_share(
                share, data["share_size_in_g"], actor=actor
            ),
        )  # fmt: skip

    def allow_view(self, request, pk):
        return self._share_form(
            request, pk, forms.AllowAccessForm, _("Allow an address to mount %(name)s"),
            lambda share, data, actor: services.allow_access(share, **data, actor=actor),
        )  # fmt: skip

    def grant_view(self, request, pk):
        return self._share_form(
            request, pk, forms.GrantServerForm, _("Grant a server access to %(name)s"),
            lambda share, data, actor: services.grant_server(
                share, data["server"].instance_id, data["access_level"], actor=actor
            ),
            with_share=True,
        )  # fmt: skip

    def deny_view(self, request, pk):
        return self._share_form(
            request, pk, forms.DenyAccessForm, _("Deny an access rule of %(name)s"),
            lambda share, data, actor: services.deny_access(share, data["rule_id"], actor=actor),
            with_share=True,
        )  # fmt: skip

    def _share_form(self, request, pk, form_class, title, act, with_share=False):
        share = get_object_or_404(self.get_queryset(request), pk=pk)
        args = (share,) if with_share else ()
        form = form_class(*args, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                act(share, form.cleaned_data, actor_of(request.user))
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                return self._queued(
                    request, share, _("%(name)s: queued; the progress is shown here.")
                )
        title = title % {"name": share.name}
        return admin_page(
            self, request, FORM_TEMPLATE, title, form=form, share=share, submit=_("Save")
        )

    def _queued(self, request, share, message):
        self.message_user(request, message % {"name": share.name}, messages.SUCCESS)
        return redirect("admin:shares_share_change", share.pk)

    @admin.action(description=_("Delete the selected NAS shares"))
    def delete_shares(self, request, queryset):
        accepted = act_on_each(
            self, request, queryset,
            lambda share: services.delete_share(share, actor=actor_of(request.user)),
        )  # fmt: skip
        if accepted:
            message = _(
                "%(count)d NAS share(s) are being deleted; the progress is shown in the list."
            )
            self.message_user(request, message % {"count": accepted}, messages.SUCCESS)


@admin.register(ShareNetwork)
class ShareNetworkAdmin(ViewOnlyAdmin):
    """The share networks NAS shares were made on (made and removed by the portal)."""

    list_display = [
        "backend_id",
        "tenant",
        "cloud",
        "network_id",
        "subnet_id",
        "made_by_portal",
        "created",
    ]
    list_filter = ["made_by_portal", "cloud"]
    search_fields = ["backend_id", "network_id", "tenant__tenant_id"]
    list_select_related = ["tenant", "cloud"]
