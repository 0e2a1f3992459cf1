from celery import shared_task

from portal.webhooks import workflows


# Bounded by the delivery's own attempts (WEBHOOK_MAX_ATTEMPTS), not Celery's count.
@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver(self, delivery_id):
    """POST a delivery to its endpoint; on failure, retry after the backoff."""
    wait = workflows.attempt_delivery(delivery_id)
    if wait is not None:
        raise self.retry(countdown=wait)


@shared_task(acks_late=True, ignore_result=True)
def requeue_overdue_deliveries():
    """Beat job: queue again the pending deliveries whose job was lost."""
    overdue = workflows.overdue_deliveries()
    for delivery_id in overdue:
        deliver.delay(delivery_id)
    return len(overdue)
