"""Celery jobs of the clouds app: beat's pulls, one entry per cloud and kind of pull,
and the check of every cloud that /readyz reads."""

from celery import shared_task

from portal.clouds import health, sync


@shared_task(acks_late=True, ignore_result=True)
def sync_on_schedule(kind, cloud_id):
    """Beat: queue a pull of `kind` of the cloud, recorded as a Task like "Sync now"."""
    sync.request_scheduled_sync(kind, cloud_id)


@shared_task(acks_late=True, ignore_result=True)
def check_clouds():
    """Beat: ask every enabled cloud a cheap question and record whether it answered."""
    health.check_enabled_clouds()
