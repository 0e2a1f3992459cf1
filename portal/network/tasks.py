"""Celery jobs of the network app: the network pull (its work is in workflows.py) and the
floating IP operations (floating_ips/workflows.py)."""

from celery import shared_task

from portal.clouds.drivers import get_driver
from portal.clouds.sync import run_sync_job
from portal.core.errors import NotFound, PortalError, ServiceUnavailable
from portal.core.services import execute_task, release_held
from portal.network import workflows
from portal.network.floating_ips import workflows as floating_ip_workflows
from portal.network.floating_ips.models import FloatingIP
from portal.network.task_messages import FloatingIPMessages, NetworkMessages
from portal.tenants.credentials import tenant_credentials
from portal.tenants.models import TenantIdentity


@shared_task(acks_late=True, ignore_result=True)
def sync_network(task_id, cloud_id):
    """Run a queued network pull (Task kind "network.sync")."""
    run_sync_job(task_id, cloud_id, workflows.sync_network)


def _tenant_driver(tenant, cloud):
    """The driver with the tenant's own cloud user; 503 if it is not set up there yet."""
    identity = TenantIdentity.objects.filter(tenant=tenant, cloud=cloud).first()
    if identity is None or not identity.project_id:
        raise ServiceUnavailable(NetworkMessages.TENANT_NOT_READY, code="tenant_not_ready")
    return get_driver(cloud, tenant_credentials(identity))


def _run_floating_ip_job(task_id, flow, *args):
    """Run `flow(task, floating_ip, driver, *args)` with the tenant's own cloud user (the
    admin's for a floating IP no tenant owns); if no driver can be opened, what the Task
    holds is released before the error fails it."""

    def work(task):
        floating_ip = (
            FloatingIP.objects.select_related("cloud", "tenant")
            .filter(floating_ip_id=task.target_id)
            .first()
        )
        if floating_ip is None:
            raise NotFound(FloatingIPMessages.GONE)
        try:
            if floating_ip.tenant is None:
                driver = get_driver(floating_ip.cloud)
            else:
                driver = _tenant_driver(floating_ip.tenant, floating_ip.cloud)
        except PortalError as exc:
            release_held(task, exc)
            raise
        return flow(task, floating_ip, driver, *args)

    execute_task(task_id, work)


@shared_task(acks_late=True, ignore_result=True)
def allocate_floating_ip(task_id):
    """Task kind "network.floating_ip.allocate"."""
    _run_floating_ip_job(task_id, floating_ip_workflows.allocate)


@shared_task(acks_late=True, ignore_result=True)
def associate_floating_ip(task_id, device_id, fixed_ip_address):
    """Task kind "network.floating_ip.associate"."""
    _run_floating_ip_job(task_id, floating_ip_workflows.associate, device_id, fixed_ip_address)


@shared_task(acks_late=True, ignore_result=True)
def dissociate_floating_ip(task_id):
    """Task kind "network.floating_ip.dissociate"."""
    _run_floating_ip_job(task_id, floating_ip_workflows.dissociate)


@shared_task(acks_late=True, ignore_result=True)
def release_floating_ip(task_id):
    """Task kind "network.floating_ip.release"."""
    _run_floating_ip_job(task_id, floating_ip_workflows.release)
