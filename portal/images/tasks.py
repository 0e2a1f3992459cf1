"""Celery jobs of the images app: the image pull and its beat entry point."""

from celery import shared_task

from portal.clouds.models import Cloud
from portal.core.sync import run_sync_job
from portal.images import services


@shared_task(acks_late=True, ignore_result=True)
def sync_images(task_id, cloud_id):
    """Run a queued image pull (Task kind "images.sync")."""
    run_sync_job(task_id, cloud_id, services.sync_images)


@shared_task(acks_late=True, ignore_result=True)
def sync_images_on_schedule(cloud_id):
    """Beat: queue an image pull of the cloud, recorded as a Task like "Sync now"."""
    cloud = Cloud.objects.filter(pk=cloud_id, enabled=True).first()
    if cloud is not None:
        services.request_image_sync(cloud=cloud, actor="system:beat")
