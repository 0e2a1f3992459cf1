"""One attempt at a time against a real receiver on loopback: its outcome recorded, the
next attempt's time backed off, attempts bounded, lost jobs swept up."""

import logging
import time
from datetime import timedelta

import pytest
from django.db.models import TextField, Value
from django.utils import timezone
from werkzeug import Response

from portal.webhooks import tasks, workflows
from portal.webhooks.models import Delivery, WebhookEndpoint
from portal.webhooks.tests.conftest import RECEIVER_PATH, end_a_task, signature_is_valid

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(endpoint):
    """A pending delivery of a Task's end, due now and not yet attempted."""
    end_a_task()
    return Delivery.objects.get()


def make_due(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt=timezone.now())


def test_a_refusal_is_recorded_and_retried_after_the_backoff(delivery, receiver, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    receiver.expect_request(RECEIVER_PATH).respond_with_data("down", status=500)

    wait = workflows.attempt_delivery(delivery.pk)

    delivery.refresh_from_db()
    assert wait == 60
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert (delivery.last_status_code, delivery.last_error) == (500, "HTTP 500")
    due_in = (delivery.next_attempt - timezone.now()).total_seconds()
    assert 55 < due_in <= 60


def test_the_backoff_grows_to_about_a_day_over_the_allowed_attempts(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    waits = [workflows.backoff_seconds(n) for n in range(1, settings.WEBHOOK_MAX_ATTEMPTS)]
    assert waits == [60, 180, 540, 1620, 4860, 14580, 43740]
    assert 12 * 3600 < sum(waits) < 24 * 3600


def test_a_delivery_out_of_attempts_is_failed(delivery, receiver, settings):
    Delivery.objects.filter(pk=delivery.pk).update(attempts_allowed=2)
    receiver.expect_request(RECEIVER_PATH).respond_with_data("down", status=503)

    assert workflows.attempt_delivery(delivery.pk) is not None
    make_due(delivery)
    assert workflows.attempt_delivery(delivery.pk) is None

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("failed", 2, 503)
    assert delivery.next_attempt is None
    assert len(receiver.log) == 2


def test_a_receiver_that_is_down_is_a_connection_error(delivery, receiver):
    receiver.stop()

    assert workflows.attempt_delivery(delivery.pk) is not None

    delivery.refresh_from_db()
    assert (delivery.last_status_code, delivery.last_error) == (None, "ConnectionError")


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt(delivery, receiver, settings):
    settings.WEBHOOK_TIMEOUT = 0.3

    def slow(request):
        time.sleep(1)
        return Response("late")

    receiver.expect_request(RECEIVER_PATH).respond_with_handler(slow)

    assert workflows.attempt_delivery(delivery.pk) is not None

    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_error) == ("pending", "ReadTimeout")


def test_a_redirect_is_not_followed(delivery, receiver):
    receiver.expect_request(RECEIVER_PATH).respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )

    workflows.attempt_delivery(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_error) == ("pending", "HTTP 302")
    assert len(receiver.log) == 1


def test_a_delivery_being_attempted_or_not_due_is_not_sent_twice(delivery, receiver):
    receiver.expect_request(RECEIVER_PATH).respond_with_data("down", status=500)

    workflows.attempt_delivery(delivery.pk)
    assert workflows.attempt_delivery(delivery.pk) is None  # the sweep's copy of the job

    assert len(receiver.log) == 1


def test_a_disabled_endpoint_holds_its_deliveries_until_enabled(delivery, endpoint, receiver):
    receiver.expect_request(RECEIVER_PATH).respond_with_data("ok")
    endpoint.enabled = False
    endpoint.save()
    long_ago = timezone.now() - timedelta(hours=1)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt=long_ago)

    assert workflows.attempt_delivery(delivery.pk) is None
    assert tasks.requeue_overdue_deliveries() == 0
    endpoint.enabled = True
    endpoint.save()
    assert tasks.requeue_overdue_deliveries() == 1

    delivery.refresh_from_db()
    assert delivery.state == "delivered"


def test_the_sweep_sends_what_a_lost_job_left_pending(delivery, endpoint, receiver, settings):
    """Only what is overdue by more than the grace: a retry's own countdown comes first."""
    receiver.expect_request(RECEIVER_PATH).respond_with_data("ok")
    end_a_task()
    recent = Delivery.objects.exclude(pk=delivery.pk).get()
    now = timezone.now()
    lost_at = now - timedelta(seconds=settings.WEBHOOK_SWEEP_GRACE_SECONDS + 5)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt=lost_at)
    Delivery.objects.filter(pk=recent.pk).update(next_attempt=now - timedelta(seconds=5))

    assert tasks.requeue_overdue_deliveries.delay().get() == 1

    delivery.refresh_from_db()
    recent.refresh_from_db()
    assert (delivery.state, recent.state) == ("delivered", "pending")
    ((request, _response),) = receiver.log
    assert request.headers["X-Portal-Delivery"] == delivery.delivery_id
    assert signature_is_valid(endpoint.secret, request)


def test_the_secret_and_url_are_never_logged(delivery, endpoint, receiver, caplog):
    receiver.expect_ordered_request(RECEIVER_PATH).respond_with_data("down", status=500)
    receiver.expect_ordered_request(RECEIVER_PATH).respond_with_data("ok")
    caplog.set_level(logging.DEBUG, logger="portal")

    workflows.attempt_delivery(delivery.pk)
    make_due(delivery)
    workflows.attempt_delivery(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    assert "webhook delivery" in caplog.text
    assert endpoint.secret not in caplog.text
    assert endpoint.url not in caplog.text


def test_a_fault_of_the_portal_counts_as_a_failed_attempt(delivery, endpoint, receiver):
    """A secret the encryption keys cannot read (a key removed too early)."""
    # A Value of a plain TextField: stored as it is, not encrypted.
    unreadable = Value("not-a-fernet-token", output_field=TextField())
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=unreadable)
    Delivery.objects.filter(pk=delivery.pk).update(attempts_allowed=1)

    assert workflows.attempt_delivery(delivery.pk) is None

    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_error) == ("failed", "internal_error")
    assert receiver.log == []
