"""A tenant's quota: its limits, read and changed, and how much of it the tenant's
resources and running operations hold (reservations), taken without two requests taking
the last unit.

Usage is computed from the reservation rows (reserved + committed), never kept as a
counter that could drift. `reserve` locks the tenant's quota row (SELECT ... FOR UPDATE)
for the rest of the caller's transaction, so concurrent reservations of one tenant are
checked one after another against up-to-date usage. A reservation is held by a resource
of any app (`holder`), or by an operation only (`task`).
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from portal.core.errors import QuotaExceeded, ValidationFailed
from portal.tenants.models import UNLIMITED, QuotaReservation, TenantQuota

logger = logging.getLogger(__name__)

RESOURCES = TenantQuota.RESOURCES
Holding = QuotaReservation.State


def quota_of(tenant) -> TenantQuota:
    """The tenant's quota; the defaults for a tenant that has none yet."""
    quota, _created = TenantQuota.objects.get_or_create(tenant=tenant)
    return quota


def update_quota(tenant, changes, *, actor) -> TenantQuota:
    """Set some of the tenant's limits (-1: unlimited); returns the whole quota."""
    unknown = sorted(set(changes) - set(TenantQuota.RESOURCES))
    if unknown:
        raise ValidationFailed(fields={name: [_("Not a quota.")] for name in unknown})
    with transaction.atomic():
        quota = quota_of(tenant)
        quota = TenantQuota.objects.select_for_update().get(pk=quota.pk)
        for name, value in changes.items():
            setattr(quota, name, value)
        try:
            quota.full_clean(exclude=["tenant"])
        except ValidationError as exc:
            raise ValidationFailed(fields=exc.message_dict) from exc
        quota.save()
    logger.info("tenant %s: quota set to %s by %s", tenant.pk, quota.as_dict(), actor)
    return quota


def usage_of(tenant) -> dict[str, int]:
    """What the tenant's quota holds now, every resource (one query)."""
    totals = QuotaReservation.objects.filter(tenant=tenant, state__in=QuotaReservation.HOLDING)
    sums = totals.aggregate(**{name: Sum(name) for name in RESOURCES})
    return {name: sums[name] or 0 for name in RESOURCES}


def reserve(tenant, *, task=None, holder=None, **amounts) -> QuotaReservation:
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
    return QuotaReservation.objects.create(tenant=tenant, task=task, holder=holder, **amounts)


def _locked_quota(tenant) -> TenantQuota:
    quota = quota_of(tenant)  # creates the default row on first use
    return TenantQuota.objects.select_for_update().get(pk=quota.pk)


def record(tenant, *, task=None, holder=None, **amounts) -> QuotaReservation:
    """A committed change that needs no check (e.g. the surplus a smaller flavor gives
    back: negative amounts)."""
    return QuotaReservation.objects.create(
        tenant=tenant, task=task, holder=holder, state=Holding.COMMITTED, **amounts
    )


def held_by(holder, *, kind=None):
    """The reservations a resource holds (`holder`: one instance; or, with `kind`, a
    model class, the primary keys of many of its instances)."""
    if kind is not None:
        holder_type = ContentType.objects.get_for_model(kind)
        return QuotaReservation.objects.filter(holder_type=holder_type, holder_id__in=holder)
    holder_type = ContentType.objects.get_for_model(holder)
    return QuotaReservation.objects.filter(holder_type=holder_type, holder_id=holder.pk)


def commit_task_reservations(task) -> int:
    """The cloud did the work: what the task reserved is now in use."""
    return commit(QuotaReservation.objects.filter(task=task))


def release_task_reservations(task) -> int:
    """The task failed or was abandoned: give back what it reserved (a failed task always
    releases; what was already committed stays)."""
    released = release(QuotaReservation.objects.filter(task=task))
    if released:
        logger.info("task %s: released %d quota reservation(s)", task.pk, released)
    return released


def commit(reservations) -> int:
    return reservations.filter(state=Holding.RESERVED).update(state=Holding.COMMITTED)


def release(reservations) -> int:
    return reservations.filter(state=Holding.RESERVED).update(state=Holding.RELEASED)


def release_held_by(holder) -> int:
    """The cloud confirmed the resource is gone: give back everything it held."""
    return held_by(holder).filter(state__in=QuotaReservation.HOLDING).update(state=Holding.RELEASED)
