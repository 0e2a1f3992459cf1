"""Celery jobs of the servers app: the flavor pull and its beat entry point."""

from celery import shared_task

from portal.clouds.models import Cloud
from portal.core.sync import run_sync_job
from portal.servers import services


@shared_task(acks_late=True, ignore_result=True)
def sync_flavors(task_id, cloud_id):
    """Run a queued flavor pull (Task kind "flavors.sync")."""
    run_sync_job(task_id, cloud_id, services.sync_flavors)


@shared_task(acks_late=True, ignore_result=True)
def sync_flavors_on_schedule(cloud_id):
    """Beat: queue a flavor pull of the cloud, recorded as a Task like "Sync now"."""
    cloud = Cloud.objects.filter(pk=cloud_id, enabled=True).first()
    if cloud is not None:
        services.request_flavor_sync(cloud=cloud, actor="system:beat")
