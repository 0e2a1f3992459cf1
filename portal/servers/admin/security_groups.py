"""The server page's security groups (its "Network & security groups" tab): each group
with "Detach…", and "Attach a security group…"; both run the network app's attach or
detach (one code path with `POST /security-groups/{id}/operate`), whose progress the
group's page shows."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from portal.core.admin_base import admin_page
from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.network.models import SecurityGroup
from portal.network.security_groups import services as security_groups
from portal.servers.models import Server

FORM_PAGE = "admin/servers/server/form.html"


class SecurityGroupChoiceForm(forms.Form):
    """A group of the server's tenant in its cloud: one the server lacks (attach) or has
    (detach); the service checks again."""

    group = forms.ModelChoiceField(SecurityGroup.objects.none(), label=_("security group"))

    def __init__(self, server, ops_type, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = tenant_groups(server).filter(status=SecurityGroup.Status.READY)
        names = server.security_group_names
        attach = ops_type == "attach"
        self.fields["group"].queryset = (
            groups.exclude(name__in=names) if attach else groups.filter(name__in=names)
        )


def tenant_groups(server):
    return SecurityGroup.objects.filter(
        tenant=server.tenant_id, cloud=server.cloud_id, missing_since__isnull=True
    ).order_by("name")


class ServerSecurityGroupsMixin:
    """ServerAdmin's part: the tab's field and the attach/detach page."""

    def security_group_urls(self):
        view = self.admin_site.admin_view(self.security_group_view)
        name = "servers_server_security_group"
        return [path("<int:pk>/security-groups/<str:ops_type>/", view, name=name)]

    @admin.display(description=_("security groups"))
    def security_groups(self, server):
        """The server's groups, each with "Detach…" where the portal knows it; and
        "Attach a security group…"."""
        known = dict(
            tenant_groups(server)
            .filter(name__in=server.security_group_names)
            .values_list("name", "pk")
        )
        detach = reverse("admin:servers_server_security_group", args=[server.pk, "detach"])
        attach = reverse("admin:servers_server_security_group", args=[server.pk, "attach"])
        detach_links = (
            format_html('{} <a href="{}?group={}">{}</a>', name, detach, known[name], _("Detach…"))
            if name in known
            else name
            for name in server.security_group_names
        )
        lines = format_html_join(mark_safe("<br>"), "{}", ((line,) for line in detach_links))
        link = format_html(
            '<a class="button" href="{}">{}</a>', attach, _("Attach a security group…")
        )
        return format_html("{}<p>{}</p>", lines or "-", link)

    def security_group_view(self, request, pk, ops_type):
        """Attach a group to the server, or detach one; then the group's page, where the
        Task's progress shows."""
        if ops_type not in security_groups.OPS_TYPES:
            raise Http404
        if not request.user.has_perm("network.change_securitygroup"):
            raise PermissionDenied
        server = get_object_or_404(Server.objects.select_related("tenant"), pk=pk)
        initial = {"group": request.GET.get("group")}
        form = SecurityGroupChoiceForm(server, ops_type, request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            group = form.cleaned_data["group"]
            try:
                security_groups.operate_group(
                    group, [server.instance_id], ops_type, actor=actor_of(request.user)
                )
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, _("Queued; the group's page shows the progress."))
                return redirect("admin:network_securitygroup_change", group.pk)
        if ops_type == "attach":
            title, submit = _("Attach a security group to %(name)s"), _("Attach")
        else:
            title, submit = _("Detach a security group from %(name)s"), _("Detach")
        title = title % {"name": server.name}
        return admin_page(self, request, FORM_PAGE, title, form=form, submit=submit, server=server)
