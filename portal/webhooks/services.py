"""The platform's webhooks, request side: endpoints (saved by the admin and the API),
the delivery rows recorded when a Task ends, and re-sending one.

Sending is the worker's (`tasks.deliver`), queued by name once the rows are committed.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from portal.celery import app as celery_app
from portal.core.api.serializers import TaskSerializer
from portal.core.errors import Conflict
from portal.core.models import Task
from portal.core.saving import assign_keeping_secrets
from portal.webhooks.models import Delivery, WebhookEndpoint

DELIVER_JOB = "portal.webhooks.tasks.deliver"
EVENT_OF_STATE = {
    Task.State.SUCCEEDED: Delivery.Event.TASK_SUCCEEDED,
    Task.State.FAILED: Delivery.Event.TASK_FAILED,
}


def save_endpoint(endpoint: WebhookEndpoint, changes: dict, actor=None) -> WebhookEndpoint:
    """Create or change an endpoint; a blank secret keeps the stored one (write-only)."""
    assign_keeping_secrets(endpoint, changes, {"secret"})
    if endpoint._state.adding and actor is not None:
        endpoint.created_by = str(actor)[:200]
    endpoint.save()
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint with its deliveries (pending ones are never sent)."""
    endpoint.delete()


def record_deliveries(task: Task) -> list[Delivery]:
    """A pending delivery of `task`'s end to every enabled endpoint, in the transaction
    that ends it (core's on_task_finished); their sending is queued once it commits."""
    endpoints = list(WebhookEndpoint.objects.filter(enabled=True))
    if not endpoints:
        return []
    event = EVENT_OF_STATE[task.state]
    now = timezone.now()
    deliveries = []
    for endpoint in endpoints:
        delivery = Delivery(
            endpoint=endpoint,
            task=task,
            event=event,
            next_attempt=now,
            attempts_allowed=settings.WEBHOOK_MAX_ATTEMPTS,
            created=now,
        )
        delivery.payload = event_body(delivery, task)
        deliveries.append(delivery)
    Delivery.objects.bulk_create(deliveries)
    _queue(deliveries)
    return deliveries


def event_body(delivery: Delivery, task: Task) -> dict:
    """What the receiver gets: the event, and the Task as the API shows it."""
    return {
        "delivery_id": delivery.delivery_id,
        "event": delivery.event,
        "created_time": serializers.DateTimeField().to_representation(delivery.created),
        "task": dict(TaskSerializer(task).data),
    }


def resend(delivery: Delivery) -> Delivery:
    """One more attempt now, whatever came of the previous ones (the same body, newly
    signed). Refused (409) while its endpoint is disabled."""
    if not delivery.endpoint.enabled:
        raise Conflict(_("Its endpoint is disabled; enable it first."), code="endpoint_disabled")
    delivery.state = Delivery.State.PENDING
    delivery.next_attempt = timezone.now()
    delivery.attempts_allowed = max(delivery.attempts_allowed, delivery.attempts + 1)
    delivery.save(update_fields=["state", "next_attempt", "attempts_allowed"])
    _queue([delivery])
    return delivery


def _queue(deliveries):
    ids = [delivery.delivery_id for delivery in deliveries]

    def send():
        for delivery_id in ids:
            celery_app.signature(DELIVER_JOB, args=[delivery_id]).apply_async()

    transaction.on_commit(send)
