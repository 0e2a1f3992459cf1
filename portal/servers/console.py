"""A server's remote console and console log, the request side: reads of the cloud that
answer like synchronous ones.

Only Celery jobs call cloud drivers, so each read is a short Task (kinds below) whose job
(workflows/console.py) stores what the cloud said in `Task.result`; the request waits
for it a few seconds, as `?wait=N` does, and gives back the Task if it is still running.
"""

from django.utils.translation import gettext as _

from portal.clouds import errors as cloud_errors
from portal.clouds.capabilities import CONSOLE, CONSOLE_LOG, refuse_unsupported
from portal.core.errors import Conflict, ValidationFailed
from portal.core.models import Task
from portal.core.services import enqueue, wait_for_task
from portal.servers.locking import server_task

CONSOLE_KIND = "server.console"
CONSOLE_LOG_KIND = "server.console_log"
DEFAULT_LOG_LINES = 100
MAX_LOG_LINES = 1000
# How long a request waits for the read when it does not say (`?wait=N`).
DEFAULT_WAIT_SECONDS = 15
# A read the worker has not picked up by then is failed by the janitor.
READ_DEADLINE_SECONDS = 300

# What a failed read raises again for its requester: the cloud's error, by its code.
_CLOUD_ERRORS = {
    error.code: error
    for error in (
        cloud_errors.CloudNotFound,
        cloud_errors.CloudConflict,
        cloud_errors.CloudBadRequest,
        cloud_errors.CloudUnavailable,
        cloud_errors.CloudForbidden,
        cloud_errors.CloudAuthFailed,
    )
}


def log_lines(raw) -> int:
    """The number of console log lines asked for (`?lines=N`): 1 to 1000, 100 if absent."""
    if raw in (None, ""):
        return DEFAULT_LOG_LINES
    try:
        lines = int(raw)
    except (TypeError, ValueError):
        lines = 0
    if not 1 <= lines <= MAX_LOG_LINES:
        raise ValidationFailed(
            fields={
                "lines": [_("Must be a whole number from 1 to %(max)d.") % {"max": MAX_LOG_LINES}]
            }
        )
    return lines


def request_console(server, *, actor, wait=DEFAULT_WAIT_SECONDS) -> Task:
    """Ask the cloud for the server's remote console URL; the Task, after `wait` seconds."""
    refuse_unsupported(server.cloud, CONSOLE)
    return _read(server, CONSOLE_KIND, "portal.servers.tasks.get_console", actor, wait)


def request_console_log(server, lines, *, actor, wait=DEFAULT_WAIT_SECONDS) -> Task:
    """Ask the cloud for the last `lines` lines of the server's console log."""
    refuse_unsupported(server.cloud, CONSOLE_LOG)
    return _read(
        server, CONSOLE_LOG_KIND, "portal.servers.tasks.get_console_log", actor, wait, lines
    )


def result_of(task) -> dict | None:
    """What the read found; None while it runs. A failed read raises its error again."""
    if task.state == Task.State.SUCCEEDED:
        return task.result
    if task.state == Task.State.FAILED:
        error = _CLOUD_ERRORS.get(task.error_code, cloud_errors.CloudError)
        raise error(task.message, code=task.error_code or None)
    return None


def _read(server, kind, job_name, actor, wait, *args) -> Task:
    if not server.backend_id:
        raise Conflict(
            _("The server is not in the cloud yet; try again when it is created."),
            code="invalid_state",
        )
    task = server_task(server, kind, actor, deadline=READ_DEADLINE_SECONDS)
    enqueue(task, job_name, *args)
    return wait_for_task(task, wait)
