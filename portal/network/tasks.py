"""Celery jobs of the network app: the network pull and the security group operations
(their work is in workflows.py and security_groups/workflows.py)."""

from celery import shared_task

from portal.clouds.drivers import get_driver
from portal.clouds.sync import run_sync_job
from portal.core.errors import NotFound, PortalError
from portal.core.services import execute_task, release_held
from portal.network import workflows
from portal.network.security_groups import workflows as security_groups
from portal.network.security_groups.models import SecurityGroup
from portal.tenants.credentials import tenant_driver


@shared_task(acks_late=True, ignore_result=True)
def sync_network(task_id, cloud_id):
    """Run a queued network pull (Task kind "network.sync")."""
    run_sync_job(task_id, cloud_id, workflows.sync_network)


def _run_group_job(task_id, flow, *args):
    """Run `flow(task, group, driver, *args)` for the group the Task targets, with its
    tenant's own cloud user (the admin's for a group of no tenant); if that cannot be
    opened, what the Task holds is released before the error fails the Task."""

    def work(task):
        groups = SecurityGroup.objects.select_related("cloud", "tenant")
        group = groups.filter(security_group_id=task.target_id).first()
        if group is None:
            raise NotFound()
        try:
            # A group of no tenant's project (found by the pull) is the operators'.
            if group.tenant is None:
                driver = get_driver(group.cloud)
            else:
                driver = tenant_driver(group.tenant, group.cloud)
        except PortalError as exc:
            release_held(task, exc)
            raise
        return flow(task, group, driver, *args)

    execute_task(task_id, work)


@shared_task(acks_late=True, ignore_result=True)
def create_security_group(task_id, job):
    """Task kind "security_group.create"."""
    _run_group_job(task_id, security_groups.create, job)


@shared_task(acks_late=True, ignore_result=True)
def update_security_group(task_id, job):
    """Task kind "security_group.update"."""
    _run_group_job(task_id, security_groups.update, job)


@shared_task(acks_late=True, ignore_result=True)
def delete_security_group(task_id):
    """Task kind "security_group.delete"."""
    _run_group_job(task_id, security_groups.delete)


@shared_task(acks_late=True, ignore_result=True)
def operate_security_group(task_id, ops_type, instance_ids):
    """Task kind "security_group.operate": attach or detach."""
    _run_group_job(task_id, security_groups.operate, ops_type, instance_ids)
