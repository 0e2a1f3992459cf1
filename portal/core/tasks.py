from celery import shared_task

from portal.core import services


@shared_task(acks_late=True, ignore_result=True)
def fail_stuck_tasks():
    """Beat job: fail Tasks stuck past their deadline and release what they held."""
    return services.fail_stuck_tasks()
