"""Cloud disks, the request side: create, extend, rename, attach, detach and delete a
tenant's disk. Each checks what the portal knows, takes the disk's one-operation lock
(and the server's, for an attachment), holds the quota and queues the job
(portal/servers/tasks.py runs portal/servers/disks/workflows/operations.py).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.errors import Conflict, Unprocessable, ValidationFailed
from portal.core.principals import tenant_scope
from portal.core.services import create_task, enqueue, on_task_abandoned
from portal.servers.disks.models import Volume
from portal.servers.locking import lock_for_operation, unlock
from portal.servers.models import Server
from portal.servers.services import MAX_DISK_GB
from portal.tenants import quotas
from portal.tenants.regions import require_ready

TARGET = "volume"
CREATE_KIND = "disk.create"
EXTEND_KIND = "disk.extend"
UPDATE_KIND = "disk.update"
ATTACH_KIND = "disk.attach"
DETACH_KIND = "disk.detach"
DELETE_KIND = "disk.delete"
# Nova statuses of a server a volume may be attached to or detached from.
ATTACHABLE_SERVER_STATES = ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED")
# Cinder statuses each operation may start from.
OPERABLE = (Volume.AVAILABLE, Volume.IN_USE)
DELETABLE = (Volume.AVAILABLE, Volume.ERROR, "error_extending")
RENAMABLE = (*OPERABLE, Volume.ERROR, "error_extending")


def volumes_visible_to(user):
    """A tenant's own disks; every disk for operators."""
    tenant = tenant_scope(user)
    volumes = Volume.objects.all()
    return volumes if tenant is None else volumes.filter(tenant=tenant)


def extends_attached(cloud) -> bool:
    """Whether the cloud extends attached volumes: Cinder does from API microversion
    3.42 on (the local OpenStack's does); set the Cloud's option
    "extend_attached_volumes" to false for one that does not."""
    return cloud.options.get("extend_attached_volumes", True)


# ---- create ------------------------------------------------------------------------------


def create_disk(tenant, cloud, *, name, size, description="", volume_type="",
                availability_zone="", actor):  # fmt: skip
    """Hold the quota (volumes and gigabytes) and queue the disk's creation; returns
    (disk, Task). An empty or unknown `volume_type` means the cloud's default (seed 004:
    types are not processed yet); the job resolves it against the cloud's types."""
    require_ready(tenant, cloud)
    _check_size(size, "cloud_disk_conf")
    with transaction.atomic():
        volume = Volume.objects.create(
            cloud=cloud, tenant=tenant, name=name, description=description, size=size,
            volume_type=volume_type, availability_zone=availability_zone, locked=True,
        )  # fmt: skip
        task = _new_disk_task(volume, CREATE_KIND, actor)
        quotas.reserve(tenant, task=task, holder=volume, volumes=1, gigabytes=size)
        enqueue(task, "portal.servers.tasks.create_disk")
    return volume, task


def _check_size(size, field):
    if not 1 <= size <= MAX_DISK_GB:
        problem = _("From 1 to %(max)d GB.") % {"max": MAX_DISK_GB}
        raise ValidationFailed(problem, fields={field: [problem]})


# ---- extend, rename ----------------------------------------------------------------------


def extend_disk(volume, size, *, actor):
    """Grow the disk to `size` GB, holding the extra gigabytes. A smaller or equal size is
    422 (a disk only grows); an attached disk in a cloud that cannot extend one is 409."""
    _check_size(size, "cloud_disk_conf")
    with transaction.atomic():
        _lock(volume, OPERABLE)
        if size <= volume.size:
            raise Unprocessable(
                _("A disk can only grow: %(new)d GB is not more than its %(size)d GB.")
                % {"new": size, "size": volume.size},
                code="shrink_refused",
                fields={"cloud_disk_conf": [_("More than %(size)d GB.") % {"size": volume.size}]},
            )
        if volume.is_attached and not extends_attached(volume.cloud):
            raise Conflict(
                _("This cloud cannot extend an attached disk; detach it first."),
                code="attached",
            )
        task = _new_disk_task(volume, EXTEND_KIND, actor)
        quotas.reserve(volume.tenant, task=task, holder=volume, gigabytes=size - volume.size)
        enqueue(task, "portal.servers.tasks.extend_disk", size)
    return volume, task


def update_disk(volume, *, name=None, description=None, actor):
    """Save a new name and/or description, in the cloud first (202 + Task)."""
    with transaction.atomic():
        _lock(volume, RENAMABLE)
        task = _new_disk_task(volume, UPDATE_KIND, actor)
        enqueue(task, "portal.servers.tasks.update_disk", name, description)
    return volume, task


# ---- attach and detach -------------------------------------------------------------------


def attach_disk(volume, server, *, actor):
    """Attach the disk to `server` (the caller looked it up in its scope) through Nova.
    409: the disk attached (here or elsewhere) or busy, the server busy or in a state
    that cannot take a disk; 422: a server of another region or tenant."""
    if volume.is_attached:
        where = volume.server.name if volume.server else _("another server")
        raise Conflict(
            _("The disk is attached to %(server)s; detach it first.") % {"server": where},
            code="attached_elsewhere",
        )
    _check_server(volume, server)
    with transaction.atomic():
        _lock(volume, (Volume.AVAILABLE,))
        lock_for_operation(server)
        task = _new_disk_task(volume, ATTACH_KIND, actor, server)
        enqueue(task, "portal.servers.tasks.attach_disk", server.instance_id)
    return volume, task


def detach_disk(volume, server, *, actor):
    """Detach the disk from `server`, which it must be attached to (else 409)."""
    if volume.server_id != server.pk:
        raise Conflict(_("The disk is not attached to this server."), code="not_attached")
    _check_server(volume, server)
    with transaction.atomic():
        _lock(volume, (Volume.IN_USE,))
        lock_for_operation(server)
        task = _new_disk_task(volume, DETACH_KIND, actor, server)
        enqueue(task, "portal.servers.tasks.detach_disk", server.instance_id)
    return volume, task


def _check_server(volume, server):
    if server.cloud_id != volume.cloud_id or server.tenant_id != volume.tenant_id:
        raise Unprocessable(
            _("The server is in another region or of another tenant than the disk."),
            code="other_region",
            fields={"instance_id": [_("A server of the disk's tenant in its region.")]},
        )
    if server.status != Server.Status.READY or server.runtime_state not in ATTACHABLE_SERVER_STATES:
        raise Conflict(
            _("A disk is attached to or detached from a running, stopped, paused or suspended "
              "server; this one is %(state)s.")
            % {"state": server.runtime_state or server.get_status_display()},
            code="invalid_state",
        )  # fmt: skip


# ---- delete ------------------------------------------------------------------------------


def delete_disk(volume, *, actor):
    """Delete the disk; refused (409) while it is attached. Its quota is given back when
    the cloud confirms it gone."""
    if volume.is_attached:
        raise Conflict(_("The disk is attached to a server; detach it first."), code="attached")
    with transaction.atomic():
        _lock(volume, DELETABLE, in_cloud=False)  # a failed create's row is history
        task = _new_disk_task(volume, DELETE_KIND, actor)
        enqueue(task, "portal.servers.tasks.delete_disk")
    return volume, task


# ---- the disk's lock and Tasks -------------------------------------------------------------


def _lock(volume, statuses, *, in_cloud=True):
    """Take the disk's operation lock (a conditional UPDATE: one of two concurrent
    requests gets it); 409 if an operation holds it, its status does not allow this, or
    (`in_cloud`) the cloud never made it."""
    candidates = Volume.objects.filter(
        pk=volume.pk, locked=False, status__in=statuses, server_id=volume.server_id
    )
    if in_cloud:
        candidates = candidates.filter(backend_id__isnull=False)
    taken = candidates.update(locked=True, updated=timezone.now())
    volume.refresh_from_db()
    if taken:
        return
    if volume.locked:
        raise Conflict(
            _("Another operation is running on this disk; try again when it ends."),
            code="locked",
        )
    raise Conflict(
        _("The disk is %(status)s; this operation is not possible now.")
        % {"status": volume.get_status_display()},
        code="invalid_state",
    )


def _new_disk_task(volume, kind, actor, server=None):
    """A Task on the disk; an attachment's is also its server's current one (the server
    page shows it, and the janitor finds the server to unlock)."""
    task = create_task(
        kind, target_type=TARGET, target_id=volume.volume_id, tenant=volume.tenant, actor=actor
    )
    Volume.objects.filter(pk=volume.pk).update(current_task=task)
    volume.current_task = task
    if server is not None:
        Server.objects.filter(pk=server.pk).update(current_task=task)
        server.current_task = task
    return task


# ---- what the stuck-task janitor releases ------------------------------------------------
# Also run by a job that cannot open a cloud driver (no cloud user yet).


@on_task_abandoned(CREATE_KIND)
@on_task_abandoned(EXTEND_KIND)
@on_task_abandoned(UPDATE_KIND)
@on_task_abandoned(ATTACH_KIND)
@on_task_abandoned(DETACH_KIND)
@on_task_abandoned(DELETE_KIND)
def release_disk(task):
    """Give back what a disk Task held: its reserved quota, the disk's lock (and the
    server's, for an attachment). A disk whose creation was abandoned is marked error;
    if the cloud had made it, it keeps holding its quota (the state sync gives it back
    once the cloud no longer lists it)."""
    volume = Volume.objects.filter(volume_id=task.target_id).first()
    if task.kind == CREATE_KIND and volume is not None and volume.backend_id:
        quotas.commit_task_reservations(task)
    else:
        quotas.release_task_reservations(task)
    if volume is None:
        return
    changes = {"locked": False, "updated": timezone.now()}
    if task.kind == CREATE_KIND and volume.status == "creating":
        changes |= {"status": Volume.ERROR, "status_message": task.message[:500]}
    Volume.objects.filter(pk=volume.pk).update(**changes)
    for server in Server.objects.filter(current_task=task):  # an attachment's server
        unlock(server)
