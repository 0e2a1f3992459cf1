"""Celery jobs of the tenants app: thin wrappers; the work is in provisioning.py."""

from functools import partial

from celery import shared_task

from portal.clouds.drivers import get_driver
from portal.core.services import execute_task
from portal.tenants import provisioning


@shared_task(acks_late=True, ignore_result=True)
def provision_tenant(task_id):
    """Set a newly registered tenant up in its cloud (the "tenant.provision" Task)."""
    execute_task(task_id, partial(provisioning.provision_tenant, open_driver=get_driver))
