"""Celery jobs of the ISOs app: the ISO sync, uploads,
deletions, which talk to FTP and SSH servers (portal.isos.workflows); mounts and unmounts,
which open cloud drivers (portal.isos.mounting): the tenant's own user for its server,
the cloud's admin for the ISO's Glance registration.
"""

from functools import partial

from celery import shared_task
from django.utils.translation import gettext as _

from portal.clouds.drivers import get_driver
from portal.clouds.models import Cloud
from portal.core.errors import NotFound, PortalError
from portal.core.services import execute_task, report_progress
from portal.isos import mounting, services, workflows
from portal.isos.models import IsoMount
from portal.servers.tasks import driver_for_server


@shared_task(acks_late=True, ignore_result=True)
def sync_isos(task_id, cloud_id):
    """Run a queued ISO sync of one cloud's FTP servers (Task kind "isos.sync")."""

    def work(task):
        cloud = Cloud.objects.filter(pk=cloud_id).first()
        if cloud is None:
            raise NotFound(_("The cloud no longer exists."))
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


def _run_mount_job(task_id, flow, *, admin=False):
    """Run `flow(task, mount, tenant_driver[, admin_driver])` for the Task's mount; if no
    driver can be opened, the mount is released before the error fails the Task."""

    def work(task):
        mount = IsoMount.objects.select_related(
            "server__cloud", "server__tenant", "iso__ftp_server", "iso__cloud"
        ).get(task=task)
        try:
            drivers = [driver_for_server(mount.server)]
            if admin:
                drivers.append(get_driver(mount.server.cloud))
        except PortalError as exc:
            services.release_mount(task, exc.message)
            raise
        return flow(task, mount, *drivers)

    execute_task(task_id, work)


@shared_task(acks_late=True, ignore_result=True)
def mount_iso(task_id):
    """Mount an ISO on a server (Task kind "isos.mount")."""
    _run_mount_job(task_id, mounting.mount, admin=True)


@shared_task(acks_late=True, ignore_result=True)
def unmount_iso(task_id):
    """Unmount a server's ISO (Task kind "isos.unmount")."""
    _run_mount_job(task_id, mounting.unmount)


@shared_task(acks_late=True, ignore_result=True)
def release_cd_volume(task_id):
    """Delete a deleted server's CD volume (Task kind "isos.release")."""
    _run_mount_job(task_id, mounting.release_after_server_deleted)
