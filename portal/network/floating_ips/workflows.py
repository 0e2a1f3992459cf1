"""Floating IPs, the cloud side: allocate, associate, dissociate, release (tasks.py runs
these with the tenant's driver), and their part of the network pull.

After an association changes, the server is read again from Nova and its addresses are
handed to `server_addresses_read`'s receivers (the servers app keeps them), so the
server's `addresses` show the floating IP as the cloud reports it.
"""

import contextlib
import time

from django.db import transaction
from django.dispatch import Signal

from portal.clouds.errors import CloudNotFound
from portal.clouds.mirror import CloudMirror, SyncCounts, pages
from portal.core.errors import Conflict
from portal.core.services import report_step
from portal.network.floating_ips.models import FloatingIP
from portal.network.task_messages import FloatingIPMessages as M
from portal.tenants import quotas
from portal.tenants.models import QuotaReservation, TenantIdentity

State = FloatingIP.State

# Sent with cloud=<Cloud>, server_id=<Nova id>, addresses=<network name -> IPs>.
server_addresses_read = Signal()
ADDRESS_WAIT_SECONDS = 30


def allocate(task, floating_ip, driver) -> str:
    report_step(task, 20, M.ALLOCATING(network=floating_ip.external_network_id))
    try:
        info = driver.floating_ips.create_floating_ip(floating_ip.external_network_id)
    except Exception as exc:
        with transaction.atomic():
            _set(floating_ip, state=State.FAILED, status_message=str(exc)[:500])
            quotas.release_task_reservations(task)
        raise
    with transaction.atomic():
        _set(floating_ip, backend_id=info.id, state=State.READY, **cloud_fields(info))
        quotas.commit_task_reservations(task)
    return M.ALLOCATED(address=info.floating_ip_address)


def associate(task, floating_ip, driver, device_id: str, fixed_ip_address: str) -> str:
    with _back_to_ready_on_error(floating_ip):
        report_step(task, 20, M.FINDING_PORT)
        port, fixed = _port_of(driver, device_id, fixed_ip_address)
        report_step(task, 50, M.ASSOCIATING(address=floating_ip.floating_ip_address, fixed=fixed))
        try:
            info = driver.floating_ips.associate_floating_ip(floating_ip.backend_id, port, fixed)
        except CloudNotFound as exc:
            # Neutron's 404 for "external network not reachable from the subnet".
            raise Conflict(
                M.NO_ROUTE(address=floating_ip.floating_ip_address, reason=exc.message),
                code="no_route_to_external_network",
            ) from exc
    _set(floating_ip, state=State.READY, status_message="", **cloud_fields(info))
    _read_server(driver, floating_ip.cloud, device_id, info.floating_ip_address, shown=True)
    return M.ASSOCIATED(address=info.floating_ip_address, fixed=info.fixed_ip_address)


def dissociate(task, floating_ip, driver) -> str:
    device_id = floating_ip.device_id
    with _back_to_ready_on_error(floating_ip):
        report_step(task, 30, M.DISSOCIATING(address=floating_ip.floating_ip_address))
        info = driver.floating_ips.dissociate_floating_ip(floating_ip.backend_id)
    _set(floating_ip, state=State.READY, status_message="", **cloud_fields(info))
    _read_server(driver, floating_ip.cloud, device_id, info.floating_ip_address, shown=False)
    return M.DISSOCIATED(address=info.floating_ip_address)


def release(task, floating_ip, driver) -> str:
    """Dissociate (if associated), release, then forget the row and give the quota back."""
    address, device_id = floating_ip.floating_ip_address, floating_ip.device_id
    with _back_to_ready_on_error(floating_ip):
        if floating_ip.port_id:
            report_step(task, 20, M.DISSOCIATING(address=address))
            driver.floating_ips.dissociate_floating_ip(floating_ip.backend_id)
        report_step(task, 50, M.RELEASING(address=address))
        driver.floating_ips.delete_floating_ip(floating_ip.backend_id)
    with transaction.atomic():
        quotas.release_held_by(floating_ip)
        floating_ip.delete()
    if device_id:
        _read_server(driver, floating_ip.cloud, device_id, address, shown=False)
    return M.RELEASED(address=address)


@contextlib.contextmanager
def _back_to_ready_on_error(floating_ip):
    """A refused operation leaves the floating IP ready, with the reason as its message."""
    try:
        yield
    except Exception as exc:
        reason = getattr(exc, "message", "") or str(exc)
        _set(floating_ip, state=State.READY, status_message=str(reason)[:500])
        raise


def _port_of(driver, device_id: str, fixed_ip_address: str) -> tuple[str, str]:
    """(port id, fixed address) of the server: the port holding `fixed_ip_address`, or
    the first port with an address."""
    for port in driver.floating_ips.list_device_ports(device_id):
        for address in port.fixed_ips:
            if not fixed_ip_address or address == fixed_ip_address:
                return port.id, address
    raise Conflict(M.NO_PORT(fixed=fixed_ip_address or "-"), code="no_port")


def _read_server(driver, cloud, device_id: str, address: str, *, shown: bool) -> None:
    """Hand the server's addresses, read again from Nova, to whoever keeps them.

    Nova learns of the change from Neutron's notification a moment later, so it is read
    until `address` is `shown` (or not), for ADDRESS_WAIT_SECONDS at most; what it says
    then is kept either way (the association itself is done; the state sync catches up).
    """
    deadline = time.monotonic() + ADDRESS_WAIT_SECONDS
    pause = 0.2
    while True:
        try:
            server = driver.compute.get_server(device_id)
        except CloudNotFound:
            return  # deleted meanwhile: its own deletion clears its addresses
        listed = any(address in ips for ips in server.addresses.values())
        if listed == shown or time.monotonic() >= deadline:
            break
        time.sleep(pause)
        pause = min(pause * 2, 2.0)
    server_addresses_read.send(
        sender=FloatingIP, cloud=cloud, server_id=device_id, addresses=server.addresses
    )


def _set(floating_ip, **fields) -> None:
    for name, value in fields.items():
        setattr(floating_ip, name, value)
    FloatingIP.objects.filter(pk=floating_ip.pk).update(**fields)


def cloud_fields(info) -> dict:
    """The mirrored fields of a floating IP as the driver reads it."""
    return {
        "project_id": info.project_id,
        "floating_ip_address": info.floating_ip_address,
        "external_network_id": info.floating_network_id,
        "status": info.status,
        "port_id": info.port_id,
        "fixed_ip_address": info.fixed_ip_address or "",
        "device_id": info.device_id,
        "router_id": info.router_id,
        "created_at": info.created_at,
    }


# ---- the network pull's part -------------------------------------------------------------


def mirror_floating_ips(cloud, infos) -> SyncCounts:
    """Mirror every project's floating IPs (read before, by the admin's driver): changes
    only, in pages; a new one belongs to the tenant of its project; what the cloud no
    longer lists is marked missing."""
    objects = {info.id: cloud_fields(info) for info in infos}
    tenant_of = dict(
        TenantIdentity.objects.filter(cloud=cloud)
        .exclude(project_id="")
        .values_list("project_id", "tenant_id")
    )

    def adopt(rows):
        for row in rows:
            row.tenant_id = tenant_of.get(row.project_id)
            row.state = State.READY

    mirror = CloudMirror(FloatingIP, cloud, on_create=adopt)
    for page in pages(objects):
        mirror.upsert({backend_id: objects[backend_id] for backend_id in page})
    if mirror.mark_missing():
        # Released behind the portal's back: the address no longer counts against quota.
        gone = FloatingIP.objects.filter(cloud=cloud, missing_since=mirror.now)
        held = quotas.held_by(list(gone.values_list("pk", flat=True)), kind=FloatingIP)
        held.filter(state__in=QuotaReservation.HOLDING).update(
            state=QuotaReservation.State.RELEASED
        )
    return mirror.counts
