"""Floating IPs on servers, the part that needs a Server (the network app, below this one,
owns floating IPs): associate one with a server or dissociate it; tell the network app
which portal server a Nova server id is, and keep the addresses its workflow re-read."""

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.clouds.capabilities import FLOATING_IPS, refuse_unsupported
from portal.core.errors import Conflict, ValidationFailed
from portal.network.floating_ips import services as floating_ips
from portal.servers.models import Server

ASSOCIATE = "associate"
DISSOCIATE = "dissociate"
OPS_TYPES = (ASSOCIATE, DISSOCIATE)


def operate(floating_ip, server, ops_type, *, fixed_ip_address="", actor):
    """Associate `floating_ip` with `server` (both already looked up in the caller's
    scope), or dissociate it from that server; returns (floating IP, Task)."""
    refuse_unsupported(server.cloud, FLOATING_IPS)
    if server.tenant_id != floating_ip.tenant_id:
        problem = _("The server and the floating IP belong to different tenants.")
        raise ValidationFailed(problem, fields={"instance_id": [problem]})
    if ops_type == ASSOCIATE:
        return floating_ips.associate(
            floating_ip, cloud_id=server.cloud_id, device_id=server.backend_id or "",
            fixed_ip_address=fixed_ip_address, actor=actor,
        )  # fmt: skip
    if floating_ip.device_id != server.backend_id or server.cloud_id != floating_ip.cloud_id:
        raise Conflict(
            _("The floating IP is not associated with this server."), code="not_associated"
        )
    return floating_ips.dissociate(floating_ip, actor=actor)


def instance_ids(devices: set[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """The portal's live servers of these (cloud pk, Nova id) pairs, in one query."""
    matches = Q()
    for cloud_id in {cloud_id for cloud_id, _device in devices}:
        ids = [device for cloud, device in devices if cloud == cloud_id]
        matches |= Q(cloud_id=cloud_id, backend_id__in=ids)
    servers = Server.objects.exclude(status=Server.Status.DELETED).filter(matches)
    rows = servers.values_list("cloud_id", "backend_id", "instance_id")
    return {(cloud_id, backend_id): instance_id for cloud_id, backend_id, instance_id in rows}


def keep_addresses(sender, *, cloud, server_id, addresses, **kwargs):
    """Receiver of network.floating_ips.workflows.server_addresses_read: the server's
    addresses as Nova reports them after a floating IP moved."""
    Server.objects.filter(cloud=cloud, backend_id=server_id).exclude(
        status=Server.Status.DELETED
    ).update(addresses=addresses)


def forget_deleted_servers_ports(sender, instance, update_fields=None, **kwargs):
    """post_save of servers.Server: once the cloud deleted a server, Neutron deleted its
    ports and left their floating IPs dissociated (DOWN); the rows say so at once, and
    the next network pull confirms it."""
    if instance.status != Server.Status.DELETED or not instance.backend_id:
        return
    if update_fields is not None and "status" not in update_fields:
        return
    floating_ips.dissociated_from_deleted_server(instance.cloud_id, instance.backend_id)
