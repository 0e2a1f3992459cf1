"""Floating IPs in the admin, with "Associate with server…" (the network app's admin
knows nothing of servers, a layer above: it is registered again here, as a subclass with
associating added, same URLs and names)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.core.admin_base import admin_page
from portal.core.errors import PortalError
from portal.core.principals import actor_of
from portal.network.floating_ips.admin import FloatingIPAdmin
from portal.network.floating_ips.models import FloatingIP
from portal.servers import floating_ips
from portal.servers.models import Server

ASSOCIATE_PAGE = "admin/network/floatingip/associate.html"


class AssociateForm(forms.Form):
    """The tenant's servers of the floating IP's region that the cloud has made; the
    service checks again when it runs."""

    server = forms.ModelChoiceField(Server.objects.none(), label=_("server"))
    fixed_ip_address = forms.GenericIPAddressField(
        protocol="IPv4", required=False, label=_("fixed IP address"),
        help_text=_("Leave empty for the server's first fixed address."),
    )  # fmt: skip

    def __init__(self, floating_ip, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["server"].queryset = (
            Server.objects.filter(
                cloud=floating_ip.cloud, tenant=floating_ip.tenant, backend_id__isnull=False
            )
            .exclude(status=Server.Status.DELETED)
            .order_by("name")
        )


admin.site.unregister(FloatingIP)


@admin.register(FloatingIP)
class AssociableFloatingIPAdmin(FloatingIPAdmin):
    actions = ["associate_with_server", *FloatingIPAdmin.actions]

    def get_urls(self):
        associate = self.admin_site.admin_view(self.associate_view)
        return [
            path("<int:pk>/associate/", associate, name="network_floatingip_associate"),
            *super().get_urls(),
        ]

    def associate_view(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        floating_ip = get_object_or_404(FloatingIP.objects.select_related("cloud", "tenant"), pk=pk)
        form = AssociateForm(floating_ip, request.POST or None)
        if request.method == "POST" and form.is_valid():
            server = form.cleaned_data["server"]
            try:
                floating_ips.operate(
                    floating_ip, server, floating_ips.ASSOCIATE,
                    fixed_ip_address=form.cleaned_data["fixed_ip_address"] or "",
                    actor=actor_of(request.user),
                )  # fmt: skip
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                message = _("Associating %(ip)s with %(server)s; the progress is shown here.")
                self.message_user(
                    request, message % {"ip": floating_ip, "server": server}, messages.SUCCESS
                )
                return redirect("admin:network_floatingip_changelist")
        title = _("Associate %(ip)s with a server") % {"ip": floating_ip}
        return admin_page(self, request, ASSOCIATE_PAGE, title, form=form, submit=_("Associate"))

    @admin.action(description=_("Associate with server…"), permissions=["change"])
    def associate_with_server(self, request, queryset):
        if queryset.count() != 1:
            message = _("Select exactly one floating IP to associate.")
            self.message_user(request, message, messages.WARNING)
            return None
        return redirect("admin:network_floatingip_associate", pk=queryset.get().pk)
