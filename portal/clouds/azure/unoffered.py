"""The sections an Azure cloud does not offer through the portal: floating IPs (Azure's
public IP addresses are not mapped) and shares (no Manila). Their listings are empty, so
the network pull and the shares' sync work on an Azure cloud; everything else refuses."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.clouds.errors import CloudBadRequest, CloudNotFound

_NO_FLOATING_IPS = _("Azure clouds offer no floating IPs through the portal.")
_NO_SHARES = _("Azure clouds offer no shared file systems through the portal.")


class NoFloatingIPs:
    def list_floating_ips(self):
        return []

    def list_device_ports(self, device_id):
        return []

    def get_floating_ip(self, floating_ip_id):
        raise CloudNotFound()

    def _refuse(self, *_args, **_kwargs):
        raise CloudBadRequest(_NO_FLOATING_IPS)

    create_floating_ip = associate_floating_ip = dissociate_floating_ip = _refuse
    delete_floating_ip = _refuse


class NoShares:
    def list_share_networks(self):
        return []

    def list_shares(self):
        return []

    def get_share_network(self, share_network_id):
        raise CloudNotFound()

    def get_share(self, share_id):
        raise CloudNotFound()

    def get_share_server(self, share_server_id):
        raise CloudNotFound()

    def _refuse(self, *_args, **_kwargs):
        raise CloudBadRequest(_NO_SHARES)

    create_share_network = delete_share_network = create_share = delete_share = _refuse
    extend_share = shrink_share = list_access_rules = allow_access = deny_access = _refuse
