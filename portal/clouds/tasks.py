"""Celery jobs of the clouds app: beat's pulls, one entry per cloud and kind of pull."""

from celery import shared_task

from portal.clouds import sync


@shared_task(acks_late=True, ignore_result=True)
def sync_on_schedule(kind, cloud_id):
    """Beat: queue a pull of `kind` of the cloud, recorded as a Task like "Sync now"."""
    sync.request_scheduled_sync(kind, cloud_id)
