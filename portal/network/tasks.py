"""Celery jobs of the network app: the network pull and its beat entry point."""

from celery import shared_task

from portal.clouds.models import Cloud
from portal.core.sync import run_sync_job
from portal.network import services


@shared_task(acks_late=True, ignore_result=True)
def sync_network(task_id, cloud_id):
    """Run a queued network pull (Task kind "network.sync")."""
    run_sync_job(task_id, cloud_id, services.sync_network)


@shared_task(acks_late=True, ignore_result=True)
def sync_network_on_schedule(cloud_id):
    """Beat: queue a network pull of the cloud, recorded as a Task like "Sync now"."""
    cloud = Cloud.objects.filter(pk=cloud_id, enabled=True).first()
    if cloud is not None:
        services.request_network_sync(cloud=cloud, actor="system:beat")
