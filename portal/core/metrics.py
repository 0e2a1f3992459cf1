"""The portal's own Prometheus metrics (django-prometheus adds requests, responses and
database queries) and the /metrics exposition.

Web and worker are separate processes, each with its own counters: the web's /metrics
shows what the web did, the worker serves its own (WORKER_METRICS_PORT, see
portal/celery.py). With PROMETHEUS_MULTIPROC_DIR set (a directory shared by the processes
of one host: gunicorn's workers, a prefork worker's children), each exposition sums every
process's files.
"""

import inspect
import logging
import os
import time
from contextlib import contextmanager, suppress

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

# Tasks take from a fraction of a second (a read) to an hour (an image upload).
TASK_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
CLOUD_CALL_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)

TASKS_FINISHED = Counter(
    "portal_tasks_finished", "Tasks that ended, by kind and outcome.", ["kind", "outcome"]
)
TASK_DURATION = Histogram(
    "portal_task_duration_seconds",
    "Time from a Task's start (or creation, if it never started) to its end.",
    ["kind", "outcome"],
    buckets=TASK_BUCKETS,
)
CLOUD_CALL_DURATION = Histogram(
    "portal_cloud_call_duration_seconds",
    "Cloud driver calls, by cloud kind, operation (group.method) and outcome (ok, error).",
    ["cloud_kind", "operation", "outcome"],
    buckets=CLOUD_CALL_BUCKETS,
)


def record_task_finished(task):
    """Count a Task that has just reached its final state."""
    begun = task.started or task.created
    seconds = max((task.finished - begun).total_seconds(), 0.0) if task.finished else 0.0
    TASKS_FINISHED.labels(task.kind, task.state).inc()
    TASK_DURATION.labels(task.kind, task.state).observe(seconds)


@contextmanager
def timed_cloud_call(cloud_kind, operation):
    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    finally:
        CLOUD_CALL_DURATION.labels(cloud_kind, operation, outcome).observe(
            time.perf_counter() - started
        )


def timed_iteration(cloud_kind, operation, iterator):
    """A driver's iter_* call asks the cloud page by page as it is consumed: time that."""
    with timed_cloud_call(cloud_kind, operation):
        yield from iterator


def time_call(cloud_kind, operation, method):
    """`method` timed as `operation`; a generator it returns is timed while consumed."""

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            result = method(*args, **kwargs)
        except BaseException:
            elapsed = time.perf_counter() - started
            CLOUD_CALL_DURATION.labels(cloud_kind, operation, "error").observe(elapsed)
            raise
        if inspect.isgenerator(result):
            return timed_iteration(cloud_kind, operation, result)
        elapsed = time.perf_counter() - started
        CLOUD_CALL_DURATION.labels(cloud_kind, operation, "ok").observe(elapsed)
        return result

    return timed


class QueueLengthCollector:
    """portal_queue_length{queue}: jobs waiting in the broker, read at scrape time (Redis
    LLEN; files in the folder of the embedded filesystem broker). A broker that does not
    answer leaves the gauge out; /readyz reports the broker itself."""

    def __init__(self, queues=None):
        self.queues = queues

    def describe(self):  # registering then asks no broker
        yield self._gauge()

    @staticmethod
    def _gauge():
        return GaugeMetricFamily(
            "portal_queue_length", "Celery jobs waiting in the broker.", labels=["queue"]
        )

    def collect(self):
        from portal.celery import app

        gauge = self._gauge()
        queues = self.queues or [app.conf.task_default_queue]
        try:
            with app.connection_for_read() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
                channel = connection.default_channel
                for queue in queues:
                    gauge.add_metric([queue], _queue_length(channel, queue))
        except Exception as exc:  # the scrape still shows every other metric
            logger.warning("queue length not read from the broker: %s", exc)
            return
        yield gauge


def _queue_length(channel, queue):
    from kombu.exceptions import ChannelError

    try:
        return channel.queue_declare(queue=queue, passive=True).message_count
    except ChannelError:  # Redis has no list until a job is queued
        return 0


def registry():
    """The registry to expose: this process's, or every process's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)
        combined.register(QueueLengthCollector())
        return combined
    return REGISTRY


def register_queue_length():
    """Add the queue gauge to this process's registry (once; from CoreConfig.ready)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        with suppress(ValueError):  # already registered (ready() run twice in tests)
            REGISTRY.register(QueueLengthCollector())


def serve_worker_metrics():
    """In a Celery worker, serve /metrics on WORKER_METRICS_PORT (unset: not at all) once
    it is ready: the Tasks' counts and the cloud calls are recorded there, not in the web."""
    from celery.signals import worker_ready

    def start(**kwargs):
        from django.conf import settings

        if settings.WORKER_METRICS_PORT:
            start_http_server(
                settings.WORKER_METRICS_PORT, settings.WORKER_METRICS_ADDRESS, registry()
            )

    worker_ready.connect(start, weak=False, dispatch_uid="portal-worker-metrics")
