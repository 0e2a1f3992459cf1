"""Deleting a server, and removing what a failed create left in the cloud (found by the
state sync)."""

import contextlib
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.clouds.errors import CloudNotFound
from portal.clouds.polling import wait_for_volume, wait_until
from portal.core.errors import PortalError
from portal.core.services import report_step
from portal.core.task_messages import TaskMessage
from portal.servers.disks.models import Volume
from portal.servers.locking import unlock
from portal.servers.task_messages import DeleteMessages as M
from portal.servers.workflows.recording import find_by_metadata, save_backend_id
from portal.tenants import quotas

logger = logging.getLogger(__name__)

# ---- leftovers of a failed create ------------------------------------------------------


def remove_leftovers(task, server, driver) -> TaskMessage:
    """Finish the cleanup of a failed create that the state sync found unfinished (the
    cloud was down during `_undo_create`, or the worker died mid-create): delete the data
    disks made for it, then the server with its boot volume, and wait until it is gone.
    The row stays failed; each removal is recorded as it happens, so after a failure the
    next sync retries only what remains."""
    try:
        _remove_in_cloud(task, server, driver)
    except Exception as exc:
        unlock(server)
        if isinstance(exc, PortalError):
            exc.reword(M.CLEANUP_FAILED(reason=exc))
        raise
    server.status_message = _(
        "Creating the server failed; what it left in the cloud was found by the state sync "
        "and removed."
    )
    server.save(
        update_fields=["status_message", "runtime_state", "power_state", "addresses", "updated"]
    )
    unlock(server)
    return M.LEFTOVERS_REMOVED(name=server.name)


def _remove_in_cloud(task, server, driver):
    """Delete what a failed create left: its data disks (detached first), its server."""
    if not server.backend_id and server.create_requested:
        found = find_by_metadata(driver, server)  # the worker died before recording it
        if found is not None:
            save_backend_id(server, found.id)
    for volume in server.data_volumes.in_cloud():
        report_step(task, 20, M.DELETING_DISK(name=volume))
        with contextlib.suppress(CloudNotFound):
            delete_volume(driver, server, volume)
        record_volumes_deleted([volume])
    if server.backend_id:
        report_step(task, 60, M.DELETING_SERVER)
        _delete_in_cloud(server, driver)
        server.runtime_state, server.power_state, server.addresses = "DELETED", "", {}


# ---- delete ----------------------------------------------------------------------------


def delete(task, server, driver, create_failed=False) -> TaskMessage:
    """Detach the data disks (they are kept), delete the server, wait until the cloud no
    longer has it, then give its quota back. A row whose create failed gave the tenant
    nothing: what its create left in the cloud, data disks included, is removed."""
    try:
        if create_failed:
            _remove_in_cloud(task, server, driver)
        elif server.backend_id:
            _detach_data_volumes(task, server, driver)
            report_step(task, 50, M.DELETING_SERVER)
            _delete_in_cloud(server, driver)
    except Exception as exc:
        # A cloud that took the deletion before the failure (while it was waited for,
        # say) no longer has the server: then the deletion is done.
        if create_failed or not _gone_from_cloud(server, driver):
            with transaction.atomic():
                server.cancel_delete(getattr(exc, "message", ""), create_failed)
                server.save(update_fields=["status", "status_message", "updated"])
            unlock(server)
            raise
    _record_deleted(server)
    return M.DELETED(name=server.name)


def _record_deleted(server):
    with transaction.atomic():
        quotas.release_held_by(server)
        server.data_volumes.update(server=None, device="", attached_at=None)
        server.mark_deleted()
        server.save(
            update_fields=["status", "runtime_state", "power_state", "addresses", "updated"]
        )
    unlock(server)


def _gone_from_cloud(server, driver) -> bool:
    """Whether the cloud answers that it no longer has the server (False when it has it
    or does not answer)."""
    if not server.backend_id:
        return False
    try:
        driver.compute.get_server(server.backend_id)
    except CloudNotFound:
        return True
    except Exception:
        logger.warning("server %s: could not ask whether the cloud still has it", server.pk)
    return False


def _detach_data_volumes(task, server, driver):
    volumes = list(server.data_volumes.in_cloud())  # not those a failed create removed
    if volumes:
        report_step(task, 20, M.DETACHING_DISKS)
    for volume in volumes:
        with contextlib.suppress(CloudNotFound):  # detached already (redelivery, by hand)
            driver.volumes.detach_volume(server.backend_id, volume.backend_id)
        wait_for_volume(
            driver, volume.backend_id, ("available",), what=M.DETACHING_A_DISK,
            cloud=server.cloud,
        )  # fmt: skip
        volume.status = "available"
        volume.save(update_fields=["status", "updated"])


def _delete_in_cloud(server, driver):
    try:
        driver.compute.delete_server(server.backend_id)
    except CloudNotFound:
        return

    def gone():
        try:
            driver.compute.get_server(server.backend_id)
        except CloudNotFound:
            return True
        return False

    wait_until(gone, bool, what=M.THE_DELETION, cloud=server.cloud)


# ---- data disks ------------------------------------------------------------------------


def delete_volume(driver, server, volume):
    info = driver.volumes.get_volume(volume.backend_id)
    if info.attachments and server.backend_id:
        driver.volumes.detach_volume(server.backend_id, volume.backend_id)
        wait_for_volume(
            driver, volume.backend_id, ("available",), what=M.DETACHING, cloud=server.cloud
        )
    driver.volumes.delete_volume(volume.backend_id)


def record_volumes_deleted(volumes):
    """The cloud no longer has these data disks: the state sync does not look for them."""
    Volume.objects.filter(pk__in=[volume.pk for volume in volumes]).update(
        status=Volume.DELETED, device="", updated=timezone.now()
    )
