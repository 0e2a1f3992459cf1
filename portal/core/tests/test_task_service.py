import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from portal.core import services
from portal.core.errors import Conflict
from portal.core.models import Task
from portal.core.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_create_task_sets_deadline_and_requester(tenant):
    task = services.create_task(
        "thing.make", target_type="thing", target_id=7, tenant=tenant, actor="staff:alice",
        deadline=120,
    )  # fmt: skip
    assert task.state == Task.State.QUEUED
    assert task.target_id == "7"
    assert task.requested_by == "staff:alice"
    assert timedelta(seconds=110) < task.deadline - timezone.now() <= timedelta(seconds=120)


def test_execute_task_success_records_progress_and_message():
    task = TaskFactory()
    seen = []

    def work(running):
        seen.append(Task.objects.get(pk=running.pk).state)
        services.report_progress(running, 40, "half way")
        seen.append(Task.objects.get(pk=running.pk).progress)
        return "all done"

    services.execute_task(task.pk, work)
    task.refresh_from_db()
    assert seen == [Task.State.RUNNING, 40]
    assert (task.state, task.progress, task.message) == (Task.State.SUCCEEDED, 100, "all done")
    assert task.started
    assert task.finished


def test_execute_task_portal_error_fails_with_its_code():
    task = TaskFactory()

    def work(running):
        raise Conflict("The thing is busy.", code="locked")

    services.execute_task(task.pk, work)
    task.refresh_from_db()
    assert (task.state, task.error_code, task.message) == (
        Task.State.FAILED,
        "locked",
        "The thing is busy.",
    )


def test_execute_task_unexpected_error_hides_details(caplog):
    task = TaskFactory()

    def work(running):
        raise RuntimeError("secret backend detail")

    services.execute_task(task.pk, work)
    task.refresh_from_db()
    assert task.state == Task.State.FAILED
    assert task.error_code == "internal_error"
    assert "secret" not in task.message
    assert "secret backend detail" in caplog.text  # logged for the operator


def test_execute_task_skips_a_finished_task():
    task = TaskFactory(state=Task.State.SUCCEEDED)
    calls = []
    assert services.execute_task(task.pk, calls.append) is None
    assert calls == []


def test_progress_is_clamped_and_ignored_once_finished():
    task = TaskFactory()
    services.execute_task(task.pk, lambda t: services.report_progress(t, 250))
    task.refresh_from_db()
    assert task.progress == 100
    services.report_progress(task, 10, "late")
    task.refresh_from_db()
    assert (task.progress, task.message) == (100, "")


def test_a_finished_task_cannot_finish_again():
    task = TaskFactory()
    assert services.fail_task(task, "boom", "Failed.")
    assert not services.succeed_task(task, "too late")
    task.refresh_from_db()
    assert task.state == Task.State.FAILED


def test_stale_copy_cannot_overwrite_a_concurrent_finish():
    task = TaskFactory()
    stale = Task.objects.get(pk=task.pk)
    assert services.succeed_task(task)
    assert not services.fail_task(stale, "stuck", "Too late.")
    assert Task.objects.get(pk=task.pk).state == Task.State.SUCCEEDED


def test_janitor_fails_stuck_tasks_and_releases_what_they_held():
    released = []
    services.on_task_abandoned("test.locking")(lambda task: released.append(task.pk))
    past = timezone.now() - timedelta(minutes=1)
    stuck = TaskFactory(kind="test.locking", state=Task.State.RUNNING, deadline=past)
    queued = TaskFactory(state=Task.State.QUEUED, deadline=past)
    fresh = TaskFactory(state=Task.State.RUNNING, deadline=timezone.now() + timedelta(hours=1))
    done = TaskFactory(state=Task.State.SUCCEEDED, deadline=past)

    assert services.fail_stuck_tasks() == 2
    states = dict(Task.objects.values_list("pk", "state"))
    assert states[stuck.pk] == states[queued.pk] == Task.State.FAILED
    assert states[fresh.pk] == Task.State.RUNNING
    assert states[done.pk] == Task.State.SUCCEEDED
    assert Task.objects.get(pk=stuck.pk).error_code == "stuck"
    assert released == [stuck.pk]


def test_janitor_survives_a_failing_release_handler(caplog):
    def broken(task):
        raise RuntimeError("release failed")

    services.on_task_abandoned("test.broken")(broken)
    TaskFactory(kind="test.broken", deadline=timezone.now() - timedelta(seconds=1))
    TaskFactory(kind="test.broken", deadline=timezone.now() - timedelta(seconds=1))
    assert services.fail_stuck_tasks() == 2
    assert "release failed" in caplog.text


def test_a_job_that_cannot_start_releases_as_the_janitor_would():
    messages = []
    services.on_task_abandoned("test.no_driver")(lambda task: messages.append(task.message))
    services.release_held(TaskFactory(kind="test.no_driver"), "No cloud user yet.")
    services.release_held(TaskFactory(kind="test.holds_nothing"), "No cloud user yet.")
    assert messages == ["No cloud user yet."]


@pytest.mark.django_db(transaction=True)
def test_wait_for_task_returns_when_the_task_finishes():
    task = TaskFactory()

    def finish_later():
        import time

        time.sleep(0.3)
        services.succeed_task(Task.objects.get(pk=task.pk), "done")
        connection.close()  # this thread's own connection

    worker = threading.Thread(target=finish_later)
    worker.start()
    waited = services.wait_for_task(task, 10)
    worker.join()
    assert waited.state == Task.State.SUCCEEDED


def test_wait_for_task_gives_up_after_the_time_asked():
    task = TaskFactory()
    started = timezone.now()
    waited = services.wait_for_task(task, 0.3)
    assert waited.state == Task.State.QUEUED
    assert (timezone.now() - started).total_seconds() < 2
