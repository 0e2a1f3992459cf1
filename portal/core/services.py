"""Task records (create, start, progress, succeed, fail), waiting on them, and the audit log.

Services create a Task and queue its Celery job with `enqueue`; the job runs its work
through `execute_task`, which records the outcome. Only Celery jobs call cloud drivers.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from celery import current_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from portal.celery import app as celery_app
from portal.core import metrics
from portal.core.errors import PortalError
from portal.core.models import AuditEvent, Task
from portal.core.principals import Actor, actor_of
from portal.core.task_messages import CoreMessages

logger = logging.getLogger(__name__)

MAX_WAIT_SECONDS = 60

# kind -> callable(task): releases what a Task held (locks, quota) when it is abandoned.
_abandon_handlers: dict[str, Callable[[Task], None]] = {}
# callable(task), run in the transaction that ends any Task (webhooks record deliveries).
_finish_handlers: list[Callable[[Task], None]] = []


def run_seconds(kind) -> int:
    """How long a job of `kind` may run: its soft time limit (settings.TASK_RUN_SECONDS)."""
    return settings.TASK_RUN_SECONDS.get(kind, settings.CELERY_TASK_SOFT_TIME_LIMIT)


def deadline_seconds(kind) -> int:
    """A Task's default deadline, seconds from its creation: room for its job to run to
    its hard time limit twice, the second time after a dead worker's job came back
    (visibility timeout, lease), so the janitor never fails a job that can still end."""
    attempt = run_seconds(kind) + settings.TASK_HARD_LIMIT_GRACE
    return 2 * attempt + settings.CELERY_VISIBILITY_TIMEOUT + settings.TASK_LEASE_SECONDS


def create_task(
    kind, *, target_type="", target_id="", tenant=None, actor=None, deadline=None, action=""
):
    """A queued Task. `deadline` is seconds from now (default: `deadline_seconds(kind)`);
    `action` names the operation within its kind where the kind has several."""
    seconds = deadline or deadline_seconds(kind)
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

    soft = run_seconds(task.kind)
    limits = {"soft_time_limit": soft, "time_limit": soft + settings.TASK_HARD_LIMIT_GRACE}

    def send():
        signature = celery_app.signature(job_name, args=[str(task.id), *args])
        result = signature.apply_async(**limits)
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
    """Take the Task's lease for this job: (task, 0), or (None, 0) when it has finished
    already, or (None, seconds) while another worker's lease on it lasts that long.

    A queued Task is started. A running one is a redelivered job's: the broker hands a job
    again when its worker died, and when it ran longer than the visibility timeout; a
    stale heartbeat tells the first case (take the Task over and carry on: the workflows
    resume), a recent one the second (leave the Task to the live worker)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.TASK_LEASE_SECONDS)
    unleased = Q(heartbeat__isnull=True) | Q(heartbeat__lt=stale)
    claimable = Q(state=Task.State.QUEUED) | (Q(state=Task.State.RUNNING) & unleased)
    # One conditional UPDATE: of two deliveries of one job, only one takes the lease.
    # Only a worker renews it (an eager run holds none: no janitor takes it for dead).
    if Task.objects.filter(claimable, pk=task_id).update(heartbeat=now if _in_worker() else None):
        task = Task.objects.get(pk=task_id)
        if task.state == Task.State.QUEUED:
            task.start()
            task.save()
        elif task.started:
            logger.warning("task %s: taking over from a worker that stopped", task.pk)
        return task, 0
    task = Task.objects.filter(pk=task_id).first()
    if task is None or task.is_finished:
        return None, 0
    return None, max((task.heartbeat - stale).total_seconds(), 1.0)


def _finish(task, transition_name, *args):
    """Apply a final transition unless another process (the janitor) finished it first."""
    try:
        # A savepoint, so a refused save does not spoil a caller's transaction.
        with transaction.atomic():
            getattr(task, transition_name)(*args)
            task.heartbeat = None
            task.save()
            announce_task_finished(task)
    except (ConcurrentTransition, TransitionNotAllowed):
        task.refresh_from_db()
        logger.warning("task %s was finished elsewhere (%s)", task.pk, task.state)
        return False
    logger.info("task %s (%s) %s", task.pk, task.kind, task.state)
    metrics.record_task_finished(task)
    return True


def on_task_finished(handler):
    """Register `handler(task)`, called in the transaction that ends a Task: what it
    records is committed with the end, or not at all (so no end goes unannounced)."""
    _finish_handlers.append(handler)
    return handler


def announce_task_finished(task):
    for handler in _finish_handlers:
        handler(task)


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
    task, leased_for = _claim(task_id)
    if leased_for:
        _come_back_later(task_id, leased_for)
        return None
    if task is None:
        logger.info("task %s already finished; nothing to do", task_id)
        return None
    try:
        with _keeping_lease(task):
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


def _in_worker() -> bool:
    """Whether this runs as a job a worker received (not eagerly, not called directly)."""
    request = current_task.request if current_task else None
    return request is not None and not (request.called_directly or request.is_eager)


def _come_back_later(task_id, seconds):
    """A live worker holds the Task: queue this job again for when its lease would run
    out (well inside the visibility timeout, so the copy is not delivered twice itself)."""
    logger.info("task %s is running on another worker; looking again in %.0fs", task_id, seconds)
    if _in_worker():
        countdown = min(seconds, max(settings.CELERY_VISIBILITY_TIMEOUT / 2, 1))
        raise current_task.retry(countdown=countdown, max_retries=None)


@contextlib.contextmanager
def _keeping_lease(task):
    """Renew the Task's heartbeat from a thread while its job runs in a worker."""
    if not _in_worker():
        yield
        return
    done = threading.Event()

    def renew():
        while not done.wait(settings.TASK_LEASE_SECONDS / 3):
            try:
                Task.objects.filter(pk=task.pk, state=Task.State.RUNNING).update(
                    heartbeat=timezone.now()
                )
            except Exception:  # a database hiccup: the next beat tries again
                logger.exception("task %s: renewing its lease failed", task.pk)
        connection.close()  # this thread's own connection

    renewer = threading.Thread(target=renew, name=f"lease-{task.pk}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()


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
    """Fail Tasks still queued or running past their deadline, and those whose worker
    died and whose job no worker took over in time; returns how many."""
    now = now or timezone.now()
    past_deadline = Q(state__in=[Task.State.QUEUED, Task.State.RUNNING], deadline__lt=now)
    orphaned = Q(state=Task.State.RUNNING, heartbeat__lt=now - _redelivery_allowance())
    stuck = Task.objects.filter(past_deadline | orphaned).order_by("deadline")
    failed = 0
    for task in stuck.iterator():
        if task.deadline and task.deadline < now:
            message = CoreMessages.STUCK
        else:
            message = CoreMessages.WORKER_LOST
        if not fail_task(task, "stuck", message):
            continue
        failed += 1
        try:
            _release(task)
        except Exception:
            logger.exception("releasing what stuck task %s held failed", task.pk)
    return failed


def _redelivery_allowance() -> timedelta:
    """How long after a dead worker's last heartbeat its job is back on another worker at
    the latest (lease, visibility timeout), with a minute to spare."""
    seconds = settings.TASK_LEASE_SECONDS + settings.CELERY_VISIBILITY_TIMEOUT + 60
    return timedelta(seconds=seconds)


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
