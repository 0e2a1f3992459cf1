"""Celery jobs of the shares app: each opens the tenant's driver and the cloud admin's and
runs a flow of workflows.py under its Task; and the state sync."""

from celery import shared_task

from portal.clouds.drivers import get_driver
from portal.clouds.sync import run_sync_job
from portal.core.errors import PortalError, ServiceUnavailable
from portal.core.services import execute_task, release_held
from portal.shares import workflows
from portal.shares.models import Share
from portal.shares.task_messages import ShareMessages
from portal.tenants.credentials import tenant_credentials
from portal.tenants.models import TenantIdentity


def _run_share_job(task_id, flow, *args):
    """Run `flow(task, share, tenant_driver, admin_driver, *args)` for the Task's share; if
    a driver cannot be opened, what the Task holds is released before it fails."""

    def work(task):
        share = Share.objects.select_related("cloud", "tenant", "share_network").get(
            share_id=task.target_id
        )
        try:
            drivers = (_tenant_driver(share), get_driver(share.cloud))
        except PortalError as exc:
            release_held(task, exc)
            raise
        return flow(task, share, *drivers, *args)

    execute_task(task_id, work)


def _tenant_driver(share):
    identity = TenantIdentity.objects.filter(tenant=share.tenant, cloud=share.cloud).first()
    if identity is None or not identity.project_id:
        raise ServiceUnavailable(ShareMessages.TENANT_NOT_READY, code="tenant_not_ready")
    return get_driver(share.cloud, tenant_credentials(identity))


@shared_task(acks_late=True, ignore_result=True)
def create_share(task_id):
    """Task kind "shares.create"."""
    _run_share_job(task_id, workflows.create)


@shared_task(acks_late=True, ignore_result=True)
def delete_share(task_id, create_failed=False):
    """Task kind "shares.delete"."""
    _run_share_job(task_id, workflows.delete, create_failed)


@shared_task(acks_late=True, ignore_result=True)
def resize_share(task_id, new_size):
    """Task kind "shares.resize"."""
    _run_share_job(task_id, workflows.resize, new_size)


@shared_task(acks_late=True, ignore_result=True)
def allow_access(task_id, access_to, access_level):
    """Task kind "shares.access", action "allow"."""
    _run_share_job(task_id, workflows.allow, access_to, access_level)


@shared_task(acks_late=True, ignore_result=True)
def deny_access(task_id, rule_id):
    """Task kind "shares.access", action "deny"."""
    _run_share_job(task_id, workflows.deny, rule_id)


@shared_task(acks_late=True, ignore_result=True)
def sync_shares(task_id, cloud_id):
    """Task kind "shares.sync": the state sync of one cloud's shares."""
    run_sync_job(task_id, cloud_id, workflows.sync_shares)
