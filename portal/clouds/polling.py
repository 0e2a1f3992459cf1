"""Waiting for the cloud: reading a resource until it reaches a state, with growing pauses,
up to the cloud's wait limit (its `wait_seconds` option). Only the worker side waits."""

import time
from collections.abc import Callable

from portal.clouds.base import ServerInfo
from portal.clouds.errors import CloudError
from portal.clouds.task_messages import CloudMessages

FIRST_PAUSE = 0.2  # seconds between the first polls
MAX_PAUSE = 10.0
DEFAULT_WAIT_SECONDS = 900


class OperationFailed(CloudError):
    code = "operation_failed"


def wait_until(read: Callable, done: Callable, *, what: str, cloud, failed=None):
    """Read until `done(result)`, with growing pauses; returns the last result. Raises
    OperationFailed when `failed(result)` or when the cloud's wait limit passes."""
    limit = cloud.options.get("wait_seconds", DEFAULT_WAIT_SECONDS)
    deadline = time.monotonic() + limit
    pause = FIRST_PAUSE
    while True:
        result = read()
        if done(result):
            return result
        if failed is not None and failed(result):
            raise OperationFailed(CloudMessages.OPERATION_FAILED(what=what))
        if time.monotonic() >= deadline:
            raise OperationFailed(CloudMessages.TOO_SLOW(what=what, seconds=limit))
        time.sleep(pause)
        pause = min(pause * 2, MAX_PAUSE)


def _settled(status: str) -> Callable[[ServerInfo], bool]:
    return lambda info: info.status == status and not info.task_state


def is_error(info) -> bool:
    return info.status == "ERROR"


def wait_for_server(driver, server, status, *, what, cloud):
    return wait_until(
        lambda: driver.compute.get_server(server.backend_id),
        _settled(status),
        what=what,
        cloud=cloud,
        failed=is_error,
    )


def wait_for_volume(driver, volume_id, statuses, *, what, cloud):
    return wait_until(
        lambda: driver.volumes.get_volume(volume_id),
        lambda info: info.status in statuses,
        what=what,
        cloud=cloud,
        failed=lambda info: info.status.startswith("error"),
    )
