"""Creating a server (seed 004's 创建云主机), and undoing a create that failed."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.clouds.base import ServerSpec
from portal.clouds.polling import wait_for_server, wait_for_volume
from portal.core.errors import PortalError
from portal.core.services import report_step
from portal.core.task_messages import TaskMessage
from portal.servers.disks.workflows.operations import record_volume, usable_volume_type
from portal.servers.locking import unlock
from portal.servers.task_messages import CreateMessages as M
from portal.servers.workflows.delete import delete_volume, record_volumes_deleted
from portal.servers.workflows.recording import (
    METADATA_KEY,
    find_by_metadata,
    quietly,
    record_server,
    save_backend_id,
)
from portal.tenants import quotas

logger = logging.getLogger(__name__)


def create(task, server, driver) -> TaskMessage:
    """Seed 004's 创建云主机: the server with its boot volume (BDM v2) and the data volumes
    are asked for together, then waited for while the cloud builds them side by side;
    the data volumes are attached once the server is ACTIVE."""
    volumes = list(server.data_volumes.order_by("position"))
    try:
        _create_server(task, server, driver)
        _create_volumes(task, server, volumes, driver)
        report_step(task, 40, M.WAITING)
        info = wait_for_server(driver, server, "ACTIVE", what=M.THE_BUILD, cloud=server.cloud)
        for volume in volumes:
            wait_for_volume(
                driver, volume.backend_id, ("available", "in-use"), what=M.A_DATA_DISK,
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
    return M.READY(name=server.name)


def _create_server(task, server, driver):
    if server.backend_id:
        return  # a redelivered job: created before
    if server.create_requested:
        # The job died between asking and recording: the metadata finds the server.
        found = find_by_metadata(driver, server)
        if found is not None:
            save_backend_id(server, found.id)
            return
    report_step(task, 10, M.CREATING_SERVER)
    server.create_requested = timezone.now()
    server.save(update_fields=["create_requested"])
    info = driver.compute.create_server(_spec(server))
    save_backend_id(server, info.id)


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


def _create_volumes(task, server, volumes, driver):
    pending = [volume for volume in volumes if not volume.backend_id]
    if pending:
        report_step(task, 20, M.CREATING_DISKS(count=len(pending)))
    for volume in pending:
        info = driver.volumes.create_volume(
            volume.name,
            volume.size,
            volume_type=usable_volume_type(driver, volume.volume_type),
            availability_zone=server.availability_zone,
            description=_("Data disk of server %(id)s") % {"id": server.instance_id},
        )
        save_backend_id(volume, info.id)


def _attach_volumes(task, server, volumes, driver):
    if volumes:
        report_step(task, 70, M.ATTACHING_DISKS)
    for volume in volumes:
        info = driver.volumes.get_volume(volume.backend_id)
        if not any(a.server_id == server.backend_id for a in info.attachments):
            driver.volumes.attach_volume(server.backend_id, volume.backend_id)
        info = wait_for_volume(
            driver, volume.backend_id, ("in-use",), what=M.ATTACHING_A_DISK,
            cloud=server.cloud,
        )  # fmt: skip
        record_volume(volume, info)


def _undo_create(task, server, volumes, driver, exc):
    """Delete what was made (data disks first: detached, then the server with its boot
    volume), give the quota back, mark the row failed."""
    logger.warning("task %s: creating server %s failed; cleaning up", task.pk, server.pk)
    deleted = [
        volume
        for volume in volumes
        if volume.backend_id and quietly(delete_volume, driver, server, volume)
    ]
    if server.backend_id:
        quietly(driver.compute.delete_server, server.backend_id)
    reason = exc if isinstance(exc, PortalError) else M.UNEXPECTED
    message = M.FAILED(reason=reason)
    with transaction.atomic():
        record_volumes_deleted(deleted)
        quotas.release_task_reservations(task)
        server.mark_create_failed(str(message))
        server.admin_pass = ""
        server.save(update_fields=["status", "status_message", "admin_pass", "updated"])
    unlock(server)
    if isinstance(exc, PortalError):
        exc.reword(message)
