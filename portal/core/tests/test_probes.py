"""/healthz, /readyz and /metrics: what monitoring asks, and who may read the metrics."""

import socket
import urllib.request

import pytest
from celery.signals import worker_ready
from prometheus_client.parser import text_string_to_metric_families

from portal.celery import app as celery_app
from portal.core import services
from portal.core.metrics import QueueLengthCollector
from portal.core.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

SCRAPER = {"REMOTE_ADDR": "127.0.0.1"}


def samples(response, name):
    """{labels as a sorted tuple: value} of metric `name` in an exposition."""
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_healthz_answers_without_asking_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database_and_the_broker(client):
    response = client.get("/readyz")

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_readyz_is_503_when_the_broker_does_not_answer(client, monkeypatch):
    # A port nobody listens on: the connection is refused for real.
    monkeypatch.setattr(celery_app.conf, "broker_write_url", "redis://127.0.0.1:9/0")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"] == {"database": "ok", "broker": "failing"}


def test_metrics_count_requests_by_view(client):
    client.get("/healthz")

    response = client.get("/metrics", **SCRAPER)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    by_view = samples(response, "django_http_requests_total_by_view_transport_method_total")
    assert by_view[(("method", "GET"), ("transport", "http"), ("view", "healthz"))] >= 1
    assert samples(response, "django_db_execute_total")  # queries, by database and vendor


def test_metrics_count_tasks_by_kind_and_outcome(client):
    before = samples(client.get("/metrics", **SCRAPER), "portal_tasks_finished_total")
    succeeded, failed = TaskFactory(kind="probe.ok"), TaskFactory(kind="probe.bad")

    services.execute_task(succeeded.pk, lambda task: "done")
    services.execute_task(failed.pk, lambda task: 1 / 0)

    response = client.get("/metrics", **SCRAPER)
    after = samples(response, "portal_tasks_finished_total")
    ok = (("kind", "probe.ok"), ("outcome", "succeeded"))
    bad = (("kind", "probe.bad"), ("outcome", "failed"))
    assert after[ok] == before.get(ok, 0) + 1
    assert after[bad] == before.get(bad, 0) + 1
    durations = samples(response, "portal_task_duration_seconds_count")
    assert durations[ok] >= 1


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_metrics_show_the_queue_length(client):
    # Jobs sent (send_task never runs eagerly) to a queue no worker reads, counted at
    # scrape time in the test broker (Redis LLEN).
    queue = "probe-test-queue"
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)
    for _ in range(2):
        celery_app.send_task("portal.core.tasks.fail_stuck_tasks", queue=queue)

    gauge = next(QueueLengthCollector(queues=[queue, "celery-empty"]).collect())
    lengths = {sample.labels["queue"]: sample.value for sample in gauge.samples}
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)
    assert lengths == {queue: 2, "celery-empty": 0}
    default_queue = celery_app.conf.task_default_queue
    assert (("queue", default_queue),) in samples(
        client.get("/metrics", **SCRAPER), "portal_queue_length"
    )


def test_metrics_are_refused_to_other_addresses(client, anon_client, client_of_tenant):
    for caller in (client, anon_client, client_of_tenant):
        response = caller.get("/metrics", REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"


def test_metrics_take_the_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"

    def scrape(authorization):
        return client.get(
            "/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION=authorization
        ).status_code

    assert scrape("Bearer s3cret-scrape-token") == 200
    assert scrape("Bearer wrong") == 403
    assert scrape("s3cret-scrape-token") == 403


def test_metrics_networks_come_from_the_settings(client, settings):
    import ipaddress

    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("203.0.113.0/24")]

    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_a_worker_serves_its_own_metrics_on_its_port(settings):
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.WORKER_METRICS_PORT = port
    services.execute_task(TaskFactory(kind="probe.worker").pk, lambda task: "done")

    worker_ready.send(sender=None)

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    assert 'portal_tasks_finished_total{kind="probe.worker",outcome="succeeded"}' in text
