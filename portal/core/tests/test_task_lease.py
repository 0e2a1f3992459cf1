"""A Task's lease: a redelivered job takes over a Task whose worker died (its heartbeat
is old) and leaves alone one a live worker runs; the janitor fails a Task whose worker
died when no job took it over; each kind's deadline fits its run time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.core import services
from portal.core.models import Task
from portal.core.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def ago(seconds):
    return timezone.now() - timedelta(seconds=seconds)


def test_a_redelivered_job_takes_over_the_task_of_a_dead_worker(settings):
    task = TaskFactory(state=Task.State.RUNNING, heartbeat=ago(settings.TASK_LEASE_SECONDS + 1))
    ran = []

    services.execute_task(task.pk, lambda running: ran.append(running.pk) or "done")

    task.refresh_from_db()
    assert ran == [task.pk]
    assert (task.state, task.message, task.heartbeat) == (Task.State.SUCCEEDED, "done", None)


def test_a_redelivered_job_leaves_a_live_workers_task_alone(settings):
    task = TaskFactory(state=Task.State.RUNNING, heartbeat=ago(settings.TASK_LEASE_SECONDS / 2))
    ran = []

    assert services.execute_task(task.pk, ran.append) is None

    task.refresh_from_db()
    assert ran == []
    assert task.state == Task.State.RUNNING


def test_a_running_task_without_a_heartbeat_is_taken_over():
    task = TaskFactory(state=Task.State.RUNNING, heartbeat=None)
    services.execute_task(task.pk, lambda running: "done")
    assert Task.objects.get(pk=task.pk).state == Task.State.SUCCEEDED


def test_the_janitor_fails_a_task_whose_worker_died_and_no_job_took_over(settings):
    released = []
    services.on_task_abandoned("test.orphaned")(lambda task: released.append(task.pk))
    allowance = settings.TASK_LEASE_SECONDS + settings.CELERY_VISIBILITY_TIMEOUT + 60
    later = timezone.now() + timedelta(hours=1)
    orphaned = TaskFactory(
        kind="test.orphaned", state=Task.State.RUNNING, heartbeat=ago(allowance + 5),
        deadline=later,
    )  # fmt: skip
    awaiting_redelivery = TaskFactory(
        state=Task.State.RUNNING, heartbeat=ago(allowance - 30), deadline=later
    )

    assert services.fail_stuck_tasks() == 1

    orphaned.refresh_from_db()
    assert (orphaned.state, orphaned.error_code) == (Task.State.FAILED, "stuck")
    assert "worker" in orphaned.message
    assert released == [orphaned.pk]
    assert Task.objects.get(pk=awaiting_redelivery.pk).state == Task.State.RUNNING


def test_each_kind_has_a_deadline_that_fits_its_run_time(settings):
    settings.CELERY_VISIBILITY_TIMEOUT, settings.TASK_LEASE_SECONDS = 300, 60
    console = services.create_task("server.console")
    create = services.create_task("server.create")
    other = services.create_task("thing.unlisted")

    def minutes(task):
        return round((task.deadline - task.created).total_seconds() / 60)

    # Two runs to the hard limit (1 + 1 min), the visibility timeout (5) and the lease (1).
    assert minutes(console) == 2 * 2 + 5 + 1
    assert minutes(create) == 2 * (20 + 1) + 5 + 1
    assert minutes(other) == 2 * (settings.CELERY_TASK_SOFT_TIME_LIMIT // 60 + 1) + 5 + 1
