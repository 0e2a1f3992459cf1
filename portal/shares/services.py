"""NAS shares, the request side: who sees which; creating, deleting and resizing them with
their quota and lock (locking.py); access rules, granting a server, and the mount clients.
The cloud work is in workflows.py, run by the jobs of tasks.py."""

import ipaddress
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from portal.clouds.capabilities import SHARES, refuse_unsupported
from portal.clouds.sync import cloud_for_region
from portal.core.errors import Conflict, NotFound, Unprocessable, ValidationFailed
from portal.core.models import Task
from portal.core.principals import tenant_scope
from portal.core.services import enqueue
from portal.network.models import Network
from portal.network.services import networks_usable_by
from portal.servers.models import Server
from portal.shares.locking import (
    ACCESS_KIND,
    CREATE_KIND,
    DELETABLE_STATUSES,
    DELETE_KIND,
    RESIZE_KIND,
    SHARE_TARGET,
    lock_for_operation,
    new_share_task,
)
from portal.shares.models import Share
from portal.tenants import quotas
from portal.tenants.regions import require_ready

logger = logging.getLogger(__name__)

MAX_SHARE_GB = 16384
ACCESS_LEVELS = ("ro", "rw")


def shares_visible_to(user):
    """A tenant sees its own shares, operators all; never deleted ones."""
    shares = Share.objects.exclude(status=Share.Status.DELETED)
    tenant = tenant_scope(user)
    return shares if tenant is None else shares.filter(tenant=tenant)


def tasks_of(share):
    return Task.objects.filter(target_type=SHARE_TARGET, target_id=share.share_id)


# ---- create and delete --------------------------------------------------------------


@dataclass(frozen=True)
class CreateRequest:
    """CreateNasDiskReq (seed 004) as the service takes it."""

    share_name: str
    share_proto: str
    share_size_in_g: int
    network_id: str
    share_desc: str = ""
    region: str = ""


def create_share(tenant, request: CreateRequest, *, actor):
    """Accept a share: check the region, the network (one the tenant may use, from the
    network mirror) and the quota, and queue the create job, in one transaction. Returns
    (share, task)."""
    cloud = cloud_for_region(request.region)
    refuse_unsupported(cloud, SHARES)
    require_ready(tenant, cloud)
    if not networks_usable_by(tenant, cloud).filter(backend_id=request.network_id).exists():
        raise ValidationFailed(fields={"network_id": [_("No such network in this region.")]})
    with transaction.atomic():
        share = Share.objects.create(
            cloud=cloud,
            tenant=tenant,
            name=request.share_name,
            description=request.share_desc,
            proto=request.share_proto,
            size=request.share_size_in_g,
            network_id=request.network_id,
            locked=True,
        )
        task = new_share_task(share, CREATE_KIND, actor)
        quotas.reserve(
            tenant, task=task, holder=share, shares=1, share_gigabytes=request.share_size_in_g
        )
        enqueue(task, "portal.shares.tasks.create_share")
    logger.info("share %s of %s accepted (task %s)", share.share_id, tenant.pk, task.pk)
    return share, task


def delete_share(share, *, actor):
    """Queue the deletion; the quota is given back when Manila no longer has the share."""
    with transaction.atomic():
        lock_for_operation(share, statuses=DELETABLE_STATUSES)
        share = Share.objects.select_for_update().get(pk=share.pk)
        create_failed = share.status == Share.Status.FAILED
        share.begin_delete()
        share.save(update_fields=["status", "updated"])
        task = new_share_task(share, DELETE_KIND, actor)
        enqueue(task, "portal.shares.tasks.delete_share", create_failed)
    return share, task


# ---- resize ---------------------------------------------------------------------------


def resize_share(share, new_size: int, *, actor):
    """Extend (the extra gigabytes are reserved now) or shrink the share; 422 for its
    current size."""
    if new_size == share.size:
        raise Unprocessable(
            _("The share has %(size)d GB already.") % {"size": new_size},
            code="same_size",
            fields={"share_size_in_g": [_("Give another size than the current one.")]},
        )
    with transaction.atomic():
        lock_for_operation(share)
        share = Share.objects.select_for_update().get(pk=share.pk)
        share.begin_resize()
        share.save(update_fields=["status", "updated"])
        task = new_share_task(share, RESIZE_KIND, actor)
        if new_size > share.size:
            quotas.reserve(
                share.tenant, task=task, holder=share, share_gigabytes=new_size - share.size
            )
        enqueue(task, "portal.shares.tasks.resize_share", new_size)
    return share, task


# ---- access rules ---------------------------------------------------------------------


def allow_access(share, access_to: str, access_level: str, *, actor):
    """Let an IP address or a CIDR mount the share, read-only (ro) or read-write (rw)."""
    access_to = _ip_or_cidr(access_to)
    if access_level not in ACCESS_LEVELS:
        raise ValidationFailed(fields={"access_level": [_("Use ro or rw.")]})
    if any(rule["access_to"] == access_to for rule in share.access_rules):
        raise Conflict(
            _("The share has an access rule for %(to)s already.") % {"to": access_to},
            code="rule_exists",
        )
    return _access_task(share, "allow", actor, "allow_access", access_to, access_level)


def deny_access(share, rule_id: str, *, actor):
    if not any(rule["id"] == rule_id for rule in share.access_rules):
        raise NotFound(_("The share has no such access rule."), code="no_rule")
    return _access_task(share, "deny", actor, "deny_access", rule_id)


def grant_server(share, instance_id: str, access_level: str, *, actor):
    """One call that lets a server of the tenant mount the share: an access rule for its
    address on the share's network (409 if it has none there)."""
    server = (
        Server.objects.filter(tenant=share.tenant, cloud=share.cloud, instance_id=instance_id)
        .exclude(status=Server.Status.DELETED)
        .first()
    )
    if server is None:
        raise ValidationFailed(fields={"instance_id": [_("No such server of the tenant.")]})
    network = Network.objects.filter(cloud=share.cloud, backend_id=share.network_id).first()
    addresses = (server.addresses or {}).get(network.name if network else "", [])
    if not addresses:
        raise Conflict(
            _("The server %(name)s has no address on the share's network.") % {"name": server.name},
            code="no_address",
        )
    return allow_access(share, addresses[0], access_level, actor=actor)


def _access_task(share, action, actor, job, *args):
    with transaction.atomic():
        lock_for_operation(share)
        task = new_share_task(share, ACCESS_KIND, actor, action=action)
        enqueue(task, f"portal.shares.tasks.{job}", *args)
    return share, task


def _ip_or_cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value.strip(), strict=True)
    except ValueError:
        raise ValidationFailed(
            fields={"access_to": [_("Give an IP address or a CIDR (e.g. 10.0.0.0/24).")]}
        ) from None
    # One address as Manila spells it (no /32): rules compare by their text.
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return str(network)


# ---- mount clients --------------------------------------------------------------------


def mount_clients(share) -> list[str]:
    """The tenant's servers (of the share's region) one of whose addresses an access rule
    of the share covers: seed 004's GetMountClients, as the portal defines it."""
    networks = []
    for rule in share.access_rules:
        if rule.get("state") in ("queued_to_deny", "denying", "error"):
            continue
        networks.append(ipaddress.ip_network(rule["access_to"], strict=False))
    if not networks:
        return []
    servers = Server.objects.filter(tenant=share.tenant, cloud=share.cloud).exclude(
        status=Server.Status.DELETED
    )
    clients = []
    for instance_id, addresses in servers.values_list("instance_id", "addresses"):
        ips = [ip for ips in (addresses or {}).values() for ip in ips]
        if any(_covered(ip, networks) for ip in ips):
            clients.append(instance_id)
    return sorted(clients)


def _covered(ip, networks) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address.version == net.version and address in net for net in networks)
