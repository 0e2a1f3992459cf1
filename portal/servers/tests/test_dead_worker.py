"""A worker killed with SIGKILL in the middle of a create: the broker hands the job to
another worker after the visibility timeout, the job takes the Task over once the dead
worker's lease has run out, and the create carries on. Real worker processes on the
test broker and the test database, with both timeouts a few seconds long."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from portal.celery import app as celery_app
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.testing import set_delays
from portal.core.models import Task
from portal.core.services import create_task
from portal.servers.models import Server
from portal.servers.tests.factories import server_usages
from portal.servers.tests.test_instances import LIST

pytestmark = pytest.mark.django_db(transaction=True)

VISIBILITY_TIMEOUT = 3  # seconds
LEASE = 2
BUILD_SECONDS = 20  # the first worker is killed while it waits for the build
RECOVERY_LIMIT = 90  # seconds the Task may take to end after the kill


def database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def start_worker(tmp_path):
    """`start_worker(name)`: a `celery -A portal worker` process (in its own process
    group, as a worker host would be) consuming from the test broker."""
    started = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "TASK_LEASE_SECONDS": str(LEASE),
    }

    def start(name):
        log = (tmp_path / f"{name}.log").open("w")
        command = [
            sys.executable, "-m", "celery", "-A", "portal", "worker", "--concurrency=1",
            "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-n", f"{name}@%h",
        ]  # fmt: skip
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def real_queue():
    """Jobs go to the broker instead of running in this process; the queue starts empty."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    yield
    celery_app.conf.task_always_eager = eager


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds}s"
        time.sleep(0.25)


def test_a_create_whose_worker_was_killed_ends_with_nothing_held(
    identity, client_of_tenant, create_body, cloud, tenant, start_worker, real_queue
):
    set_delays(cloud, build=BUILD_SECONDS)
    first = start_worker("first")
    answer = client_of_tenant.post(LIST, create_body(data_disks=[{"size_in_g": 10}]), "json")
    assert answer.status_code == 202, answer.content
    server = Server.objects.get(instance_id=answer.json()["instance_id"])
    task = Task.objects.get(pk=server.current_task_id)

    # The first worker asked the cloud for the server and waits for its build.
    wait_for(lambda: Server.objects.get(pk=server.pk).backend_id, 60, "the first worker")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    killed = time.monotonic()
    task.refresh_from_db()
    assert task.state == Task.State.RUNNING

    start_worker("second")
    wait_for(lambda: Task.objects.get(pk=task.pk).is_finished, RECOVERY_LIMIT, "the Task")
    recovered_in = time.monotonic() - killed

    task.refresh_from_db()
    server.refresh_from_db()
    assert task.state == Task.State.SUCCEEDED, task.message  # the create carried on
    assert (server.status, server.locked) == (Server.Status.READY, False)
    servers = list(SimulatorDriver(cloud).compute.iter_servers())
    assert [info.id for info in servers] == [server.backend_id]  # not made twice
    portal_usage, cloud_usage = server_usages(tenant, cloud, identity.project_id)
    assert portal_usage == cloud_usage
    assert recovered_in < BUILD_SECONDS + 30


def test_a_copy_of_a_job_a_live_worker_runs_waits_for_it(cloud, celery_worker, settings):
    """The broker delivers a job again when it runs longer than the visibility timeout:
    the copy finds the Task's lease live and comes back later, and takes the Task over
    only once the lease has run out (here: nobody renews it)."""
    settings.TASK_LEASE_SECONDS = LEASE
    task = create_task("flavors.sync", target_type="cloud", target_id=cloud.pk)
    leased = timezone.now()
    Task.objects.filter(pk=task.pk).update(state=Task.State.RUNNING, heartbeat=leased)

    celery_app.signature(
        "portal.servers.tasks.sync_flavors", args=[str(task.pk), cloud.pk]
    ).apply_async()

    wait_for(lambda: Task.objects.get(pk=task.pk).is_finished, 30, "the Task")
    task.refresh_from_db()
    assert task.state == Task.State.SUCCEEDED
    assert task.finished >= leased + timedelta(seconds=LEASE)  # not before the lease ran out
