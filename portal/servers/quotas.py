"""Quota reservations: how much of a tenant's quota its servers, volumes and running
operations hold, and taking more of it without two requests taking the last unit.

Usage is computed from the reservation rows (reserved + committed), never kept as a
counter that could drift. `reserve` locks the tenant's quota row (SELECT ... FOR UPDATE)
for the rest of the caller's transaction, so concurrent reservations of one tenant are
checked one after another against up-to-date usage.
"""

import logging

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from portal.core.errors import QuotaExceeded
from portal.servers.models import QuotaReservation
from portal.tenants.models import UNLIMITED, TenantQuota
from portal.tenants.quotas import quota_of

logger = logging.getLogger(__name__)

RESOURCES = TenantQuota.RESOURCES
Holding = QuotaReservation.State


def usage_of(tenant) -> dict[str, int]:
    """What the tenant's quota holds now, every resource (one query)."""
    totals = QuotaReservation.objects.filter(tenant=tenant, state__in=QuotaReservation.HOLDING)
    sums = totals.aggregate(**{name: Sum(name) for name in RESOURCES})
    return {name: sums[name] or 0 for name in RESOURCES}


def reserve(tenant, *, task=None, server=None, volume=None, **amounts) -> QuotaReservation:
    """Hold `amounts` (e.g. instances=1, cores=2) of the tenant's quota, or raise
    QuotaExceeded naming what is short. Must run inside the transaction that accepts
    the request; the quota row stays locked until it ends."""
    unknown = set(amounts) - set(RESOURCES)
    if unknown:
        raise ValueError(f"Unknown quota resources: {sorted(unknown)}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("reserve() must run inside the request's transaction")
    limits = _locked_quota(tenant).as_dict()
    used = usage_of(tenant)
    short = {
        name: {"limit": limits[name], "used": used[name], "requested": amount}
        for name, amount in amounts.items()
        if amount > 0 and limits[name] != UNLIMITED and used[name] + amount > limits[name]
    }
    if short:
        raise QuotaExceeded(
            _("The request needs more than the tenant's quota leaves of: %(names)s.")
            % {"names": ", ".join(sorted(short))},
            fields={
                name: [_("%(requested)d requested, %(used)d of %(limit)d in use.") % numbers]
                for name, numbers in short.items()
            },
        )
    return QuotaReservation.objects.create(
        tenant=tenant, task=task, server=server, volume=volume, **amounts
    )


def _locked_quota(tenant) -> TenantQuota:
    quota = quota_of(tenant)  # creates the default row on first use
    return TenantQuota.objects.select_for_update().get(pk=quota.pk)


def record(tenant, *, task=None, server=None, volume=None, **amounts) -> QuotaReservation:
    """A committed change that needs no check (e.g. the surplus a smaller flavor gives
    back: negative amounts)."""
    return QuotaReservation.objects.create(
        tenant=tenant,
        task=task,
        server=server,
        volume=volume,
        state=Holding.COMMITTED,
        **amounts,
    )


def commit_task_reservations(task) -> int:
    """The cloud did the work: what the task reserved is now in use."""
    return QuotaReservation.objects.filter(task=task, state=Holding.RESERVED).update(
        state=Holding.COMMITTED
    )


def release_task_reservations(task) -> int:
    """The task failed or was abandoned: give back what it reserved (a failed task always
    releases; what was already committed stays)."""
    released = QuotaReservation.objects.filter(task=task, state=Holding.RESERVED).update(
        state=Holding.RELEASED
    )
    if released:
        logger.info("task %s: released %d quota reservation(s)", task.pk, released)
    return released


def held_for_resize(server):
    """What a resize left for confirmation holds: the server's reserved rows (one
    operation at a time, so no other operation of the server holds any)."""
    return QuotaReservation.objects.filter(
        server=server, volume__isnull=True, state=Holding.RESERVED
    )


def commit(reservations) -> int:
    return reservations.filter(state=Holding.RESERVED).update(state=Holding.COMMITTED)


def release(reservations) -> int:
    return reservations.filter(state=Holding.RESERVED).update(state=Holding.RELEASED)


def release_server(server) -> int:
    """The cloud confirmed the server is gone: give back what the server itself held
    (its instance, cores, RAM and system disk), not what its data volumes hold."""
    return QuotaReservation.objects.filter(
        server=server, volume__isnull=True, state__in=QuotaReservation.HOLDING
    ).update(state=Holding.RELEASED)


def release_volume(volume) -> int:
    """The cloud confirmed the disk is gone: give back what the disk held."""
    return QuotaReservation.objects.filter(
        volume=volume, state__in=QuotaReservation.HOLDING
    ).update(state=Holding.RELEASED)
