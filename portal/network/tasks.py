"""Celery jobs of the network app: the network pull (its work is in workflows.py)."""

from celery import shared_task

from portal.clouds.sync import run_sync_job
from portal.network import workflows


@shared_task(acks_late=True, ignore_result=True)
def sync_network(task_id, cloud_id):
    """Run a queued network pull (Task kind "network.sync")."""
    run_sync_job(task_id, cloud_id, workflows.sync_network)
