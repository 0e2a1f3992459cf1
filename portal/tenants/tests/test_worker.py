"""End to end with a real Celery worker on Redis: sign up and wait for the set-up."""

import json
import logging
import time

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from portal.celery import app
from portal.core.logging import RequestIdFilter
from portal.tenants import tasks as tenant_tasks
from portal.tenants.models import Tenant
from portal.tenants.tests.conftest import TENANTS_URL, sign_up


@pytest.mark.django_db(transaction=True)
def test_sign_up_through_a_real_worker(cloud, platform_client, celery_worker):
    assert tenant_tasks.provision_tenant.name in app.tasks
    response = sign_up(platform_client, "Acme", wait=30)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["task"]["state"] == "succeeded", body["task"]
    assert body["status"] == "active"
    identity = Tenant.objects.get(pk=body["tenant_id"]).identities.get()
    assert identity.role_assigned
    assert identity.member_role_id


@pytest.fixture
def json_log_lines():
    """The lines logged meanwhile, as the settings' JSON formatter writes them."""
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(self.format(record)))

    config = settings.LOGGING
    handler = Collect()
    handler.setFormatter(
        JsonFormatter(**{k: v for k, v in config["formatters"]["json"].items() if k != "()"})
    )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level  # the test worker lowers the root logger to errors only
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)
    root.setLevel(level)


def lines_naming(task_id, lines, patience=10.0):
    """The lines that name the Task, waiting for the worker's first: it may log after the
    answer has been sent (the Task ended), on a loaded machine a while after."""
    deadline = time.monotonic() + patience
    while not (named := [line for line in lines if task_id in line["message"]]):
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return named


@pytest.mark.django_db(transaction=True)
def test_the_worker_logs_under_the_id_of_the_request_that_queued_the_job(
    cloud, platform_client, celery_worker, json_log_lines
):
    logging.getLogger().setLevel(logging.INFO)
    response = platform_client.post(
        f"{TENANTS_URL}?wait=30",
        {"tenant_name": "Logged"},
        format="json",
        HTTP_X_REQUEST_ID="req-from-platform-42",
    )

    assert response["X-Request-Id"] == "req-from-platform-42"
    task_id = response.json()["task"]["task_id"]
    worker_lines = lines_naming(task_id, json_log_lines)
    assert worker_lines, json_log_lines
    assert {line["request_id"] for line in worker_lines} == {"req-from-platform-42"}
    assert {"time", "level", "logger"} <= set(worker_lines[0])
