"""A delivery per (Task end, enabled endpoint), recorded in the transaction that ends the
Task, and sent once it commits."""

import pytest
from django.db import transaction

from portal.core import services as core_services
from portal.core.api.serializers import TaskSerializer
from portal.core.list_cache import CommitRaise
from portal.core.tests.factories import TaskFactory
from portal.webhooks.models import Delivery
from portal.webhooks.tests.conftest import (
    RECEIVER_PATH,
    end_a_task,
    received_bodies,
    signature_is_valid,
)
from portal.webhooks.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def test_a_task_that_ends_is_posted_signed_with_the_endpoint_secret(
    endpoint, receiver, run_commit_hooks
):
    receiver.expect_request(RECEIVER_PATH, method="POST").respond_with_data("ok")

    task = end_a_task("succeed")

    ((request, _response),) = receiver.log
    assert signature_is_valid(endpoint.secret, request)
    assert not signature_is_valid("another-secret-of-16+", request)
    delivery = Delivery.objects.get(task=task)
    assert request.headers["X-Portal-Event"] == "task.succeeded"
    assert request.headers["X-Portal-Delivery"] == delivery.delivery_id
    assert request.headers["Content-Type"] == "application/json"
    task.refresh_from_db()
    assert received_bodies(receiver) == [
        {
            "delivery_id": delivery.delivery_id,
            "event": "task.succeeded",
            "created_time": delivery.payload["created_time"],
            "task": dict(TaskSerializer(task).data),
        }
    ]
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered is not None
    assert delivery.next_attempt is None


def test_a_failed_task_is_announced_as_task_failed_with_its_error_code(
    endpoint, receiver, run_commit_hooks
):
    receiver.expect_request(RECEIVER_PATH).respond_with_data("ok")

    end_a_task("fail")

    (body,) = received_bodies(receiver)
    assert body["event"] == "task.failed"
    assert (body["task"]["state"], body["task"]["error_code"]) == ("failed", "cloud_error")


def test_the_janitor_failing_a_stuck_task_is_announced_too(endpoint):
    task = TaskFactory(deadline="2000-01-01T00:00:00Z")

    assert core_services.fail_stuck_tasks() == 1

    delivery = Delivery.objects.get(task=task)
    assert (delivery.event, delivery.payload["task"]["error_code"]) == ("task.failed", "stuck")


def test_each_enabled_endpoint_gets_its_own_delivery(db):
    first, second = WebhookEndpointFactory(), WebhookEndpointFactory()
    WebhookEndpointFactory(enabled=False)

    task = end_a_task()

    deliveries = Delivery.objects.filter(task=task)
    assert {d.endpoint for d in deliveries} == {first, second}
    assert all(d.state == "pending" and d.attempts_allowed == 8 for d in deliveries)


def test_no_endpoint_no_delivery(db):
    end_a_task()
    assert not Delivery.objects.exists()


def test_a_task_ended_twice_is_announced_once(db):
    """The worker and the janitor may race to end one Task: the loser's transition is
    refused, and its delivery with it."""
    WebhookEndpointFactory()
    task = TaskFactory()
    task.start()
    task.save()
    janitors_copy = type(task).objects.get(pk=task.pk)  # read while it still ran

    assert core_services.succeed_task(task) is True
    assert core_services.fail_task(janitors_copy, "stuck", "late") is False
    assert list(Delivery.objects.filter(task=task).values_list("event", flat=True)) == [
        "task.succeeded"
    ]


def test_the_delivery_is_rolled_back_with_the_task_end(db):
    """Recorded in the same transaction: an end that does not commit announces nothing."""
    WebhookEndpointFactory()
    task = TaskFactory()

    class CallerFailed(Exception):
        pass

    def end_then_fail():
        with transaction.atomic():
            core_services.succeed_task(task)
            assert Delivery.objects.filter(task=task).exists()
            raise CallerFailed

    with pytest.raises(CallerFailed):
        end_then_fail()

    assert not Delivery.objects.filter(task=task).exists()


def test_sending_waits_for_the_commit(endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.expect_request(RECEIVER_PATH).respond_with_data("ok")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        end_a_task()
        assert receiver.log == []

    # The send (the list cache's own raise its tables' generations).
    assert len([c for c in callbacks if not isinstance(c, CommitRaise)]) == 1
    assert len(receiver.log) == 1
