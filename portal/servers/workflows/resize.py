"""Resizing a server (seed 003), and confirming or reverting a resize left for
confirmation."""

import dataclasses
import logging

from django.db import transaction

from portal.clouds.capabilities import supports
from portal.clouds.polling import is_error, wait_for_server, wait_until
from portal.core.services import report_step
from portal.core.task_messages import TaskMessage
from portal.servers.locking import unlock
from portal.servers.task_messages import ResizeMessages as M
from portal.servers.workflows.recording import FLAVOR_FIELDS, copy_flavor, record_server
from portal.tenants import quotas
from portal.tenants.models import QuotaReservation

logger = logging.getLogger(__name__)


def resize(task, server, driver, flavor) -> TaskMessage:
    """Seed 003's resize: check, stop (cold resize), resize, wait for VERIFY_RESIZE,
    confirm, restore the power state, settle the quota, unlock. Every step, the first
    read included, is inside the rollback: on failure the quota is settled against the
    flavor the cloud ends up holding (see `_settle_failed_resize`).

    A redelivered job carries on: the power state to restore was recorded by the first
    attempt, and a server already resized (VERIFY_RESIZE, or on the new flavor) is not
    resized again.

    A cloud whose kind has no confirm step (clouds.capabilities; Azure resizes in one
    step, restarting a running VM itself) is resized in place by default and waited for
    until the server is ACTIVE or SHUTOFF on the new flavor; nothing is confirmed."""
    cloud = server.cloud
    restores = server.resize_restores
    in_one_step = not supports(cloud, "confirm")
    try:
        report_step(task, 5, M.CHECKING)
        info = driver.compute.get_server(server.backend_id)
        restores = restores or _remember_power_state(server, info.status)
        if info.status != "VERIFY_RESIZE" and info.flavor_id != flavor.backend_id:
            if info.status == "ACTIVE" and not cloud.options.get("live_resize", in_one_step):
                report_step(task, 15, M.STOPPING_FOR_COLD)
                driver.compute.stop_server(server.backend_id)
                wait_for_server(driver, server, "SHUTOFF", what=M.STOPPING, cloud=cloud)
            report_step(task, 30, M.RESIZING(name=flavor.name))
            driver.compute.resize_server(server.backend_id, flavor.backend_id)
            if not in_one_step:
                report_step(task, 50, M.WAITING_VERIFY)
                info = wait_for_server(
                    driver, server, "VERIFY_RESIZE", what=M.THE_RESIZE, cloud=cloud
                )
        if in_one_step:
            report_step(task, 50, M.WAITING_RESIZED)
            info = _wait_resized_in_one_step(server, driver, flavor)
        elif leaves_resizes_for_confirmation(cloud):
            return _await_confirmation(server, info, flavor, restores)
        if info.status == "VERIFY_RESIZE":
            report_step(task, 70, M.CONFIRMING)
            info = _confirm_in_cloud(server, driver)
        info = _restore_power(task, server, driver, restores, info)
    except Exception:
        _settle_failed_resize(task, server, driver, flavor, restores)
        raise
    _finish_resize(task, server, info, flavor)
    return M.RESIZED(name=flavor.name)


def _remember_power_state(server, status) -> str:
    """Record the status to restore, so that a redelivered job (which may find the
    server stopped by the first attempt) restores the one the server had."""
    server.resize_restores = status
    server.save(update_fields=["resize_restores", "updated"])
    return status


def leaves_resizes_for_confirmation(cloud) -> bool:
    """The cloud's `resize_confirm` option: "auto" (default) confirms a resize in the
    same Task; "manual" leaves it in VERIFY_RESIZE for the user to confirm or revert, as
    Horizon does. Never on a kind that has no confirm step."""
    manual = cloud.options.get("resize_confirm", "auto") == "manual"
    return manual and supports(cloud, "confirm")


def _wait_resized_in_one_step(server, driver, flavor):
    """A kind without a confirm step: wait until the server has settled, running or
    stopped, on the new flavor."""
    return wait_until(
        lambda: driver.compute.get_server(server.backend_id),
        lambda i: (
            i.status in ("ACTIVE", "SHUTOFF")
            and i.flavor_id == flavor.backend_id
            and not i.task_state
        ),
        what=M.THE_RESIZE,
        cloud=server.cloud,
        failed=is_error,
    )


def _confirm_in_cloud(server, driver):
    driver.compute.confirm_resize(server.backend_id)
    return _wait_resize_settled(server, driver, what=M.CONFIRMING_THE_RESIZE)


def _wait_resize_settled(server, driver, *, what):
    return wait_until(
        lambda: driver.compute.get_server(server.backend_id),
        lambda i: i.status not in ("VERIFY_RESIZE", "RESIZE", "REVERT_RESIZE") and not i.task_state,
        what=what,
        cloud=server.cloud,
        failed=is_error,
    )


def _await_confirmation(server, info, flavor, restores) -> TaskMessage:
    """Leave the resize for the user: the extra quota stays reserved, the server is
    unlocked so that it can be confirmed, reverted or deleted (and nothing else)."""
    # The row keeps its flavor until the resize is confirmed: the quota settles against it.
    info = dataclasses.replace(info, flavor_id=server.flavor_ref)
    with transaction.atomic():
        server.await_resize_confirmation(flavor, restores)
        record_server(server, info, "status", "resize_flavor", "resize_restores")
    unlock(server)
    return M.AWAITS_CONFIRMATION(name=flavor.name)


def _restore_power(task, server, driver, status_before, info):
    if status_before == "ACTIVE" and info.status == "SHUTOFF":
        report_step(task, 85, M.STARTING_AGAIN)
        driver.compute.start_server(server.backend_id)
        info = wait_for_server(driver, server, "ACTIVE", what=M.STARTING, cloud=server.cloud)
    return info


def _finish_resize(task, server, info, flavor, reservations=None):
    """Settle the quota of a confirmed resize: what was reserved is in use, a smaller
    flavor gives the surplus back. `reservations`: those of a resize left for
    confirmation (the Task's own by default)."""
    old_vcpus, old_ram = server.vcpus, server.ram
    with transaction.atomic():
        if reservations is None:
            quotas.commit_task_reservations(task)
        else:
            quotas.commit(reservations)
        shrink = {"cores": min(flavor.vcpus - old_vcpus, 0), "ram": min(flavor.ram - old_ram, 0)}
        if any(shrink.values()):  # a smaller flavor gives the surplus back
            quotas.record(server.tenant, task=task, holder=server, **shrink)
        copy_flavor(server, flavor)
        server.end_resize()
        record_server(server, info, *FLAVOR_FIELDS, *RESIZE_FIELDS)
    unlock(server)


RESIZE_FIELDS = ["status", "resize_flavor", "resize_restores"]


def _settle_failed_resize(task, server, driver, flavor, restores):
    """Revert what the cloud holds if the resize is still unconfirmed, restore the power
    state, then settle the quota against the flavor the cloud holds: a resize confirmed
    before the failure (the restart failed, say) keeps its reservation, now in use;
    otherwise the reservation is released. The server is unlocked either way."""
    logger.warning("task %s: resizing server %s failed; rolling back", task.pk, server.pk)
    info = None
    try:
        info = driver.compute.get_server(server.backend_id)
        if info.status == "VERIFY_RESIZE":
            driver.compute.revert_resize(server.backend_id)
            info = _wait_resize_settled(server, driver, what=M.REVERTING_THE_RESIZE)
        info = _restore_power(task, server, driver, restores, info)
    except Exception:
        logger.exception("task %s: rolling back the resize of %s failed", task.pk, server.pk)
    if info is not None and info.flavor_id == flavor.backend_id and info.status != "VERIFY_RESIZE":
        _finish_resize(task, server, info, flavor)
        return
    with transaction.atomic():
        quotas.release_task_reservations(task)
        server.end_resize()
        if info is None:  # the cloud did not answer: the state sync records what it holds
            server.save(update_fields=["status", *RESIZE_FIELDS[1:], "updated"])
        else:
            record_server(server, info, *RESIZE_FIELDS)
    unlock(server)


# ---- a resize left for confirmation ----------------------------------------------------


def confirm_resize(task, server, driver) -> TaskMessage:
    """Confirm a resize left for confirmation, restore the power state, settle the
    quota. A redelivered job finds it confirmed already and only settles."""
    flavor = server.resize_flavor
    try:
        report_step(task, 20, M.CONFIRMING)
        info = driver.compute.get_server(server.backend_id)
        if info.status == "VERIFY_RESIZE":
            info = _confirm_in_cloud(server, driver)
        info = _restore_power(task, server, driver, server.resize_restores, info)
    except Exception:
        unlock(server)  # it stays resized: confirm or revert again
        raise
    _finish_resize(task, server, info, flavor, reservations=_held_for_resize(server))
    return M.RESIZED(name=flavor.name)


def _held_for_resize(server):
    """What a resize left for confirmation holds: the server's reserved rows (one
    operation at a time, so no other operation of the server holds any)."""
    return quotas.held_by(server).filter(state=QuotaReservation.State.RESERVED)


def revert_resize(task, server, driver) -> TaskMessage:
    """Go back to the earlier flavor, restore the power state, release the reserved
    quota. A redelivered job finds it reverted already and only settles."""
    try:
        report_step(task, 20, M.REVERTING)
        info = driver.compute.get_server(server.backend_id)
        if info.status == "VERIFY_RESIZE":
            driver.compute.revert_resize(server.backend_id)
            info = _wait_resize_settled(server, driver, what=M.REVERTING_THE_RESIZE)
        info = _restore_power(task, server, driver, server.resize_restores, info)
    except Exception:
        unlock(server)  # it stays resized: confirm or revert again
        raise
    with transaction.atomic():
        quotas.release(_held_for_resize(server))
        server.end_resize()
        record_server(server, info, *RESIZE_FIELDS)
    unlock(server)
    return M.REVERTED(name=server.flavor_name)
