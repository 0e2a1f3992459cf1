"""Celery jobs of the object-storage app: each opens its store's driver and runs a flow
of workflows.py under its Task; what a failed Task held is given back here."""

from celery import shared_task

from portal.clouds.drivers import get_object_storage_driver
from portal.clouds.errors import CloudError
from portal.clouds.sync import run_task_on_cloud
from portal.core.errors import NotFound, PortalError
from portal.core.services import execute_task
from portal.objectstorage import locking, workflows
from portal.objectstorage.models import Bucket, ObjectStore, OssUser


@shared_task(acks_late=True, ignore_result=True)
def create_user_and_bucket(task_id):
    """Task kind "objectstorage.create". On failure the rows it made are removed (the
    bucket's, and its owner's if RGW has no such user): the Task keeps the reason."""

    def work(task):
        bucket = Bucket.objects.select_related("owner", "store").get(pk=task.target_id)
        try:
            return workflows.create_user_and_bucket(
                task, bucket, get_object_storage_driver(bucket.store)
            )
        except PortalError:
            locking.forget_failed_create(bucket.pk)
            raise

    execute_task(task_id, work)


@shared_task(acks_late=True, ignore_result=True)
def set_user_quota(task_id, max_size_in_g, max_objects):
    """Task kind "objectstorage.quota"."""
    _run_on_user(task_id, workflows.set_user_quota, max_size_in_g, max_objects)


@shared_task(acks_late=True, ignore_result=True)
def recover_key(task_id, rotate):
    """Task kind "objectstorage.key", action "recover" or "rotate"."""
    _run_on_user(task_id, workflows.recover_key, rotate)


def _run_on_user(task_id, flow, *args):
    """Run `flow(task, oss_user, driver, *args)` and unlock the user, however it ends."""

    def work(task):
        oss_user = OssUser.objects.select_related("store").get(pk=task.target_id)
        try:
            return flow(task, oss_user, get_object_storage_driver(oss_user.store), *args)
        finally:
            locking.unlock(oss_user)

    execute_task(task_id, work)


@shared_task(acks_late=True, ignore_result=True)
def check_store(task_id):
    """Task kind "objectstorage.check": the store's "Test connection"; the outcome is
    also kept on the store's row."""

    def work(task):
        store = ObjectStore.objects.filter(pk=task.target_id).first()
        if store is None:
            raise NotFound()
        try:
            message = workflows.check_store(task, store, get_object_storage_driver(store))
        except CloudError as exc:
            workflows.record_check(store, exc)
            raise
        workflows.record_check(store)
        return message

    execute_task(task_id, work)


@shared_task(acks_late=True, ignore_result=True)
def sync_object_storage(task_id, cloud_id):
    """Task kind "objectstorage.sync": the usage pull of the region's store."""

    def sync(cloud, progress):
        store = ObjectStore.objects.get(cloud=cloud)
        return workflows.sync_store(store, get_object_storage_driver(store), progress)

    run_task_on_cloud(task_id, cloud_id, sync)
