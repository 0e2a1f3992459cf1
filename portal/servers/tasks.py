"""Celery jobs of the servers app: the flavor pull, the state sync, and the flavor, server,
key pair, CD drive and cloud disk operations (their flows are in workflows/,
cdrom/workflows.py and disks/workflows/). Only these open cloud drivers."""

from celery import shared_task

from portal.clouds.drivers import get_driver
from portal.clouds.models import Cloud
from portal.clouds.sync import run_sync_job
from portal.core.errors import NotFound, PortalError
from portal.core.services import execute_task, release_held
from portal.servers.cdrom import workflows as cdrom_workflows
from portal.servers.cdrom.models import IsoMount
from portal.servers.disks.models import Volume
from portal.servers.disks.workflows import operations as disk_workflows
from portal.servers.locking import OPERATIONS
from portal.servers.models import Flavor, KeyPair, Server
from portal.servers.task_messages import FlavorMessages
from portal.servers.workflows import (
    console,
    create,
    delete,
    flavors,
    keypairs,
    power,
    resize,
    state_sync,
)
from portal.tenants.credentials import tenant_driver


@shared_task(acks_late=True, ignore_result=True)
def sync_flavors(task_id, cloud_id):
    """Run a queued flavor pull (Task kind "flavors.sync")."""
    run_sync_job(task_id, cloud_id, flavors.sync_flavors)


@shared_task(acks_late=True, ignore_result=True)
def create_flavor(task_id, cloud_id, spec, projects):
    """Task kind "flavors.create": make a flavor with the cloud's admin user."""

    def work(task):
        cloud = Cloud.objects.get(pk=cloud_id)
        return flavors.create_flavor(task, cloud, get_driver(cloud), spec, projects)

    execute_task(task_id, work)


def _run_flavor_job(task_id, flavor_pk, flow, *args):
    """Run `flow(task, flavor, driver, *args)` with the cloud's admin user."""

    def work(task):
        flavor = Flavor.objects.select_related("cloud").filter(pk=flavor_pk).first()
        if flavor is None:  # deleted meanwhile
            raise NotFound(FlavorMessages.NOT_FOUND)
        return flow(task, flavor, get_driver(flavor.cloud), *args)

    execute_task(task_id, work)


@shared_task(acks_late=True, ignore_result=True)
def share_flavor(task_id, flavor_pk, project_ids):
    """Task kind "flavors.share"."""
    _run_flavor_job(task_id, flavor_pk, flavors.share_flavor, project_ids)


@shared_task(acks_late=True, ignore_result=True)
def delete_flavor(task_id, flavor_pk):
    """Task kind "flavors.delete"."""
    _run_flavor_job(task_id, flavor_pk, flavors.delete_flavor)


# ---- the jobs on a Task's target (a server, key pair or mount) ---------------------------


def _run_on_target(task_id, load, open_drivers, flow, *args):
    """Run `flow(task, target, *drivers, *args)`: `load(task)` finds the Task's target and
    `open_drivers(target)` lists the drivers; if one cannot be opened, what the Task holds
    is released before the error fails the Task."""

    def work(task):
        target = load(task)
        try:
            drivers = open_drivers(target)
        except PortalError as exc:
            release_held(task, exc)
            raise
        return flow(task, target, *drivers, *args)

    execute_task(task_id, work)


# ---- servers -----------------------------------------------------------------------------


def _run_server_job(task_id, flow, *args, admin=False):
    """Run `flow(task, server, driver, *args)` for the server the Task targets, with the
    tenant's own cloud user (the cloud's admin for administrators' operations)."""
    _run_on_target(
        task_id,
        lambda task: Server.objects.select_related("cloud", "tenant", "image").get(
            instance_id=task.target_id
        ),
        lambda server: [driver_for_server(server, admin=admin)],
        flow,
        *args,
    )


def driver_for_server(server, *, admin=False):
    """The cloud driver for work on `server`: its tenant's own user, or the admin."""
    if admin:
        return get_driver(server.cloud)
    return tenant_driver(server.tenant, server.cloud)


@shared_task(acks_late=True, ignore_result=True)
def create_server(task_id):
    """Task kind "server.create"."""
    _run_server_job(task_id, create.create)


@shared_task(acks_late=True, ignore_result=True)
def delete_server(task_id, create_failed=False):
    """Task kind "server.delete" (`create_failed`: of a row whose create failed)."""
    _run_server_job(task_id, delete.delete, create_failed)


@shared_task(acks_late=True, ignore_result=True)
def operate_server(task_id, operate_type):
    """Task kind "server.operate"."""
    admin = OPERATIONS[operate_type].admin_only
    _run_server_job(task_id, power.operate, operate_type, admin=admin)


@shared_task(acks_late=True, ignore_result=True)
def resize_server(task_id, flavor_pk):
    """Task kind "server.resize"."""
    _run_server_job(task_id, resize.resize, Flavor.objects.get(pk=flavor_pk))


@shared_task(acks_late=True, ignore_result=True)
def finish_resize(task_id, decision):
    """Task kinds "server.resize_confirm" and "server.resize_revert"."""
    flow = resize.confirm_resize if decision == "confirm" else resize.revert_resize
    _run_server_job(task_id, flow)


@shared_task(acks_late=True, ignore_result=True)
def remove_leftovers(task_id):
    """Task kind "server.cleanup": what a failed create left in the cloud, found by the
    state sync."""
    _run_server_job(task_id, delete.remove_leftovers)


@shared_task(acks_late=True, ignore_result=True)
def get_console(task_id):
    """Task kind "server.console": the server's remote console URL."""
    _run_server_job(task_id, console.get_console)


@shared_task(acks_late=True, ignore_result=True)
def get_console_log(task_id, lines):
    """Task kind "server.console_log": the last `lines` lines of its console log."""
    _run_server_job(task_id, console.get_console_log, lines)


# ---- key pairs ---------------------------------------------------------------------------


def _run_keypair_job(task_id, flow):
    """Run `flow(task, keypair, driver)` with the tenant's own cloud user."""
    _run_on_target(
        task_id,
        lambda task: KeyPair.objects.select_related("tenant", "cloud").get(
            keypair_id=task.target_id
        ),
        lambda keypair: [tenant_driver(keypair.tenant, keypair.cloud)],
        flow,
    )


@shared_task(acks_late=True, ignore_result=True)
def import_keypair(task_id):
    """Task kind "keypair.import"."""
    _run_keypair_job(task_id, keypairs.register)


@shared_task(acks_late=True, ignore_result=True)
def delete_keypair(task_id):
    """Task kind "keypair.delete"."""
    _run_keypair_job(task_id, keypairs.unregister)


# ---- the state sync ----------------------------------------------------------------------


@shared_task(acks_late=True, ignore_result=True)
def sync_servers(task_id, cloud_id):
    """Run a queued state sync (Task kind "servers.sync") with the cloud's admin user."""
    run_sync_job(task_id, cloud_id, state_sync.sync_servers)


# ---- the CD drive (portal/servers/cdrom) -------------------------------------------------


def _run_mount_job(task_id, flow, *, admin=False):
    """Run `flow(task, mount, tenant_driver[, admin_driver])` for the Task's mount."""

    def open_drivers(mount):
        drivers = [driver_for_server(mount.server)]
        if admin:
            drivers.append(get_driver(mount.server.cloud))
        return drivers

    _run_on_target(
        task_id,
        lambda task: IsoMount.objects.select_related(
            "server__cloud", "server__tenant", "iso__ftp_server", "iso__cloud"
        ).get(task=task),
        open_drivers,
        flow,
    )


@shared_task(acks_late=True, ignore_result=True)
def mount_iso(task_id):
    """Mount an ISO on a server (Task kind "isos.mount")."""
    _run_mount_job(task_id, cdrom_workflows.mount, admin=True)


@shared_task(acks_late=True, ignore_result=True)
def unmount_iso(task_id):
    """Unmount a server's ISO (Task kind "isos.unmount")."""
    _run_mount_job(task_id, cdrom_workflows.unmount)


@shared_task(acks_late=True, ignore_result=True)
def release_cd_volume(task_id):
    """Delete a deleted server's CD volume (Task kind "isos.release")."""
    _run_mount_job(task_id, cdrom_workflows.release_after_server_deleted)


# ---- cloud disks (portal/servers/disks) --------------------------------------------------


def _run_disk_job(task_id, flow, *args):
    """Run `flow(task, volume, driver, *args)` for the Task's disk, with the tenant's own
    cloud user."""
    _run_on_target(
        task_id,
        lambda task: Volume.objects.select_related("cloud", "tenant").get(volume_id=task.target_id),
        lambda volume: [tenant_driver(volume.tenant, volume.cloud)],
        flow,
        *args,
    )


@shared_task(acks_late=True, ignore_result=True)
def create_disk(task_id):
    """Task kind "disk.create"."""
    _run_disk_job(task_id, disk_workflows.create)


@shared_task(acks_late=True, ignore_result=True)
def extend_disk(task_id, size):
    """Task kind "disk.extend"."""
    _run_disk_job(task_id, disk_workflows.extend, size)


@shared_task(acks_late=True, ignore_result=True)
def update_disk(task_id, name, description):
    """Task kind "disk.update"."""
    _run_disk_job(task_id, disk_workflows.update, name, description)


@shared_task(acks_late=True, ignore_result=True)
def attach_disk(task_id, instance_id):
    """Task kind "disk.attach"."""
    _run_disk_job(task_id, disk_workflows.attach, instance_id)


@shared_task(acks_late=True, ignore_result=True)
def detach_disk(task_id, instance_id):
    """Task kind "disk.detach"."""
    _run_disk_job(task_id, disk_workflows.detach, instance_id)


@shared_task(acks_late=True, ignore_result=True)
def delete_disk(task_id):
    """Task kind "disk.delete"."""
    _run_disk_job(task_id, disk_workflows.delete)
