"""The platform's receiver: a real HTTP server on loopback, and how it checks what the
portal sent (the verification the README gives receivers, written here independently)."""

import hashlib
import hmac
import json
import time

import pytest
from pytest_httpserver import HTTPServer

from portal.core import services
from portal.core.tests.factories import TaskFactory
from portal.webhooks.tests.factories import WebhookEndpointFactory

RECEIVER_PATH = "/portal-events"


@pytest.fixture
def receiver():
    """A receiver of its own, so a test can stop it (the platform's downtime) and start it
    again on the same port."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def endpoint(receiver, settings):
    settings.WEBHOOK_TIMEOUT = 2.0
    return WebhookEndpointFactory(url=receiver.url_for(RECEIVER_PATH))


def signature_is_valid(secret, request, tolerance=300) -> bool:
    """The README's receiver check: HMAC-SHA256 of "<t>.<raw body>", and a recent `t`."""
    fields = dict(part.split("=", 1) for part in request.headers["X-Portal-Signature"].split(","))
    signed = f"{fields['t']}.".encode() + request.get_data()
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(fields["t"])) <= tolerance
    return hmac.compare_digest(expected, fields["v1"]) and fresh


def received_bodies(receiver) -> list[dict]:
    return [json.loads(request.get_data()) for request, _response in receiver.log]


def end_a_task(outcome="succeed", **fields):
    """A Task that runs and ends (as a worker's execute_task ends it); returns it."""
    task = TaskFactory(**fields)
    task.start()
    task.save()
    if outcome == "succeed":
        services.succeed_task(task, "done")
    else:
        services.fail_task(task, "cloud_error", "The cloud refused.")
    return task
