"""Polling until a server or volume reaches a state: for tests and scripts.

The portal's Celery jobs poll with their own backoff and deadlines; these helpers are
the simple, blocking form of the same loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import TypeVar

from portal.clouds.base import CloudDriver, ServerInfo, VolumeInfo
from portal.clouds.errors import CloudNotFound

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """The object did not get there in time (an AssertionError so pytest shows it well)."""


def wait_until(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout: float,
    interval: float = 0.5,
    failed: Callable[[T], bool] = lambda _: False,
) -> T:
    """Call `fetch` until `done(result)`; raise if `failed(result)` or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        current = fetch()
        if done(current):
            return current
        if failed(current):
            raise WaitTimeout(f"gave up: {current}")
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"not done after {timeout}s: {current}")
        time.sleep(interval)


def wait_for_server(
    driver: CloudDriver, server_id: str, statuses: Collection[str], timeout: float = 120
) -> ServerInfo:
    """Wait for one of `statuses` with no task running: after a reboot Nova keeps the
    status ACTIVE while task_state is `rebooting*`, and the next action would get 409."""
    return wait_until(
        lambda: driver.compute.get_server(server_id),
        lambda server: server.status in statuses and server.task_state is None,
        failed=lambda server: server.status == "ERROR" and "ERROR" not in statuses,
        timeout=timeout,
    )


def wait_for_server_gone(driver: CloudDriver, server_id: str, timeout: float = 120) -> None:
    def gone() -> bool:
        try:
            driver.compute.get_server(server_id)
        except CloudNotFound:
            return True
        return False

    wait_until(gone, bool, timeout=timeout)


def wait_for_volume(
    driver: CloudDriver,
    volume_id: str,
    statuses: Collection[str],
    timeout: float = 60,
    size: int | None = None,
) -> VolumeInfo:
    """Wait for one of `statuses` (and `size`: Cinder's extend is asynchronous, and the
    status may still read `available` right after the call)."""
    return wait_until(
        lambda: driver.volumes.get_volume(volume_id),
        lambda volume: volume.status in statuses and size in (None, volume.size),
        failed=lambda volume: volume.status.startswith("error"),
        timeout=timeout,
    )
