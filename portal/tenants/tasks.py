"""Celery jobs of the tenants app: thin wrappers; the work is in provisioning.py."""

from functools import partial

from celery import shared_task

from portal.clouds.drivers import get_driver
from portal.core.services import execute_task
from portal.tenants import provisioning, regions


@shared_task(acks_late=True, ignore_result=True)
def provision_tenant(task_id):
    """Set a tenant up in one cloud (the "tenant.provision" Task of its identity there)."""
    execute_task(task_id, partial(provisioning.provision_tenant, open_driver=get_driver))


@shared_task(ignore_result=True)
def retry_setups():
    """Beat: queue again the set-ups that failed, and the missing ones (regions.py)."""
    regions.retry_setups()
