"""Task records (create, start, progress, succeed, fail), waiting on them, and the audit log.

Services create a Task and queue its Celery job with `enqueue`; the job runs its work
through `execute_task`, which records the outcome. Only Celery jobs call cloud drivers.
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from portal.celery import app as celery_app
from portal.core.errors import PortalError
from portal.core.models import AuditEvent, Task
from portal.core.principals import Actor, actor_of
from portal.core.task_messages import CoreMessages

logger = logging.getLogger(__name__)

MAX_WAIT_SECONDS = 60

# kind -> callable(task): releases what a Task held (locks, quota) when it is abandoned.
_abandon_handlers: dict[str, Callable[[Task], None]] = {}


def create_task(
    kind, *, target_type="", target_id="", tenant=None, actor=None, deadline=None, action=""
):
    """A queued Task. `deadline` is seconds from now (default TASK_DEFAULT_DEADLINE_SECONDS);
    `action` names the operation within its kind where the kind has several."""
    seconds = deadline or settings.TASK_DEFAULT_DEADLINE_SECONDS
    requested_by = str(actor) if isinstance(actor, Actor) else str(actor or "system:portal")
    return Task.objects.create(
        kind=kind,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        tenant=tenant,
        requested_by=requested_by[:200],
        deadline=timezone.now() + timedelta(seconds=seconds),
    )


def enqueue(task, job_name, *args):
    """Queue the Celery job registered as `job_name`, as `job(task_id, *args)`, once the
    current transaction commits.

    By name, so the request side never imports the worker side: a signature runs the
    registered task where this process knows it (eager in tests), else it is sent.
    """

    def send():
        result = celery_app.signature(job_name, args=[str(task.id), *args]).apply_async()
        Task.objects.filter(pk=task.pk, celery_id="").update(celery_id=result.id or "")

    transaction.on_commit(send)


def report_progress(task, percent, message=""):
    """Record progress of a running Task (a conditional UPDATE: never revives a finished one).

    `message` is a task message (core.task_messages), shown in each reader's language."""
    percent = max(0, min(100, int(percent)))
    task.progress = percent
    task.set_message(message)
    Task.objects.filter(pk=task.pk, state=Task.State.RUNNING).update(
        progress=percent, message_code=task.message_code, message_params=task.message_params
    )


def report_step(task, percent, message):
    """Record a step of a running Task's work as its progress, and log it."""
    report_progress(task, percent, message)
    logger.info("task %s: %s", task.pk, task.message)


def _claim(task_id):
    """Move a queued Task to running; None when it has already finished (a redelivery)."""
    task = Task.objects.filter(pk=task_id).first()
    if task is None or task.is_finished:
        return None
    if task.state == Task.State.QUEUED:
        task.start()
        task.save()
    return task


def _finish(task, transition_name, *args):
    """Apply a final transition unless another process (the janitor) finished it first."""
    try:
        # A savepoint, so a refused save does not spoil a caller's transaction.
        with transaction.atomic():
            getattr(task, transition_name)(*args)
            task.save()
    except (ConcurrentTransition, TransitionNotAllowed):
        task.refresh_from_db()
        logger.warning("task %s was finished elsewhere (%s)", task.pk, task.state)
        return False
    return True


def succeed_task(task, message=""):
    return _finish(task, "succeed", message)


def fail_task(task, code, message):
    """Fail `task` with `message` (a task message, or the PortalError that failed it)."""
    return _finish(task, "fail", code, message)


def execute_task(task_id, work: Callable[[Task], str | None]):
    """Run `work(task)` for a queued Task and record its outcome; returns the Task.

    A PortalError (cloud errors included) fails the Task with its code and sentence;
    anything else is logged in full and the Task says only that it failed.
    """
    task = _claim(task_id)
    if task is None:
        logger.info("task %s already finished; nothing to do", task_id)
        return None
    try:
        message = work(task)
    except PortalError as exc:
        logger.warning("task %s (%s) failed: %s %s", task.pk, task.kind, exc.code, exc.message)
        fail_task(task, exc.code, exc)
    except SoftTimeLimitExceeded:
        logger.error("task %s (%s) ran out of time", task.pk, task.kind)
        fail_task(task, "timeout", CoreMessages.TIMED_OUT)
    except Exception:
        logger.exception("task %s (%s) crashed", task.pk, task.kind)
        fail_task(task, "internal_error", CoreMessages.CRASHED)
    else:
        succeed_task(task, message or "")
    return task


def wait_for_task(task, seconds):
    """Block until the Task finishes or `seconds` (at most 60) pass; returns it refreshed."""
    deadline = time.monotonic() + min(max(float(seconds), 0.0), MAX_WAIT_SECONDS)
    pause = 0.05
    task.refresh_from_db()
    while not task.is_finished and time.monotonic() < deadline:
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 1.5, 0.5)
        task.refresh_from_db()
    return task


def on_task_abandoned(kind):
    """Register what releases a Task's locks and quota when the janitor fails it."""

    def register(handler):
        _abandon_handlers[kind] = handler
        return handler

    return register


def release_held(task, reason):
    """Release what `task` holds as the janitor would (its registered handler), with
    `reason` (a task message or PortalError) as the message the handler records: for a job
    that cannot start its work (no cloud driver can be opened)."""
    task.set_message(reason)
    _release(task)


def _release(task):
    handler = _abandon_handlers.get(task.kind)
    if handler is not None:
        handler(task)


def fail_stuck_tasks(now=None):
    """Fail Tasks still queued or running past their deadline; returns how many."""
    now = now or timezone.now()
    stuck = Task.objects.filter(
        state__in=[Task.State.QUEUED, Task.State.RUNNING], deadline__lt=now
    ).order_by("deadline")
    failed = 0
    for task in stuck.iterator():
        if not fail_task(task, "stuck", CoreMessages.STUCK):
            continue
        failed += 1
        try:
            _release(task)
        except Exception:
            logger.exception("releasing what stuck task %s held failed", task.pk)
    return failed


def record_audit_event(request, status_code):
    match = getattr(request, "resolver_match", None)
    if match is None:
        return
    actor = actor_of(getattr(request, "user", None))
    object_id = next(iter(match.kwargs.values()), "") if match.kwargs else ""
    AuditEvent.objects.create(
        actor_type=actor.type,
        actor=actor.name[:200],
        tenant_id=actor.tenant_id,
        action=f"{match.view_name or match.url_name} {request.method}"[:200],
        method=request.method,
        path=request.path[:500],
        object_id=str(object_id)[:100],
        status_code=status_code,
        request_id=getattr(request, "request_id", "")[:64],
        ip_address=request.META.get("REMOTE_ADDR") or None,
    )
