"""Flavor and server operations (the request side): who sees what, the flavor pull,
creating, deleting, operating and resizing servers with their quota and lock.

The cloud work of each server operation is in workflows.py, run by the Celery jobs of
tasks.py.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.clouds.mirror import CloudMirror, SyncCounts
from portal.clouds.sync import cloud_for_region
from portal.core.errors import Conflict, NotFound, Unprocessable, ValidationFailed
from portal.core.models import Task
from portal.core.principals import ACTOR_TENANT, ApiPrincipal, tenant_scope
from portal.core.services import create_task, enqueue, on_task_abandoned
from portal.images.models import Image
from portal.images.services import images_visible_to
from portal.network.services import Placement, check_placement
from portal.servers import keypairs, quotas
from portal.servers.models import Flavor, Server, ServerTag, Volume
from portal.servers.template_models import ServerTemplate
from portal.tenants.models import TenantIdentity

logger = logging.getLogger(__name__)


# ---- reading ------------------------------------------------------------------------


def flavors_visible_to(user):
    """Operators see every flavor; a tenant sees the enabled, present flavors that are
    public or shared with it."""
    tenant = tenant_scope(user)
    return Flavor.objects.all() if tenant is None else flavors_offered_to(tenant)


def flavors_offered_to(tenant):
    """The enabled, present flavors that are public or shared with the tenant (a
    subquery, not a join, so no flavor comes twice)."""
    flavors = Flavor.objects.all()
    shared = Flavor.shared_with.through.objects.filter(tenant=tenant).values("flavor_id")
    return flavors.filter(enabled=True, missing_since__isnull=True).filter(
        Q(is_public=True) | Q(pk__in=shared)
    )


def find_flavor(queryset, flavor_id):
    """The flavor with that cloud id: one cloud's ids may repeat in another, so the
    default cloud's flavor wins, then the first cloud by name. None if there is none."""
    return (
        queryset.filter(backend_id=flavor_id).order_by("-cloud__is_default", "cloud__name").first()
    )


# ---- portal flags -------------------------------------------------------------------


def set_flavors_enabled(flavors, enabled: bool) -> int:
    """Enable or disable flavors (a portal flag); rows already so are not written."""
    return flavors.exclude(enabled=enabled).update(enabled=enabled, updated=timezone.now())


def set_flavor_enabled(flavor: Flavor, enabled: bool) -> Flavor:
    set_flavors_enabled(Flavor.objects.filter(pk=flavor.pk), enabled)
    flavor.enabled = enabled
    return flavor


# ---- the pull ----------------------------------------------------------------------


def sync_flavors(cloud, driver, progress=None) -> SyncCounts:
    """Mirror the cloud's flavors and their access lists; returns what changed.

    Everything is read from the cloud before anything is written, so a cloud error
    leaves the table as it was.
    """
    infos = driver.compute.list_flavors()
    access = {
        info.id: driver.compute.list_flavor_access(info.id) for info in infos if not info.is_public
    }
    if progress:
        progress(50, _("Read %(count)d flavors from the cloud.") % {"count": len(infos)})
    mirror = CloudMirror(Flavor, cloud)
    with transaction.atomic():  # flavors and their access lists change together
        rows = mirror.upsert({info.id: _flavor_fields(info) for info in infos})
        mirror.mark_missing()
        _sync_access(cloud, rows, access)
    return mirror.counts


def _flavor_fields(info):
    return {
        "name": info.name,
        "vcpus": info.vcpus,
        "ram": info.ram,
        "disk": info.disk,
        "is_public": info.is_public,
        "extra_specs": dict(info.extra_specs or {}),
    }


def _sync_access(cloud, rows, access):
    """Make `shared_with` of the listed flavors match the cloud's access lists.

    Projects map to tenants through their cloud identities; projects of no tenant (the
    cloud's own) are ignored. Two queries to read, at most two to write.
    """
    Share = Flavor.shared_with.through
    project_ids = {project_id for ids in access.values() for project_id in ids}
    tenant_of = dict(
        TenantIdentity.objects.filter(cloud=cloud, project_id__in=project_ids).values_list(
            "project_id", "tenant_id"
        )
    )
    wanted = {
        (rows[flavor_id].pk, tenant_of[project_id])
        for flavor_id, ids in access.items()
        for project_id in ids
        if project_id in tenant_of
    }
    current = {
        (flavor_pk, tenant_id): pk
        for pk, flavor_pk, tenant_id in Share.objects.filter(
            flavor_id__in=[row.pk for row in rows.values()]
        ).values_list("pk", "flavor_id", "tenant_id")
    }
    stale = [pk for pair, pk in current.items() if pair not in wanted]
    if stale:
        Share.objects.filter(pk__in=stale).delete()
    new = [Share(flavor_id=f, tenant_id=t) for f, t in wanted if (f, t) not in current]
    if new:
        Share.objects.bulk_create(new)


# ---- flavors made from the admin ---------------------------------------------------------

FLAVOR_CREATE_KIND = "flavors.create"
MAX_EXTRA_SPECS = 50


@dataclass(frozen=True)
class FlavorRequest:
    """A flavor to make in a cloud: public, or offered only to `tenants`."""

    name: str
    vcpus: int
    ram: int  # MB
    disk: int  # GB
    extra_specs: dict
    is_public: bool = True
    tenants: tuple = ()

    def spec(self) -> dict:
        """What the Celery job gets (JSON)."""
        fields = ("name", "vcpus", "ram", "disk", "extra_specs", "is_public")
        return {name: getattr(self, name) for name in fields}


def create_flavor(cloud, request: FlavorRequest, *, actor) -> Task:
    """Queue the making of a flavor in `cloud` (admin); the job mirrors it when made.
    400 on bad values or a tenant not set up in the cloud, 409 on a name in use."""
    _check_flavor(request)
    if Flavor.objects.filter(cloud=cloud, name=request.name, missing_since__isnull=True).exists():
        raise Conflict(
            _("The cloud has a flavor named %(name)s already.") % {"name": request.name},
            code="name_taken",
        )
    projects = _projects_of(cloud, request.tenants)
    with transaction.atomic():
        task = create_task(FLAVOR_CREATE_KIND, target_type="cloud", target_id=cloud.pk, actor=actor)
        enqueue(task, "portal.servers.tasks.create_flavor", cloud.pk, request.spec(), projects)
    return task


def _check_flavor(request: FlavorRequest) -> None:
    problems = {}
    if not request.name.strip() or len(request.name) > 255:
        problems["name"] = [_("Give a name of 1 to 255 characters.")]
    if request.vcpus < 1 or request.ram < 1 or request.disk < 0:
        problems["vcpus"] = [_("At least 1 vCPU and 1 MB of RAM; the disk may be 0 GB.")]
    specs = request.extra_specs
    if len(specs) > MAX_EXTRA_SPECS or not all(
        isinstance(key, str) and isinstance(value, str) and key and len(key) <= 255
        for key, value in specs.items()
    ):
        problems["extra_specs"] = [_("Extra specs are up to 50 pairs of non-empty names and text.")]
    if request.is_public and request.tenants:
        problems["shared_with"] = [_("A public flavor is offered to every tenant already.")]
    if problems:
        raise ValidationFailed(fields=problems)


def _projects_of(cloud, tenants) -> dict[str, str]:
    """{tenant id: its project id in `cloud`}; 400 if one has none yet."""
    projects = dict(
        TenantIdentity.objects.filter(cloud=cloud, tenant__in=tenants)
        .exclude(project_id="")
        .values_list("tenant_id", "project_id")
    )
    missing = sorted(tenant.pk for tenant in tenants if tenant.pk not in projects)
    if missing:
        raise ValidationFailed(
            fields={
                "shared_with": [
                    _("Not set up in this cloud yet: %(tenants)s.")
                    % {"tenants": ", ".join(missing)}
                ]
            }
        )
    return projects


def record_new_flavor(cloud, info, tenant_ids) -> Flavor:
    """Mirror a flavor the portal just made, with the tenants it is shared with."""
    with transaction.atomic():
        flavor = CloudMirror(Flavor, cloud).upsert({info.id: _flavor_fields(info)})[info.id]
        flavor.shared_with.set(tenant_ids)
    return flavor


# ---- flavors changed or deleted from the admin ---------------------------------------

FLAVOR_SHARE_KIND = "flavors.share"
FLAVOR_DELETE_KIND = "flavors.delete"
FLAVOR_TARGET = "flavor"


def share_flavor(flavor, tenants, *, actor) -> Task:
    """Queue setting which tenants a non-public flavor is shared with (admin); the job
    grants and revokes in the cloud and mirrors what the cloud then lists. 400 for a
    public flavor or a tenant not set up in the flavor's cloud."""
    if flavor.is_public:
        raise ValidationFailed(
            fields={"shared_with": [_("A public flavor is offered to every tenant already.")]}
        )
    projects = _projects_of(flavor.cloud, tenants)
    with transaction.atomic():
        task = create_task(
            FLAVOR_SHARE_KIND, target_type=FLAVOR_TARGET, target_id=flavor.pk, actor=actor
        )
        enqueue(task, "portal.servers.tasks.share_flavor", flavor.pk, sorted(projects.values()))
    return task


def tenant_projects(cloud) -> set[str]:
    """The project ids of the tenants set up in `cloud` (the cloud's own are not)."""
    return set(
        TenantIdentity.objects.filter(cloud=cloud)
        .exclude(project_id="")
        .values_list("project_id", flat=True)
    )


def record_flavor_access(flavor, project_ids) -> None:
    """Mirror the cloud's access list of one flavor (as the pull does)."""
    with transaction.atomic():
        _sync_access(flavor.cloud, {flavor.backend_id: flavor}, {flavor.backend_id: project_ids})


def check_flavor_unused(flavor) -> None:
    """409 while servers (or a resize awaiting confirmation) or templates use it."""
    servers = Server.objects.filter(cloud=flavor.cloud).exclude(status=Server.Status.DELETED)
    in_use = servers.filter(Q(flavor_ref=flavor.backend_id) | Q(resize_flavor=flavor)).count()
    templates = ServerTemplate.objects.filter(flavor=flavor).count()
    if in_use or templates:
        raise Conflict(
            _(
                "Flavor %(name)s is in use (servers: %(servers)d, templates: %(templates)d); "
                "it can be deleted once nothing uses it."
            )
            % {"name": flavor.name, "servers": in_use, "templates": templates},
            code="flavor_in_use",
        )


def delete_flavor(flavor, *, actor) -> Task:
    """Queue deleting the flavor in its cloud and here (admin); 409 while it is in use
    (checked again by the job, just before the cloud call)."""
    check_flavor_unused(flavor)
    with transaction.atomic():
        task = create_task(
            FLAVOR_DELETE_KIND, target_type=FLAVOR_TARGET, target_id=flavor.pk, actor=actor
        )
        enqueue(task, "portal.servers.tasks.delete_flavor", flavor.pk)
    return task


# ---- servers: reading ------------------------------------------------------------------

SERVER_TARGET = "server"
CREATE_KIND = "server.create"
DELETE_KIND = "server.delete"
OPERATE_KIND = "server.operate"
RESIZE_KIND = "server.resize"
CONFIRM_RESIZE_KIND = "server.resize_confirm"
REVERT_RESIZE_KIND = "server.resize_revert"
CLEANUP_KIND = "server.cleanup"  # leftovers of a failed create, queued by the state sync
MAX_DATA_DISKS = 8
MAX_DISK_GB = 16384


def servers_visible_to(user):
    """The servers a caller may see: a tenant its own, operators all; never deleted ones."""
    servers = Server.objects.exclude(status=Server.Status.DELETED)
    tenant = tenant_scope(user)
    return servers if tenant is None else servers.filter(tenant=tenant)


def tasks_of(server):
    return Task.objects.filter(target_type=SERVER_TARGET, target_id=server.instance_id)


# ---- servers: create -------------------------------------------------------------------


@dataclass(frozen=True)
class DiskRequest:
    size_in_g: int
    volume_type: str = ""


@dataclass(frozen=True)
class CreateRequest:
    """CreateInstanceReq (seed 004) as the service takes it."""

    instance_name: str
    flavor_ref: str
    image_ref: str
    network_uuid: str
    system_disk: DiskRequest | None = None
    data_disks: tuple[DiskRequest, ...] = ()
    security_group_name: tuple[str, ...] = ()
    region: str = ""
    availability_zone: str = ""
    hypervisor_hostname: str = ""
    key_name: str = ""
    admin_pass: str = ""
    # The server template the request was made from (admin form): seed 003 keeps a
    # template usable after its image is disabled, so that image is still accepted.
    template: ServerTemplate | None = None


def create_server(tenant, request: CreateRequest, *, actor, operator=False):
    """Accept a server for `tenant`: validate, reserve quota and queue the create job, in
    one transaction. Returns (server, task). The network, security groups, zone and host
    are checked against the network pull's mirrors first (portal.network), so an unknown
    (400) or unusable (422) one is refused before anything is written; the cloud checks
    them again in the job."""
    if request.hypervisor_hostname and not operator:
        raise ValidationFailed(
            fields={"hypervisor_hostname": [_("Only administrators may choose the host.")]}
        )
    cloud = cloud_for_region(request.region)
    flavor = _offered_flavor(tenant, cloud, request.flavor_ref)
    image = _bootable_image(tenant, cloud, request.image_ref, request.template)
    system_disk = _system_disk(request.system_disk, flavor, image)
    if request.key_name:
        keypairs.check_usable(tenant, cloud, request.key_name)
    check_placement(
        tenant,
        cloud,
        Placement(
            network_uuid=request.network_uuid,
            security_group_name=request.security_group_name,
            availability_zone=request.availability_zone,
            hypervisor_hostname=request.hypervisor_hostname,
        ),
    )
    with transaction.atomic():
        server = Server.objects.create(
            cloud=cloud,
            tenant=tenant,
            name=request.instance_name,
            flavor=flavor,
            flavor_ref=flavor.backend_id,
            flavor_name=flavor.name,
            vcpus=flavor.vcpus,
            ram=flavor.ram,
            flavor_disk=flavor.disk,
            image=image,
            image_ref=image.image_id,
            image_name=image.name,
            system_disk_size=system_disk.size_in_g,
            system_disk_type=system_disk.volume_type,
            network_id=request.network_uuid,
            security_group_names=list(request.security_group_name),
            availability_zone=request.availability_zone,
            hypervisor_hostname=request.hypervisor_hostname,
            key_name=request.key_name,
            admin_pass=request.admin_pass,
            locked=True,
        )
        volumes = Volume.objects.bulk_create(
            Volume(
                cloud=cloud,
                tenant=tenant,
                server=server,
                name=f"{request.instance_name}-data-{position}",
                size=disk.size_in_g,
                volume_type=disk.volume_type,
                position=position,
            )
            for position, disk in enumerate(request.data_disks, start=1)
        )
        task = new_server_task(server, CREATE_KIND, actor)
        quotas.reserve(
            tenant,
            task=task,
            server=server,
            instances=1,
            cores=flavor.vcpus,
            ram=flavor.ram,
            volumes=1,
            gigabytes=system_disk.size_in_g,
        )
        for volume in volumes:
            quotas.reserve(
                tenant, task=task, server=server, volume=volume, volumes=1, gigabytes=volume.size
            )
        enqueue(task, "portal.servers.tasks.create_server")
    logger.info("server %s of %s accepted (task %s)", server.instance_id, tenant.pk, task.pk)
    return server, task


def _offered_flavor(tenant, cloud, flavor_ref) -> Flavor:
    flavor = flavors_offered_to(tenant).filter(cloud=cloud, backend_id=flavor_ref).first()
    if flavor is None:
        raise ValidationFailed(fields={"flavor_ref": [_("No such flavor in this region.")]})
    return flavor


def _bootable_image(tenant, cloud, image_ref, template=None):
    """The image, if the tenant may see it; a known but disabled or unusable one is 422,
    unless it is the image of the server template the request comes from (seed 003)."""
    image = Image.objects.filter(cloud=cloud, image_id=image_ref).first()
    if image is None:
        raise ValidationFailed(fields={"image_ref": [_("No such image in this region.")]})
    kept_by_template = template is not None and template.image_id == image.pk
    if kept_by_template and not image.is_missing:
        return image
    offered = images_visible_to(_as_tenant(tenant)).filter(pk=image.pk).exists()
    if not offered:
        raise Unprocessable(
            _("The image %(name)s is disabled or not available for new servers.")
            % {"name": image.name},
            code="image_unavailable",
            fields={"image_ref": [_("This image cannot be used now.")]},
        )
    return image


def _as_tenant(tenant):
    """The caller a tenant's own key would be, for the reading helpers that take one."""
    return ApiPrincipal(ACTOR_TENANT, key_name="", key_prefix="", tenant=tenant)


def _system_disk(requested: DiskRequest | None, flavor, image) -> DiskRequest:
    """The boot volume: as requested (at least the image's minimum), else the flavor's
    disk size, or the image's minimum when that is larger."""
    minimum = max(image.min_disk, 1)
    if requested is None:
        return DiskRequest(max(flavor.disk, minimum))
    if requested.size_in_g < minimum:
        problem = _("The system disk must be at least %(size)d GB for this image.") % {
            "size": minimum
        }
        raise ValidationFailed(problem, fields={"system_disk": [problem]})
    return requested


def new_server_task(server, kind, actor, deadline=None):
    """A Task on `server`, recorded as its current one (ISO mounts use it too)."""
    task = create_task(
        kind,
        target_type=SERVER_TARGET,
        target_id=server.instance_id,
        tenant=server.tenant,
        actor=actor,
        deadline=deadline,
    )
    Server.objects.filter(pk=server.pk).update(current_task=task)
    server.current_task = task
    return task


# ---- servers: the operation lock -------------------------------------------------------


def lock_for_operation(server, *, statuses=(Server.Status.READY,)):
    """Take the server's operation lock (a conditional UPDATE: exactly one of two
    concurrent requests gets it); 409 if another operation holds it or the server's
    status does not allow one."""
    taken = Server.objects.filter(pk=server.pk, locked=False, status__in=statuses).update(
        locked=True, updated=timezone.now()
    )
    if not taken:
        server.refresh_from_db(fields=["locked", "status"])
        if server.locked:
            raise Conflict(
                _("Another operation is running on this server; try again when it ends."),
                code="locked",
            )
        raise Conflict(
            _("The server is %(status)s; this operation is not possible now.")
            % {"status": server.get_status_display()},
            code="invalid_state",
        )
    server.locked = True


def unlock(server):
    Server.objects.filter(pk=server.pk).update(locked=False, updated=timezone.now())
    server.locked = False


# ---- servers: delete, operate, resize ----------------------------------------------------


def delete_server(server, *, actor):
    """Queue the deletion; the quota is given back when the cloud confirms it."""
    with transaction.atomic():
        lock_for_operation(
            server, statuses=(Server.Status.READY, Server.Status.FAILED, Server.Status.RESIZED)
        )
        server = Server.objects.select_for_update().get(pk=server.pk)
        create_failed = server.status == Server.Status.FAILED
        server.begin_delete()
        server.save(update_fields=["status", "updated"])
        task = new_server_task(server, DELETE_KIND, actor)
        enqueue(task, "portal.servers.tasks.delete_server", create_failed)
    return server, task


@dataclass(frozen=True)
class Operation:
    method: str  # the ComputeAPI method
    allowed_from: tuple[str, ...]  # Nova statuses it may start from
    admin_only: bool = False


OPERATIONS = {
    "start": Operation("start_server", ("SHUTOFF",)),
    "stop": Operation("stop_server", ("ACTIVE", "ERROR")),
    "softreboot": Operation("reboot_server", ("ACTIVE",)),
    "hardreboot": Operation("reboot_server", ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "ERROR")),
    "suspend": Operation("suspend_server", ("ACTIVE",)),
    "resume": Operation("resume_server", ("SUSPENDED",)),
    "pause": Operation("pause_server", ("ACTIVE",), admin_only=True),
    "unpause": Operation("unpause_server", ("PAUSED",), admin_only=True),
    "lock": Operation("lock_server", (), admin_only=True),
    "unlock": Operation("unlock_server", (), admin_only=True),
}
TENANT_OPERATIONS = tuple(name for name, op in OPERATIONS.items() if not op.admin_only)


def operate_server(server, operate_type, *, actor, operator=False):
    """Start, stop, reboot, suspend, resume (and, for operators, pause, unpause, lock,
    unlock) the server; 409 when its state does not allow it."""
    operation = OPERATIONS.get(operate_type)
    if operation is None or (operation.admin_only and not operator):
        allowed = OPERATIONS if operator else TENANT_OPERATIONS
        raise ValidationFailed(
            fields={"operate_type": [_("Must be one of: %s.") % ", ".join(allowed)]}
        )
    if operation.allowed_from and server.runtime_state not in operation.allowed_from:
        raise Conflict(
            _("Cannot %(operation)s the server while it is %(state)s.")
            % {"operation": operate_type, "state": server.runtime_state or server.status},
            code="invalid_state",
        )
    with transaction.atomic():
        lock_for_operation(server)
        task = new_server_task(server, OPERATE_KIND, actor)
        enqueue(task, "portal.servers.tasks.operate_server", operate_type)
    return task


RESIZABLE_STATES = ("ACTIVE", "SHUTOFF")


def resize_server(server, flavor_ref, *, actor):
    """Seed 003's resize: reserve the extra quota (a bigger flavor), lock the server and
    queue the job that stops, resizes, confirms and restores it."""
    flavor = _offered_flavor(server.tenant, server.cloud, flavor_ref)
    if flavor.backend_id == server.flavor_ref:
        raise ValidationFailed(fields={"flavor_ref": [_("The server already has it.")]})
    if server.runtime_state not in RESIZABLE_STATES:
        raise Conflict(
            _("A server that is %(state)s cannot be resized.")
            % {"state": server.runtime_state or server.status},
            code="invalid_state",
        )
    with transaction.atomic():
        lock_for_operation(server)
        server = Server.objects.select_for_update().get(pk=server.pk)
        server.begin_resize()
        server.save(update_fields=["status", "updated"])
        task = new_server_task(server, RESIZE_KIND, actor)
        growth = {
            "cores": max(flavor.vcpus - server.vcpus, 0),
            "ram": max(flavor.ram - server.ram, 0),
        }
        if any(growth.values()):
            quotas.reserve(server.tenant, task=task, server=server, **growth)
        enqueue(task, "portal.servers.tasks.resize_server", flavor.pk)
    return server, task


FINISH_RESIZE_KINDS = {"confirm": CONFIRM_RESIZE_KIND, "revert": REVERT_RESIZE_KIND}


def finish_resize(server, decision, *, actor):
    """Confirm or revert (`decision`) a resize left for confirmation (the cloud's
    `resize_confirm` option is "manual"); 409 when no resize awaits it."""
    with transaction.atomic():
        lock_for_operation(server, statuses=(Server.Status.RESIZED,))
        task = new_server_task(server, FINISH_RESIZE_KINDS[decision], actor)
        enqueue(task, "portal.servers.tasks.finish_resize", decision)
    return server, task


# ---- what the stuck-task janitor releases ------------------------------------------------


_RELEASERS = {}


def _releases(kind):
    """Register what gives back a Task's lock and quota: used by the stuck-task janitor,
    and by a job that fails before its flow could start (no cloud driver)."""

    def register(handler):
        _RELEASERS[kind] = handler
        return on_task_abandoned(kind)(handler)

    return register


def release_held(task, reason):
    """Give back what the Task holds, recording `reason` on its server if it fails it."""
    task.message = str(reason)[:500]
    _RELEASERS[task.kind](task)


def _server_of(task):
    return Server.objects.filter(instance_id=task.target_id).first()


@_releases(CREATE_KIND)
def _abandoned_create(task):
    quotas.release_task_reservations(task)
    server = _server_of(task)
    if server is not None:
        # What the cloud may hold is found by the state sync, which queues its removal.
        Server.objects.filter(pk=server.pk, status=Server.Status.CREATING).update(
            status=Server.Status.FAILED,
            status_message=task.message[:500],
            locked=False,
            updated=timezone.now(),  # a sync running now leaves it for the next one
        )


@_releases(RESIZE_KIND)
def _abandoned_resize(task):
    quotas.release_task_reservations(task)
    server = _server_of(task)
    if server is not None:
        Server.objects.filter(pk=server.pk, status=Server.Status.RESIZING).update(
            status=Server.Status.READY
        )
        unlock(server)


@_releases(DELETE_KIND)
def _abandoned_delete(task):
    server = _server_of(task)
    if server is not None:
        Server.objects.filter(pk=server.pk, status=Server.Status.DELETING).update(
            status=Server.Status.READY
        )
        unlock(server)


@_releases(OPERATE_KIND)
@_releases(CONFIRM_RESIZE_KIND)
@_releases(REVERT_RESIZE_KIND)
@_releases(CLEANUP_KIND)
def _abandoned_operation(task):
    """Only the lock: a resize left for confirmation stays so (confirm or revert again)."""
    server = _server_of(task)
    if server is not None:
        unlock(server)


# ---- tags (seed 001) ---------------------------------------------------------------------

MAX_TAGS = 50
TAG_MAX_LENGTH = 60


def clean_tag(name) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > TAG_MAX_LENGTH or "/" in name or "," in name:
        problem = _("A tag has 1 to %(max)d characters and no '/' or ','.") % {
            "max": TAG_MAX_LENGTH
        }
        raise ValidationFailed(problem, fields={"tags": [problem]})
    return name


def tags_of(server) -> list[str]:
    return list(server.tags.values_list("name", flat=True))


def set_tags(server, names) -> list[str]:
    """Replace the server's tags (a portal record: no cloud call)."""
    wanted = sorted({clean_tag(name) for name in names})
    if len(wanted) > MAX_TAGS:
        raise ValidationFailed(fields={"tags": [_("At most %d tags.") % MAX_TAGS]})
    with transaction.atomic():
        server.tags.exclude(name__in=wanted).delete()
        ServerTag.objects.bulk_create(
            [ServerTag(server=server, name=name) for name in wanted], ignore_conflicts=True
        )
    return wanted


def add_tag(server, name) -> None:
    name = clean_tag(name)
    if server.tags.count() >= MAX_TAGS and not server.tags.filter(name=name).exists():
        raise Conflict(_("A server has at most %d tags.") % MAX_TAGS, code="too_many_tags")
    ServerTag.objects.get_or_create(server=server, name=name)


def remove_tag(server, name) -> None:
    if not server.tags.filter(name=name).delete()[0]:
        raise NotFound(_("The server has no tag %(tag)s.") % {"tag": name})
