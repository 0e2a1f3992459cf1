"""The cloud side of server operations, run by the Celery jobs in tasks.py with a driver
they opened (the tenant's own user; the cloud's admin for administrators' operations).

Each flow writes its steps on the Task with their progress, records what the cloud
returns as soon as it returns it (so a redelivered job carries on instead of repeating),
and on failure undoes what it did, gives the quota back and unlocks the server before
the error fails the Task.
"""

import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.clouds.base import ServerInfo, ServerSpec
from portal.clouds.errors import CloudError, CloudNotFound
from portal.core.errors import PortalError
from portal.core.services import report_progress
from portal.servers import quotas
from portal.servers.models import Flavor, Volume
from portal.servers.services import (
    OPERATIONS,
    check_flavor_unused,
    record_flavor_access,
    record_new_flavor,
    tenant_projects,
    unlock,
)

logger = logging.getLogger(__name__)

METADATA_KEY = "portal_instance_id"
FIRST_PAUSE = 0.2  # seconds between the first polls
MAX_PAUSE = 10.0
DEFAULT_WAIT_SECONDS = 900


class OperationFailed(CloudError):
    code = "operation_failed"


# ---- polling ---------------------------------------------------------------------------


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
            raise OperationFailed(_("The cloud reports that %(what)s failed.") % {"what": what})
        if time.monotonic() >= deadline:
            raise OperationFailed(
                _("%(what)s did not finish within %(seconds)d seconds.")
                % {"what": what, "seconds": limit}
            )
        time.sleep(pause)
        pause = min(pause * 2, MAX_PAUSE)


def _settled(status: str) -> Callable[[ServerInfo], bool]:
    return lambda info: info.status == status and not info.task_state


def _is_error(info) -> bool:
    return info.status == "ERROR"


def wait_for_server(driver, server, status, *, what, cloud):
    return wait_until(
        lambda: driver.compute.get_server(server.backend_id),
        _settled(status),
        what=what,
        cloud=cloud,
        failed=_is_error,
    )


def wait_for_volume(driver, volume_id, statuses, *, what, cloud):
    return wait_until(
        lambda: driver.volumes.get_volume(volume_id),
        lambda info: info.status in statuses,
        what=what,
        cloud=cloud,
        failed=lambda info: info.status.startswith("error"),
    )


# ---- recording what the cloud holds ------------------------------------------------------


def record_server(server, info: ServerInfo, *extra_fields):
    """Copy the cloud's view of the server onto the row (the flavor too, if it changed)."""
    server.runtime_state = info.status
    server.power_state = info.power_state
    server.addresses = dict(info.addresses)
    server.hypervisor_hostname = info.host
    server.availability_zone = info.availability_zone or server.availability_zone
    server.cloud_locked = info.locked
    server.security_group_names = list(info.security_groups) or server.security_group_names
    fields = [
        "runtime_state", "power_state", "addresses", "hypervisor_hostname",
        "availability_zone", "cloud_locked", "security_group_names", "synced_at", "updated",
    ]  # fmt: skip
    if info.flavor_id and info.flavor_id != server.flavor_ref:
        flavor = Flavor.objects.filter(cloud=server.cloud, backend_id=info.flavor_id).first()
        if flavor is not None:
            copy_flavor(server, flavor)
            fields += FLAVOR_FIELDS
    server.synced_at = timezone.now()
    server.save(update_fields=[*fields, *extra_fields])


FLAVOR_FIELDS = ["flavor", "flavor_ref", "flavor_name", "vcpus", "ram", "flavor_disk"]


def copy_flavor(server, flavor):
    server.flavor = flavor
    server.flavor_ref = flavor.backend_id
    server.flavor_name = flavor.name
    server.vcpus, server.ram, server.flavor_disk = flavor.vcpus, flavor.ram, flavor.disk


def _step(task, percent, message):
    report_progress(task, percent, message)
    logger.info("task %s: %s", task.pk, message)


# ---- flavors ---------------------------------------------------------------------------


def create_flavor(task, cloud, driver, spec, projects) -> str:
    """Make the flavor (admin driver), grant it to the tenants' projects, mirror it. If
    a grant fails, the flavor is deleted again: no half-shared flavor stays behind."""
    _step(task, 20, _("Creating flavor %(name)s") % {"name": spec["name"]})
    info = driver.compute.create_flavor(
        spec["name"],
        spec["vcpus"],
        spec["ram"],
        spec["disk"],
        is_public=spec["is_public"],
        extra_specs=spec["extra_specs"],
    )
    try:
        if projects:
            _step(task, 60, _("Sharing it with %(count)d tenant(s)") % {"count": len(projects)})
        for project_id in projects.values():
            driver.compute.add_flavor_access(info.id, project_id)
    except Exception:
        _quietly(driver.compute.delete_flavor, info.id)
        raise
    record_new_flavor(cloud, info, list(projects))
    return _("Flavor %(name)s was created.") % {"name": info.name}


def share_flavor(task, flavor, driver, wanted_projects) -> str:
    """Grant the flavor to the wanted tenants' projects and revoke it from the other
    tenants' (the cloud's own projects are left alone), then mirror the access list the
    cloud reads back. If a call fails, what was changed is undone: no half-done change."""
    wanted = set(wanted_projects)
    current = set(driver.compute.list_flavor_access(flavor.backend_id))
    grants = sorted(wanted - current)
    revokes = sorted((current - wanted) & tenant_projects(flavor.cloud))
    _step(task, 30, _("Sharing flavor %(name)s") % {"name": flavor.name})
    done = []
    try:
        for project_id in grants:
            driver.compute.add_flavor_access(flavor.backend_id, project_id)
            done.append((driver.compute.remove_flavor_access, project_id))
        for project_id in revokes:
            driver.compute.remove_flavor_access(flavor.backend_id, project_id)
            done.append((driver.compute.add_flavor_access, project_id))
    except Exception:
        for undo, project_id in reversed(done):
            _quietly(undo, flavor.backend_id, project_id)
        raise
    record_flavor_access(flavor, driver.compute.list_flavor_access(flavor.backend_id))
    return _("Flavor %(name)s: %(added)d tenant(s) added, %(removed)d removed.") % {
        "name": flavor.name,
        "added": len(grants),
        "removed": len(revokes),
    }


def delete_flavor(task, flavor, driver) -> str:
    """Delete the flavor in the cloud (gone already is fine), then its row."""
    check_flavor_unused(flavor)  # a server may have taken it since the request
    _step(task, 30, _("Deleting flavor %(name)s") % {"name": flavor.name})
    with contextlib.suppress(CloudNotFound):
        driver.compute.delete_flavor(flavor.backend_id)
    flavor.delete()
    return _("Flavor %(name)s was deleted.") % {"name": flavor.name}


# ---- create ----------------------------------------------------------------------------


def create(task, server, driver) -> str:
    """Seed 004's 创建云主机: the server with its boot volume (BDM v2) and the data volumes
    are asked for together, then waited for while the cloud builds them side by side;
    the data volumes are attached once the server is ACTIVE."""
    volumes = list(server.data_volumes.order_by("position"))
    try:
        _create_server(task, server, driver)
        _create_volumes(task, server, volumes, driver)
        _step(task, 40, _("Waiting for the server and its disks to be ready"))
        info = wait_for_server(driver, server, "ACTIVE", what=_("the build"), cloud=server.cloud)
        for volume in volumes:
            wait_for_volume(
                driver, volume.backend_id, ("available", "in-use"), what=_("a data disk"),
                cloud=server.cloud,
            )  # fmt: skip
        _attach_volumes(task, server, volumes, driver)
        info = driver.compute.get_server(server.backend_id)
    except Exception as exc:
        _undo_create(task, server, volumes, driver, exc)
        raise
    with transaction.atomic():
        server.mark_created()
        server.admin_pass = ""
        record_server(server, info, "status", "status_message", "admin_pass")
        quotas.commit_task_reservations(task)
    unlock(server)
    return _("Server %(name)s is ready.") % {"name": server.name}


def _create_server(task, server, driver):
    if server.backend_id:
        return  # a redelivered job: created before
    if server.create_requested:
        # The job died between asking and recording: the metadata finds the server.
        found = _find_by_metadata(driver, server)
        if found is not None:
            _save_backend_id(server, found.id)
            return
    _step(task, 10, _("Creating the server with its system disk"))
    server.create_requested = timezone.now()
    server.save(update_fields=["create_requested"])
    info = driver.compute.create_server(_spec(server))
    _save_backend_id(server, info.id)


def _spec(server) -> ServerSpec:
    return ServerSpec(
        name=server.name,
        flavor_id=server.flavor_ref,
        image_id=server.image.backend_id if server.image else server.image_ref,
        boot_volume_size=server.system_disk_size,
        boot_volume_type=server.system_disk_type,
        network_ids=[server.network_id],
        security_groups=list(server.security_group_names),
        availability_zone=server.availability_zone,
        host=server.hypervisor_hostname,
        key_name=server.key_name,
        admin_pass=server.admin_pass,
        metadata={METADATA_KEY: server.instance_id},
    )


def _find_by_metadata(driver, server):
    for info in driver.compute.iter_servers():
        if info.metadata.get(METADATA_KEY) == server.instance_id:
            return info
    return None


def _save_backend_id(obj, backend_id):
    obj.backend_id = backend_id
    obj.save(update_fields=["backend_id"])


def _create_volumes(task, server, volumes, driver):
    pending = [volume for volume in volumes if not volume.backend_id]
    if pending:
        _step(task, 20, _("Creating %(count)d data disk(s)") % {"count": len(pending)})
    for volume in pending:
        info = driver.volumes.create_volume(
            volume.name,
            volume.size,
            volume_type=volume.volume_type,
            availability_zone=server.availability_zone,
            description=_("Data disk of server %(id)s") % {"id": server.instance_id},
        )
        _save_backend_id(volume, info.id)


def _attach_volumes(task, server, volumes, driver):
    if volumes:
        _step(task, 70, _("Attaching the data disks"))
    for volume in volumes:
        info = driver.volumes.get_volume(volume.backend_id)
        if not any(a.server_id == server.backend_id for a in info.attachments):
            driver.volumes.attach_volume(server.backend_id, volume.backend_id)
        info = wait_for_volume(
            driver, volume.backend_id, ("in-use",), what=_("attaching a data disk"),
            cloud=server.cloud,
        )  # fmt: skip
        volume.status = info.status
        volume.device = next((a.device for a in info.attachments), "")
        volume.save(update_fields=["status", "device", "updated"])


def _undo_create(task, server, volumes, driver, exc):
    """Delete what was made (data disks first: detached, then the server with its boot
    volume), give the quota back, mark the row failed."""
    logger.warning("task %s: creating server %s failed; cleaning up", task.pk, server.pk)
    deleted = [
        volume
        for volume in volumes
        if volume.backend_id and _quietly(_delete_volume, driver, server, volume)
    ]
    if server.backend_id:
        _quietly(driver.compute.delete_server, server.backend_id)
    reason = exc.message if isinstance(exc, PortalError) else _("an unexpected error")
    message = _("Creating the server failed (%(reason)s); what was made was removed.") % {
        "reason": reason
    }
    with transaction.atomic():
        _record_volumes_deleted(deleted)
        quotas.release_task_reservations(task)
        server.mark_create_failed(message)
        server.admin_pass = ""
        server.save(update_fields=["status", "status_message", "admin_pass", "updated"])
    unlock(server)
    if isinstance(exc, PortalError):
        exc.message = message


def _delete_volume(driver, server, volume):
    info = driver.volumes.get_volume(volume.backend_id)
    if info.attachments and server.backend_id:
        driver.volumes.detach_volume(server.backend_id, volume.backend_id)
        wait_for_volume(
            driver, volume.backend_id, ("available",), what=_("detaching"), cloud=server.cloud
        )
    driver.volumes.delete_volume(volume.backend_id)


def _record_volumes_deleted(volumes):
    """The cloud no longer has these data disks: the state sync does not look for them."""
    Volume.objects.filter(pk__in=[volume.pk for volume in volumes]).update(
        status=Volume.DELETED, device="", updated=timezone.now()
    )


def _quietly(function, *args) -> bool:
    """Best-effort cleanup: a failure is logged, and the state sync finds what remains.
    True when it was done (or the cloud had nothing to remove)."""
    try:
        function(*args)
    except CloudNotFound:
        pass
    except Exception:
        logger.exception("cleanup step %s%r failed", getattr(function, "__name__", ""), args)
        return False
    return True


# ---- leftovers of a failed create ------------------------------------------------------


def remove_leftovers(task, server, driver) -> str:
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
            exc.message = _(
                "Removing what the failed create left in the cloud failed (%(reason)s); "
                "the next state sync tries again."
            ) % {"reason": exc.message}
        raise
    server.status_message = _(
        "Creating the server failed; what it left in the cloud was found by the state sync "
        "and removed."
    )
    server.save(
        update_fields=["status_message", "runtime_state", "power_state", "addresses", "updated"]
    )
    unlock(server)
    return _("What the failed create of server %(name)s left in the cloud was removed.") % {
        "name": server.name
    }


def _remove_in_cloud(task, server, driver):
    """Delete what a failed create left: its data disks (detached first), its server."""
    if not server.backend_id and server.create_requested:
        found = _find_by_metadata(driver, server)  # the worker died before recording it
        if found is not None:
            _save_backend_id(server, found.id)
    for volume in server.data_volumes.in_cloud():
        _step(task, 20, _("Deleting data disk %(name)s") % {"name": volume})
        with contextlib.suppress(CloudNotFound):
            _delete_volume(driver, server, volume)
        _record_volumes_deleted([volume])
    if server.backend_id:
        _step(task, 60, _("Deleting the server"))
        _delete_in_cloud(server, driver)
        server.runtime_state, server.power_state, server.addresses = "DELETED", "", {}


# ---- delete ----------------------------------------------------------------------------


def delete(task, server, driver, create_failed=False) -> str:
    """Detach the data disks (they are kept), delete the server, wait until the cloud no
    longer has it, then give its quota back. A row whose create failed gave the tenant
    nothing: what its create left in the cloud, data disks included, is removed."""
    try:
        if create_failed:
            _remove_in_cloud(task, server, driver)
        elif server.backend_id:
            _detach_data_volumes(task, server, driver)
            _step(task, 50, _("Deleting the server"))
            _delete_in_cloud(server, driver)
    except Exception as exc:
        with transaction.atomic():
            server.cancel_delete(getattr(exc, "message", ""), create_failed)
            server.save(update_fields=["status", "status_message", "updated"])
        unlock(server)
        raise
    with transaction.atomic():
        quotas.release_server(server)
        server.data_volumes.update(server=None, device="")
        server.mark_deleted()
        server.save(update_fields=["status", "addresses", "updated"])
    unlock(server)
    return _("Server %(name)s was deleted.") % {"name": server.name}


def _detach_data_volumes(task, server, driver):
    volumes = list(server.data_volumes.in_cloud())  # not those a failed create removed
    if volumes:
        _step(task, 20, _("Detaching the data disks"))
    for volume in volumes:
        with contextlib.suppress(CloudNotFound):  # detached already (redelivery, by hand)
            driver.volumes.detach_volume(server.backend_id, volume.backend_id)
        wait_for_volume(
            driver, volume.backend_id, ("available",), what=_("detaching a data disk"),
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

    wait_until(gone, bool, what=_("the deletion"), cloud=server.cloud)


# ---- power operations ------------------------------------------------------------------

# operate_type -> the Nova status the server settles in (None: unchanged)
SETTLES_IN = {
    "start": "ACTIVE",
    "stop": "SHUTOFF",
    "softreboot": "ACTIVE",
    "hardreboot": "ACTIVE",
    "suspend": "SUSPENDED",
    "resume": "ACTIVE",
    "pause": "PAUSED",
    "unpause": "ACTIVE",
}


def operate(task, server, driver, operate_type) -> str:
    try:
        _step(task, 20, _("Asking the cloud to %(op)s the server") % {"op": operate_type})
        method = getattr(driver.compute, OPERATIONS[operate_type].method)
        if operate_type == "hardreboot":
            method(server.backend_id, hard=True)
        else:
            method(server.backend_id)
        target = SETTLES_IN.get(operate_type)
        if target:
            _step(task, 50, _("Waiting for the server to be %(state)s") % {"state": target})
            info = wait_for_server(driver, server, target, what=operate_type, cloud=server.cloud)
        else:
            info = driver.compute.get_server(server.backend_id)
        record_server(server, info)
    finally:
        unlock(server)
    return _("The server is %(state)s.") % {"state": server.runtime_state}


# ---- resize (seed 003) -----------------------------------------------------------------


def resize(task, server, driver, flavor) -> str:
    """Seed 003's resize: check, stop (cold resize), resize, wait for VERIFY_RESIZE,
    confirm, restore the power state, settle the quota, unlock. On failure: revert what
    the cloud holds, restore the power state, release the reserved quota, unlock."""
    cloud = server.cloud
    _step(task, 5, _("Checking the server"))
    before = driver.compute.get_server(server.backend_id)
    try:
        if before.status == "ACTIVE" and not cloud.options.get("live_resize"):
            _step(task, 15, _("Stopping the server for a cold resize"))
            driver.compute.stop_server(server.backend_id)
            wait_for_server(driver, server, "SHUTOFF", what=_("stopping"), cloud=cloud)
        _step(task, 30, _("Resizing to flavor %(name)s") % {"name": flavor.name})
        driver.compute.resize_server(server.backend_id, flavor.backend_id)
        _step(task, 50, _("Waiting for the cloud to verify the resize"))
        info = wait_for_server(driver, server, "VERIFY_RESIZE", what=_("the resize"), cloud=cloud)
        if leaves_resizes_for_confirmation(cloud):
            return _await_confirmation(server, info, flavor, before.status)
        _step(task, 70, _("Confirming the resize"))
        info = _confirm_in_cloud(server, driver)
        info = _restore_power(task, server, driver, before.status, info)
    except Exception:
        _undo_resize(task, server, driver, before)
        raise
    _finish_resize(task, server, info, flavor)
    return _("The server now has flavor %(name)s.") % {"name": flavor.name}


def leaves_resizes_for_confirmation(cloud) -> bool:
    """The cloud's `resize_confirm` option: "auto" (default) confirms a resize in the
    same Task; "manual" leaves it in VERIFY_RESIZE for the user to confirm or revert, as
    Horizon does."""
    return cloud.options.get("resize_confirm", "auto") == "manual"


def _confirm_in_cloud(server, driver):
    driver.compute.confirm_resize(server.backend_id)
    return _wait_resize_settled(server, driver, what=_("confirming the resize"))


def _wait_resize_settled(server, driver, *, what):
    return wait_until(
        lambda: driver.compute.get_server(server.backend_id),
        lambda i: i.status not in ("VERIFY_RESIZE", "RESIZE", "REVERT_RESIZE") and not i.task_state,
        what=what,
        cloud=server.cloud,
        failed=_is_error,
    )


def _await_confirmation(server, info, flavor, restores) -> str:
    """Leave the resize for the user: the extra quota stays reserved, the server is
    unlocked so that it can be confirmed, reverted or deleted (and nothing else)."""
    # The row keeps its flavor until the resize is confirmed: the quota settles against it.
    info = dataclasses.replace(info, flavor_id=server.flavor_ref)
    with transaction.atomic():
        server.await_resize_confirmation(flavor, restores)
        record_server(server, info, "status", "resize_flavor", "resize_restores")
    unlock(server)
    return _("Resized to flavor %(name)s; confirm or revert the resize.") % {"name": flavor.name}


def _restore_power(task, server, driver, status_before, info):
    if status_before == "ACTIVE" and info.status == "SHUTOFF":
        _step(task, 85, _("Starting the server again"))
        driver.compute.start_server(server.backend_id)
        info = wait_for_server(driver, server, "ACTIVE", what=_("starting"), cloud=server.cloud)
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
            quotas.record(server.tenant, task=task, server=server, **shrink)
        copy_flavor(server, flavor)
        server.end_resize()
        record_server(server, info, *FLAVOR_FIELDS, *RESIZE_FIELDS)
    unlock(server)


RESIZE_FIELDS = ["status", "resize_flavor", "resize_restores"]


def _undo_resize(task, server, driver, before):
    logger.warning("task %s: resizing server %s failed; rolling back", task.pk, server.pk)
    try:
        info = driver.compute.get_server(server.backend_id)
        if info.status == "VERIFY_RESIZE":
            driver.compute.revert_resize(server.backend_id)
            info = _wait_resize_settled(server, driver, what=_("reverting the resize"))
        info = _restore_power(task, server, driver, before.status, info)
        record_server(server, info)
    except Exception:
        logger.exception("task %s: rolling back the resize of %s failed", task.pk, server.pk)
    with transaction.atomic():
        quotas.release_task_reservations(task)
        server.end_resize()
        server.save(update_fields=["status", "updated"])
    unlock(server)


# ---- a resize left for confirmation ----------------------------------------------------


def confirm_resize(task, server, driver) -> str:
    """Confirm a resize left for confirmation, restore the power state, settle the
    quota. A redelivered job finds it confirmed already and only settles."""
    flavor = server.resize_flavor
    try:
        _step(task, 20, _("Confirming the resize"))
        info = driver.compute.get_server(server.backend_id)
        if info.status == "VERIFY_RESIZE":
            info = _confirm_in_cloud(server, driver)
        info = _restore_power(task, server, driver, server.resize_restores, info)
    except Exception:
        unlock(server)  # it stays resized: confirm or revert again
        raise
    _finish_resize(task, server, info, flavor, reservations=quotas.held_for_resize(server))
    return _("The server now has flavor %(name)s.") % {"name": flavor.name}


def revert_resize(task, server, driver) -> str:
    """Go back to the earlier flavor, restore the power state, release the reserved
    quota. A redelivered job finds it reverted already and only settles."""
    try:
        _step(task, 20, _("Reverting the resize"))
        info = driver.compute.get_server(server.backend_id)
        if info.status == "VERIFY_RESIZE":
            driver.compute.revert_resize(server.backend_id)
            info = _wait_resize_settled(server, driver, what=_("reverting the resize"))
        info = _restore_power(task, server, driver, server.resize_restores, info)
    except Exception:
        unlock(server)  # it stays resized: confirm or revert again
        raise
    with transaction.atomic():
        quotas.release(quotas.held_for_resize(server))
        server.end_resize()
        record_server(server, info, *RESIZE_FIELDS)
    unlock(server)
    return _("The resize was reverted; the server has flavor %(name)s.") % {
        "name": server.flavor_name
    }
