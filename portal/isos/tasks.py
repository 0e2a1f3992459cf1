"""Celery jobs of the ISOs app: the ISO sync, uploads and deletions, which talk to FTP
and SSH servers (portal.isos.workflows). Mounting an ISO on a server is the servers
app's (its cdrom package).
"""

from functools import partial

from celery import shared_task

from portal.clouds.models import Cloud
from portal.clouds.task_messages import CloudMessages
from portal.core.errors import NotFound
from portal.core.services import execute_task, report_progress
from portal.isos import workflows


@shared_task(acks_late=True, ignore_result=True)
def sync_isos(task_id, cloud_id):
    """Run a queued ISO sync of one cloud's FTP servers (Task kind "isos.sync")."""

    def work(task):
        cloud = Cloud.objects.filter(pk=cloud_id).first()
        if cloud is None:
            raise NotFound(CloudMessages.GONE)
        return workflows.sync_cloud_isos(cloud, progress=partial(report_progress, task))

    execute_task(task_id, work)


@shared_task(acks_late=True, ignore_result=True)
def upload_iso(task_id, iso_pk):
    """Send a staged ISO to its FTP server (Task kind "isos.upload")."""
    execute_task(task_id, lambda task: workflows.run_upload(iso_pk, task))


@shared_task(acks_late=True, ignore_result=True)
def delete_iso(task_id, iso_pk, previous_status):
    """Remove an ISO from its FTP server, then from the portal (Task kind "isos.delete")."""
    execute_task(task_id, lambda task: workflows.run_deletion(iso_pk, previous_status))
