"""Servers, the request side: who sees which, and creating, deleting, operating and
resizing them with their quota and lock (servers/locking.py).

The cloud work of each server operation is in workflows/, run by the Celery jobs of
tasks.py.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from portal.clouds.capabilities import (
    SEVERAL_SECURITY_GROUPS,
    refuse_unmapped_zone,
    refuse_unsupported,
)
from portal.clouds.mappings import (
    refuse_login_on_boot_disk,
    refuse_unmapped,
    refuse_unmapped_server,
)
from portal.clouds.models import AzureMapping
from portal.clouds.sync import cloud_for_region
from portal.core.errors import Conflict, Unprocessable, ValidationFailed
from portal.core.models import Task
from portal.core.principals import ACTOR_TENANT, ApiPrincipal, tenant_scope
from portal.core.services import enqueue
from portal.images.models import Image
from portal.images.services import images_known_to, images_visible_to
from portal.network.services import Placement, check_placement, network_for_server
from portal.servers import keypairs
from portal.servers.disks.models import Volume
from portal.servers.flavors import flavors_offered_to
from portal.servers.locking import (
    AWAITING_CONFIRMATION,
    CONFIRM_RESIZE_KIND,
    CREATE_KIND,
    DELETABLE_STATUSES,
    DELETE_KIND,
    OPERATE_KIND,
    OPERATIONS,
    RESIZABLE_STATES,
    RESIZE_KIND,
    REVERT_RESIZE_KIND,
    SERVER_TARGET,
    TENANT_OPERATIONS,
    lock_for_operation,
    new_server_task,
)
from portal.servers.models import Flavor, Server
from portal.servers.server_templates.models import ServerTemplate
from portal.servers.task_messages import operation_verb, runtime_state_label
from portal.tenants import quotas
from portal.tenants.regions import require_ready

logger = logging.getLogger(__name__)


# ---- reading ------------------------------------------------------------------------

MAX_DATA_DISKS = 8
MAX_DISK_GB = 16384


# Columns no list shows, each a decryption per row: left out of the lists' queries.
UNLISTED_SECRETS = (
    "admin_pass", "cloud__password", "cloud__azure_client_secret", "cloud__azure_storage_key"
)  # fmt: skip


def servers_visible_to(user):
    """The servers a caller may see: a tenant its own, operators all; never deleted ones."""
    servers = Server.objects.exclude(status=Server.Status.DELETED)
    tenant = tenant_scope(user)
    return servers if tenant is None else servers.filter(tenant=tenant)


def servers_on_network(network) -> list[str]:
    """The servers (not deleted) on a network, named, for a VPC's deletion to refuse."""
    servers = Server.objects.filter(cloud_id=network.cloud_id, network_id=network.backend_id)
    names = servers.exclude(status=Server.Status.DELETED).values_list("name", flat=True)
    return [_("server %(name)s") % {"name": name} for name in names[:10]]


def tasks_of(server):
    return Task.objects.filter(target_type=SERVER_TARGET, target_id=server.instance_id)


# ---- create -------------------------------------------------------------------------


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
    one transaction. Returns (server, task). A region where the tenant is not set up (yet)
    is refused first (409 tenant_not_ready). The network, security groups, zone and host
    are checked against the network pull's mirrors first (portal.network), so an unknown
    (400) or unusable (422) one is refused before anything is written; the cloud checks
    them again in the job."""
    if request.hypervisor_hostname and not operator:
        raise ValidationFailed(
            fields={"hypervisor_hostname": [_("Only administrators may choose the host.")]}
        )
    cloud = cloud_for_region(request.region)
    refuse_unmapped_zone(cloud, request.availability_zone)
    if len(request.security_group_name) > 1:
        refuse_unsupported(cloud, SEVERAL_SECURITY_GROUPS)
    require_ready(tenant, cloud)
    flavor = _offered_flavor(tenant, cloud, request.flavor_ref)
    image = _bootable_image(tenant, cloud, request.image_ref, request.template)
    system_disk = _system_disk(request.system_disk, flavor, image)
    if request.key_name:
        keypairs.check_usable(tenant, cloud, request.key_name)
    network_uuid = network_for_server(tenant, cloud, request.network_uuid)
    refuse_unmapped_server(
        cloud,
        flavor=flavor,
        image=image,
        network_id=network_uuid,
        security_group_names=request.security_group_name,
    )
    refuse_login_on_boot_disk(
        cloud,
        image,
        key_name=request.key_name,
        admin_pass=request.admin_pass,
        system_disk=request.system_disk,
    )
    check_placement(
        tenant,
        cloud,
        Placement(
            network_uuid=network_uuid,
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
            network_id=network_uuid,
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
            holder=server,
            instances=1,
            cores=flavor.vcpus,
            ram=flavor.ram,
            volumes=1,
            gigabytes=system_disk.size_in_g,
        )
        for volume in volumes:
            quotas.reserve(tenant, task=task, holder=volume, volumes=1, gigabytes=volume.size)
        enqueue(task, "portal.servers.tasks.create_server")
    logger.info("server %s of %s accepted (task %s)", server.instance_id, tenant.pk, task.pk)
    return server, task


def _offered_flavor(tenant, cloud, flavor_ref) -> Flavor:
    flavor = flavors_offered_to(tenant).filter(cloud=cloud, backend_id=flavor_ref).first()
    if flavor is None:
        raise ValidationFailed(fields={"flavor_ref": [_("No such flavor in this region.")]})
    return flavor


def _bootable_image(tenant, cloud, image_ref, template=None):
    """The image, if the tenant may see it (another project's private image is unknown,
    400, as a wrong id is); a known but disabled or unusable one is 422,
    unless it is the image of the server template the request comes from (seed 003)."""
    image = Image.objects.filter(cloud=cloud, image_id=image_ref).first()
    kept_by_template = image is not None and template is not None and template.image_id == image.pk
    if kept_by_template and not image.is_missing:
        return image
    caller = as_tenant(tenant)
    if image is None or not images_known_to(caller).filter(pk=image.pk).exists():
        raise ValidationFailed(fields={"image_ref": [_("No such image in this region.")]})
    offered = images_visible_to(caller).filter(pk=image.pk).exists()
    if not offered:
        raise Unprocessable(
            _("The image %(name)s is disabled or not available for new servers.")
            % {"name": image.name},
            code="image_unavailable",
            fields={"image_ref": [_("This image cannot be used now.")]},
        )
    return image


def as_tenant(tenant):
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


# ---- delete, operate, resize ----------------------------------------------------------


def delete_server(server, *, actor):
    """Queue the deletion; the quota is given back when the cloud confirms it."""
    with transaction.atomic():
        lock_for_operation(server, statuses=DELETABLE_STATUSES)
        server = Server.objects.select_for_update().get(pk=server.pk)
        create_failed = server.status == Server.Status.FAILED
        server.begin_delete()
        server.save(update_fields=["status", "updated"])
        task = new_server_task(server, DELETE_KIND, actor)
        enqueue(task, "portal.servers.tasks.delete_server", create_failed)
    return server, task


def operate_server(server, operate_type, *, actor, operator=False):
    """Start, stop, reboot, suspend, resume (and, for operators, pause, unpause, lock,
    unlock) the server; 409 when its state does not allow it."""
    operation = OPERATIONS.get(operate_type)
    if operation is None or (operation.admin_only and not operator):
        allowed = OPERATIONS if operator else TENANT_OPERATIONS
        raise ValidationFailed(
            fields={"operate_type": [_("Must be one of: %s.") % ", ".join(allowed)]}
        )
    refuse_unsupported(server.cloud, operate_type)
    if not operation.allows(server.runtime_state):
        raise Conflict(
            _("Cannot %(operation)s the server while it is %(state)s.")
            % {
                "operation": operation_verb(operate_type),
                "state": runtime_state_label(server.runtime_state) or server.get_status_display(),
            },
            code="invalid_state",
        )
    with transaction.atomic():
        lock_for_operation(server)
        task = new_server_task(server, OPERATE_KIND, actor, action=operate_type)
        enqueue(task, "portal.servers.tasks.operate_server", operate_type)
    return task


def resize_server(server, flavor_ref, *, actor):
    """Seed 003's resize: reserve the extra quota (a bigger flavor), lock the server and
    queue the job that stops, resizes, confirms and restores it (in one step on a kind
    without a confirm step: Azure). On Azure the new flavor must be mapped (422)."""
    flavor = _offered_flavor(server.tenant, server.cloud, flavor_ref)
    if flavor.backend_id == server.flavor_ref:
        raise ValidationFailed(fields={"flavor_ref": [_("The server already has it.")]})
    refuse_unmapped(server.cloud, AzureMapping.Kind.FLAVOR, [flavor.backend_id], field="flavor_ref")
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
        server.save(update_fields=["status", "resize_restores", "updated"])
        task = new_server_task(server, RESIZE_KIND, actor)
        growth = {
            "cores": max(flavor.vcpus - server.vcpus, 0),
            "ram": max(flavor.ram - server.ram, 0),
        }
        if any(growth.values()):
            quotas.reserve(server.tenant, task=task, holder=server, **growth)
        enqueue(task, "portal.servers.tasks.resize_server", flavor.pk)
    return server, task


FINISH_RESIZE_KINDS = {"confirm": CONFIRM_RESIZE_KIND, "revert": REVERT_RESIZE_KIND}


def finish_resize(server, decision, *, actor):
    """Confirm or revert (`decision`) a resize left for confirmation (the cloud's
    `resize_confirm` option is "manual"); 409 when no resize awaits it."""
    refuse_unsupported(server.cloud, decision)
    with transaction.atomic():
        lock_for_operation(server, statuses=AWAITING_CONFIRMATION)
        task = new_server_task(server, FINISH_RESIZE_KINDS[decision], actor)
        enqueue(task, "portal.servers.tasks.finish_resize", decision)
    return server, task
