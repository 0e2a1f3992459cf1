"""With a real Celery worker: the platform's receiver down, then back; retries spaced by
the backoff until it answers."""

import time

import pytest
from werkzeug import Response

from portal.webhooks.models import Delivery
from portal.webhooks.tests.conftest import (
    RECEIVER_PATH,
    end_a_task,
    received_bodies,
    signature_is_valid,
)

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.fixture
def quick_retries(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.5


def test_deliveries_made_while_the_receiver_is_down_arrive_once_it_is_back(
    endpoint, receiver, celery_worker, quick_retries
):
    receiver.stop()
    task = end_a_task("fail")

    # A second attempt is claimed only once the first one has failed.
    wait_for(lambda: Delivery.objects.filter(task=task, attempts__gte=2).exists())
    receiver.expect_request(RECEIVER_PATH).respond_with_data("ok")
    receiver.start()  # on the same port

    delivery = wait_for(lambda: Delivery.objects.filter(task=task, state="delivered").first())
    assert delivery.attempts >= 2
    assert (delivery.last_status_code, delivery.last_error) == (200, "")
    ((request, _response),) = receiver.log
    assert signature_is_valid(endpoint.secret, request)
    assert received_bodies(receiver)[0]["task"]["task_id"] == str(task.pk)


def test_a_failing_receiver_is_retried_with_growing_pauses(
    endpoint, receiver, celery_worker, quick_retries
):
    arrivals = []

    def five_hundred_twice(request):
        arrivals.append(time.monotonic())
        return Response(
            "ok" if len(arrivals) > 2 else "down", status=200 if len(arrivals) > 2 else 500
        )

    receiver.expect_request(RECEIVER_PATH).respond_with_handler(five_hundred_twice)

    task = end_a_task()

    delivery = wait_for(lambda: Delivery.objects.filter(task=task, state="delivered").first())
    assert delivery.attempts == 3
    first_pause, second_pause = arrivals[1] - arrivals[0], arrivals[2] - arrivals[1]
    assert first_pause >= 0.45  # 0.5 s, then 1.5 s
    assert second_pause >= 1.4
    (request, _response) = receiver.log[-1]
    assert signature_is_valid(endpoint.secret, request)
