"""Celery jobs of the network app: the network pull, VPCs, routers, security groups and
floating IPs (their work is in workflows/, security_groups/ and floating_ips/)."""

from celery import shared_task

from portal.clouds.drivers import get_driver
from portal.clouds.sync import run_sync_job
from portal.core.errors import NotFound, PortalError
from portal.core.services import execute_task, release_held
from portal.network import workflows
from portal.network.floating_ips import workflows as floating_ip_workflows
from portal.network.floating_ips.models import FloatingIP
from portal.network.models import Network, Router
from portal.network.security_groups import workflows as security_groups
from portal.network.security_groups.models import SecurityGroup
from portal.network.workflows import routers, vpcs
from portal.tenants.credentials import tenant_driver


@shared_task(acks_late=True, ignore_result=True)
def sync_network(task_id, cloud_id):
    """Run a queued network pull (Task kind "network.sync")."""
    run_sync_job(task_id, cloud_id, workflows.sync_network)


def _run_on(task_id, model, id_field, flow, *args):
    """Run `flow(task, row, driver, *args)` on the Task's target row (a VPC, a router, a
    security group) with its tenant's own cloud user, or the admin's for a row of no
    tenant (a group the pull found in no tenant's project is the operators'); if that
    cannot be opened, what the Task holds is released before the error fails the Task."""

    def work(task):
        rows = model.objects.select_related("cloud", "tenant")
        row = rows.filter(**{id_field: task.target_id}).first()
        if row is None:
            raise NotFound()
        try:
            if row.tenant is None:
                driver = get_driver(row.cloud)
            else:
                driver = tenant_driver(row.tenant, row.cloud)
        except PortalError as exc:
            release_held(task, exc)
            raise
        return flow(task, row, driver, *args)

    execute_task(task_id, work)


@shared_task(acks_late=True, ignore_result=True)
def create_vpc(task_id):
    """Task kind "vpc.create"."""
    _run_on(task_id, Network, "vpc_id", vpcs.create)


@shared_task(acks_late=True, ignore_result=True)
def update_vpc(task_id, name, description):
    """Task kind "vpc.update"."""
    _run_on(task_id, Network, "vpc_id", vpcs.update, name, description)


@shared_task(acks_late=True, ignore_result=True)
def delete_vpc(task_id):
    """Task kind "vpc.delete"."""
    _run_on(task_id, Network, "vpc_id", vpcs.delete)


@shared_task(acks_late=True, ignore_result=True)
def add_subnet(task_id, subnet_pk):
    """Task kind "vpc.add_subnet"."""
    _run_on(task_id, Network, "vpc_id", vpcs.add_subnet, subnet_pk)


@shared_task(acks_late=True, ignore_result=True)
def remove_subnet(task_id, subnet_pk):
    """Task kind "vpc.remove_subnet"."""
    _run_on(task_id, Network, "vpc_id", vpcs.remove_subnet, subnet_pk)


@shared_task(acks_late=True, ignore_result=True)
def create_router(task_id, external_network_id):
    """Task kind "router.create"."""
    _run_on(task_id, Router, "router_id", routers.create, external_network_id)


@shared_task(acks_late=True, ignore_result=True)
def delete_router(task_id):
    """Task kind "router.delete"."""
    _run_on(task_id, Router, "router_id", routers.delete)


@shared_task(acks_late=True, ignore_result=True)
def change_router(task_id, action, params):
    """Task kind "router.update" (its action: set_gateway, add_route...)."""
    _run_on(task_id, Router, "router_id", routers.change, action, params)


@shared_task(acks_late=True, ignore_result=True)
def create_security_group(task_id, job):
    """Task kind "security_group.create"."""
    _run_on(task_id, SecurityGroup, "security_group_id", security_groups.create, job)


@shared_task(acks_late=True, ignore_result=True)
def update_security_group(task_id, job):
    """Task kind "security_group.update"."""
    _run_on(task_id, SecurityGroup, "security_group_id", security_groups.update, job)


@shared_task(acks_late=True, ignore_result=True)
def delete_security_group(task_id):
    """Task kind "security_group.delete"."""
    _run_on(task_id, SecurityGroup, "security_group_id", security_groups.delete)


@shared_task(acks_late=True, ignore_result=True)
def operate_security_group(task_id, ops_type, instance_ids):
    """Task kind "security_group.operate": attach or detach."""
    _run_on(
        task_id, SecurityGroup, "security_group_id", security_groups.operate, ops_type, instance_ids
    )


@shared_task(acks_late=True, ignore_result=True)
def allocate_floating_ip(task_id):
    """Task kind "network.floating_ip.allocate"."""
    _run_on(task_id, FloatingIP, "floating_ip_id", floating_ip_workflows.allocate)


@shared_task(acks_late=True, ignore_result=True)
def associate_floating_ip(task_id, device_id, fixed_ip_address):
    """Task kind "network.floating_ip.associate"."""
    _run_on(
        task_id,
        FloatingIP,
        "floating_ip_id",
        floating_ip_workflows.associate,
        device_id,
        fixed_ip_address,
    )


@shared_task(acks_late=True, ignore_result=True)
def dissociate_floating_ip(task_id):
    """Task kind "network.floating_ip.dissociate"."""
    _run_on(task_id, FloatingIP, "floating_ip_id", floating_ip_workflows.dissociate)


@shared_task(acks_late=True, ignore_result=True)
def release_floating_ip(task_id):
    """Task kind "network.floating_ip.release"."""
    _run_on(task_id, FloatingIP, "floating_ip_id", floating_ip_workflows.release)
