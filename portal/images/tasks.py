"""Celery jobs of the images app: the image pull, the transfer
of an uploaded image to its cloud, deleting an uploaded image."""

from celery import shared_task

from portal.clouds.drivers import get_driver
from portal.clouds.sync import run_sync_job
from portal.core.services import execute_task
from portal.images import workflows
from portal.images.models import Image


@shared_task(acks_late=True, ignore_result=True)
def sync_images(task_id, cloud_id):
    """Run a queued image pull (Task kind "images.sync")."""
    run_sync_job(task_id, cloud_id, workflows.sync_images)


@shared_task(acks_late=True, ignore_result=True)
def transfer_image(task_id, image_pk):
    """Stream a staged upload into its cloud (Task kind "images.upload")."""

    def work(task):
        cloud = Image.objects.select_related("cloud").get(pk=image_pk).cloud
        return workflows.transfer_image(image_pk, get_driver(cloud), task)

    execute_task(task_id, work)


@shared_task(acks_late=True, ignore_result=True)
def delete_image(task_id, image_pk):
    """Delete an uploaded image from its cloud, then from the portal ("images.delete")."""

    def work(task):
        image = Image.objects.select_related("cloud").filter(pk=image_pk).first()
        if image is None:
            return ""  # already gone (a redelivered job)
        return workflows.delete_uploaded_image(image_pk, get_driver(image.cloud))

    execute_task(task_id, work)


@shared_task(acks_late=True, ignore_result=True)
def discard_abandoned_uploads():
    """Beat: remove the staged pieces of uploads their client gave up on."""
    workflows.discard_abandoned_uploads()
