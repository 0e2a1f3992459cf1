"""Floating IPs, the request side: allocate one from an external network, associate it
with a server's port, dissociate it, release it. The admin UI and the API call these; the
jobs (portal/network/tasks.py) run portal/network/floating_ips/workflows.py.

Associating needs a server, which lives in an app above this one: the servers app looks
the server up in the caller's scope and calls `associate` with its cloud id
(portal/servers/floating_ips.py). What server a floating IP is on is told by the lookup
the servers app registers (`register_server_lookup`).
"""

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from portal.clouds.capabilities import FLOATING_IPS, refuse_unsupported
from portal.core.errors import Conflict, ValidationFailed
from portal.core.principals import tenant_scope
from portal.core.services import create_task, enqueue, on_task_abandoned
from portal.network.floating_ips.models import FloatingIP
from portal.network.models import Network
from portal.tenants import quotas
from portal.tenants.regions import require_ready

ALLOCATE_KIND = "network.floating_ip.allocate"
ASSOCIATE_KIND = "network.floating_ip.associate"
DISSOCIATE_KIND = "network.floating_ip.dissociate"
RELEASE_KIND = "network.floating_ip.release"
TARGET = "floating_ip"
State = FloatingIP.State

# (cloud pk, Nova server id) pairs -> the portal's id of each server it knows.
ServerLookup = Callable[[set[tuple[int, str]]], dict[tuple[int, str], str]]
_server_lookups: list[ServerLookup] = []


def register_server_lookup(lookup: ServerLookup) -> None:
    """Called by the app that knows servers (portal.servers) when it is ready."""
    _server_lookups.append(lookup)


def instance_ids_of(floating_ips) -> dict[tuple[int, str], str]:
    """The portal's server id of each floating IP's device, in one query per lookup."""
    devices = {(fip.cloud_id, fip.device_id) for fip in floating_ips if fip.device_id}
    found: dict[tuple[int, str], str] = {}
    for lookup in _server_lookups:
        if devices:
            found.update(lookup(devices))
    return found


def dissociated_from_deleted_server(cloud_id: int, device_id: str) -> int:
    """The server `device_id` is gone from the cloud, and with it the ports its floating
    IPs were associated with (Neutron dissociates them)."""
    return FloatingIP.objects.filter(cloud_id=cloud_id, device_id=device_id).update(
        port_id="", fixed_ip_address="", device_id="", router_id="", status="DOWN"
    )


def floating_ips_visible_to(user):
    """Operators see every floating IP; a tenant its own that the cloud still has."""
    tenant = tenant_scope(user)
    if tenant is None:
        return FloatingIP.objects.all()
    return FloatingIP.objects.filter(tenant=tenant, missing_since__isnull=True)


def external_networks(cloud):
    """The present external networks of `cloud` (Neutron's router:external, set by the
    operator): where floating IPs come from."""
    return Network.objects.filter(cloud=cloud, external=True, missing_since__isnull=True)


def pick_external_network(cloud, external_network_id: str = "") -> Network:
    """The external network named, or the only one of the cloud; 400 otherwise."""
    networks = external_networks(cloud)
    if external_network_id:
        network = networks.filter(backend_id=external_network_id).first()
        if network is None:
            problem = _("No external network has this id in this region.")
            raise ValidationFailed(problem, fields={"external_network_id": [problem]})
        return network
    found = list(networks[:2])
    if len(found) != 1:
        problem = (
            _("This region has no external network.")
            if not found
            else _("This region has several external networks; name one.")
        )
        raise ValidationFailed(problem, fields={"external_network_id": [problem]})
    return found[0]


def allocate(tenant, cloud, *, external_network_id: str = "", actor):
    """Reserve a floating IP of the tenant's quota and queue its allocation; returns
    (floating IP, Task). Refused: a region where the tenant is not set up (409), an
    unknown or ambiguous external network (400), no quota left (409)."""
    refuse_unsupported(cloud, FLOATING_IPS)
    require_ready(tenant, cloud)
    network = pick_external_network(cloud, external_network_id)
    with transaction.atomic():
        floating_ip = FloatingIP.objects.create(
            cloud=cloud, tenant=tenant, external_network_id=network.backend_id,
            state=State.ALLOCATING,
        )  # fmt: skip
        task = _new_task(floating_ip, ALLOCATE_KIND, actor)
        quotas.reserve(tenant, task=task, holder=floating_ip, floating_ips=1)
        enqueue(task, "portal.network.tasks.allocate_floating_ip")
    return floating_ip, task


def associate(floating_ip, *, cloud_id: int, device_id: str, fixed_ip_address="", actor):
    """Queue the association of `floating_ip` with the server `device_id` (its Nova id,
    in `cloud_id`), on `fixed_ip_address` or the server's first fixed address. Refused:
    a server of another region (400), a floating IP busy or not allocated (409)."""
    if cloud_id != floating_ip.cloud_id:
        problem = _("The server is in another region than the floating IP.")
        raise ValidationFailed(problem, fields={"instance_id": [problem]})
    if not device_id:
        raise Conflict(_("The server is not created in the cloud yet."), code="invalid_state")
    return _start(
        floating_ip, ASSOCIATE_KIND, State.ASSOCIATING, "associate_floating_ip",
        device_id, fixed_ip_address or "", actor=actor,
    )  # fmt: skip


def dissociate(floating_ip, *, actor):
    """Queue its dissociation; 409 when it is not associated or busy."""
    if not floating_ip.port_id:
        raise Conflict(_("The floating IP is not associated."), code="not_associated")
    return _start(
        floating_ip, DISSOCIATE_KIND, State.DISSOCIATING, "dissociate_floating_ip", actor=actor
    )


def release(floating_ip, *, actor):
    """Queue its release (dissociated first if needed): the cloud gives the address back
    and so does the quota. A failed allocation is just forgotten."""
    if floating_ip.state == State.FAILED:
        with transaction.atomic():
            quotas.release_held_by(floating_ip)
            floating_ip.delete()
        return floating_ip, None
    return _start(floating_ip, RELEASE_KIND, State.RELEASING, "release_floating_ip", actor=actor)


def _start(floating_ip, kind, busy_state, job, *args, actor):
    """Move a ready floating IP to `busy_state` (the lock: one operation at a time), and
    queue `job` under a new Task."""
    with transaction.atomic():
        taken = FloatingIP.objects.filter(
            pk=floating_ip.pk, state=State.READY, backend_id__isnull=False
        ).update(state=busy_state, status_message="")
        if not taken:
            raise Conflict(
                _("The floating IP is %(state)s; try again when that has finished.")
                % {"state": floating_ip.get_state_display()},
                code="invalid_state",
            )
        floating_ip.state = busy_state
        task = _new_task(floating_ip, kind, actor)
        enqueue(task, f"portal.network.tasks.{job}", *args)
    return floating_ip, task


def _new_task(floating_ip, kind, actor):
    task = create_task(
        kind, target_type=TARGET, target_id=floating_ip.floating_ip_id,
        tenant=floating_ip.tenant, actor=actor,
    )  # fmt: skip
    FloatingIP.objects.filter(pk=floating_ip.pk).update(current_task=task)
    floating_ip.current_task = task
    return task


# ---- what the stuck-task janitor releases ------------------------------------------------
# Also run by a job that cannot open a cloud driver (no cloud user yet).


@on_task_abandoned(ALLOCATE_KIND)
def _abandoned_allocation(task):
    FloatingIP.objects.filter(floating_ip_id=task.target_id, state=State.ALLOCATING).update(
        state=State.FAILED, status_message=task.message[:500]
    )
    quotas.release_task_reservations(task)


@on_task_abandoned(ASSOCIATE_KIND)
@on_task_abandoned(DISSOCIATE_KIND)
@on_task_abandoned(RELEASE_KIND)
def _abandoned_operation(task):
    busy = (State.ASSOCIATING, State.DISSOCIATING, State.RELEASING)
    FloatingIP.objects.filter(floating_ip_id=task.target_id, state__in=busy).update(
        state=State.READY, status_message=task.message[:500]
    )
