"""Slow operations without background threads: pending transitions applied lazily.

An operation that takes time in a real cloud (a server build, a resize, a volume being
created) puts the object in its interim state at once and records what it becomes and
when (`pending`, `ready_at`). Whoever reads the object after `ready_at` - in any process -
applies the pending change first, under a row lock so it is applied exactly once.

The delay of each transition comes from `cloud.options["delays"]`: seconds per transition
name ("build", "resize", "stop", ...), "default" for the others, 0 for immediate.
"""

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.clouds.simulator.models import SimulatedObject

# What to do after a transition completes, by name (stored in the row, so not a callable):
# e.g. "delete_server" removes a server and what it owns once its deletion is due.
_FINISHERS: dict[str, Callable[[SimulatedObject], None]] = {}


def finisher(name: str):
    """Register the decorated function as the finisher `name`."""

    def register(function):
        _FINISHERS[name] = function
        return function

    return register


def delay_of(cloud, transition_name: str) -> float:
    delays = cloud.options.get("delays") or {}
    return float(delays.get(transition_name, delays.get("default", 0)))


def begin(
    obj: SimulatedObject,
    transition_name: str,
    *,
    interim: dict,
    final: dict,
    then: str | None = None,
) -> None:
    """Move `obj` to its `interim` state now and to `final` after the transition's delay.

    `interim` and `final` may hold "status", "task_state" and "data" (merged into
    obj.data). `then` names a finisher run after `final` is applied. Saves `obj`.
    """
    _apply_fields(obj, interim)
    obj.pending = {"final": final, "then": then}
    obj.ready_at = timezone.now() + timedelta(seconds=delay_of(obj.cloud, transition_name))
    if obj.ready_at <= timezone.now():
        complete(obj)
    else:
        obj.save()


def complete(obj: SimulatedObject) -> None:
    """Apply the pending transition of `obj` now (the caller holds its row lock)."""
    pending, obj.pending, obj.ready_at = obj.pending, None, None
    _apply_fields(obj, pending["final"])
    obj.save()
    if pending.get("then"):
        _FINISHERS[pending["then"]](obj)


def settle(queryset) -> None:
    """Apply every transition that is due among the objects of `queryset`."""
    due = queryset.filter(ready_at__lte=timezone.now()).values_list("pk", flat=True)
    for pk in list(due):
        _complete_if_due(pk)


def _complete_if_due(pk: int) -> None:
    with transaction.atomic():
        # Another process may have applied it since we looked: re-check under the lock.
        obj = (
            SimulatedObject.objects.select_for_update()
            .select_related("cloud")
            .filter(pk=pk, ready_at__lte=timezone.now())
            .first()
        )
        if obj is not None:
            complete(obj)


def _apply_fields(obj: SimulatedObject, change: dict) -> None:
    if "status" in change:
        obj.status = change["status"]
    if "task_state" in change:
        obj.task_state = change["task_state"] or ""
    if change.get("data"):
        obj.data = {**obj.data, **change["data"]}
