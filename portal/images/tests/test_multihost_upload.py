"""The portal on several hosts: PostgreSQL and Redis on one, Ceph's S3 on another (both
started by scripts/multihost/up), gunicorn on a third and two Celery workers on two more,
each host a network namespace of its own with a filesystem the others never read.

An image uploaded to the web host is staged in S3 and transferred to the cloud by a worker
on another host; nothing is staged on the web host's disk, and the staged pieces are gone
from the bucket once the image is in the cloud.

Run by `make test-multihost` (part of `make test`): it points this process's DATABASE_URL,
CELERY_BROKER_URL and CACHE_URL at the data host, so the test database is created there
and the other hosts use it.
"""

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from portal.celery import app as celery_app
from portal.clouds.models import Cloud
from portal.clouds.simulator.models import SimulatedObject
from portal.images.models import Image
from portal.images.pieces import staging_dir
from portal.tenants.models import PlatformAPIKey

pytestmark = [pytest.mark.multihost, pytest.mark.django_db(transaction=True)]

ENV_FILE = Path(os.environ.get("MULTIHOST_ENV", "/tmp/portal-multihost/env"))
ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
WEB_ADDRESS = "10.77.0.4:8000"
WORKERS = ("work1", "work2")
PIECE = 3 * 1024 * 1024


def read_env_file():
    if not ENV_FILE.is_file():
        pytest.fail(f"{ENV_FILE} is missing: run scripts/multihost/up (as make test does)")
    lines = ENV_FILE.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and line[0] != "#")


@pytest.fixture(scope="module")
def hosts_env():
    return read_env_file()


@pytest.fixture(scope="module")
def bucket(hosts_env):
    """The staging bucket on the S3 host, made once and emptied of earlier runs' leftovers."""
    import boto3

    s3 = boto3.resource(
        "s3",
        endpoint_url=hosts_env["MULTIHOST_S3_ENDPOINT_URL"],
        aws_access_key_id=hosts_env["MULTIHOST_S3_ACCESS_KEY"],
        aws_secret_access_key=hosts_env["MULTIHOST_S3_SECRET_KEY"],
        region_name="us-east-1",
    )
    staging = s3.Bucket(hosts_env["MULTIHOST_S3_BUCKET"])
    if staging.creation_date is None:
        staging.create()
    staging.objects.all().delete()
    return staging


def portal_env(hosts_env, host, tmp_root):
    """The settings of a portal process on `host`: the shared services, its own disk."""
    database = connection.settings_dict
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"postgres://postgres@{database['HOST']}:5432/{database['NAME']}",
        "CELERY_BROKER_URL": hosts_env["MULTIHOST_BROKER_URL"],
        "CACHE_URL": hosts_env["MULTIHOST_CACHE_URL"],
        "FIELD_ENCRYPTION_KEYS": os.environ["FIELD_ENCRYPTION_KEYS"],
        "SECRET_KEY": "multihost-test-secret-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": WEB_ADDRESS.split(":")[0],
        "MEDIA_ROOT": str(tmp_root / host / "media"),
        "STAGING_S3_BUCKET": hosts_env["MULTIHOST_S3_BUCKET"],
        "STAGING_S3_ENDPOINT_URL": hosts_env["MULTIHOST_S3_ENDPOINT_URL"],
        "AWS_ACCESS_KEY_ID": hosts_env["MULTIHOST_S3_ACCESS_KEY"],
        "AWS_SECRET_ACCESS_KEY": hosts_env["MULTIHOST_S3_SECRET_KEY"],
        "AWS_DEFAULT_REGION": "us-east-1",
    }


@contextlib.contextmanager
def on_host(host, command, env, log_path):
    """`command` run on the namespace `pmh-<host>`; stopped (its whole group) on exit."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            ["ip", "netns", "exec", f"pmh-{host}", *command],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def portal_hosts(hosts_env, bucket, tmp_path):
    """gunicorn on pmh-web, a Celery worker on each of pmh-work1 and pmh-work2; yields the
    web's base URL and the hosts' log files once the web answers and both workers reply."""
    logs = {host: tmp_path / f"{host}.log" for host in ("web", *WORKERS)}
    web = [str(BIN / "gunicorn"), "portal.wsgi", "-b", WEB_ADDRESS, "-w", "2", "--timeout", "120"]
    with contextlib.ExitStack() as stack:
        web_env = portal_env(hosts_env, "web", tmp_path)
        stack.enter_context(on_host("web", web, web_env, logs["web"]))
        for host in WORKERS:
            worker = [
                str(BIN / "celery"), "-A", "portal", "worker", "-n", f"{host}@multihost",
                "--pool", "solo", "--loglevel", "INFO", "--without-gossip",
            ]  # fmt: skip
            stack.enter_context(
                on_host(host, worker, portal_env(hosts_env, host, tmp_path), logs[host])
            )
        base_url = f"http://{WEB_ADDRESS}"
        # Up once it refuses a request without a key (an answer from Django, not a reset).
        answer_of_web = lambda: requests.get(f"{base_url}/api/v1/images", timeout=2)  # noqa: E731
        wait_until(lambda: answer_of_web().status_code == 401, "the web host")
        wait_until(lambda: len(celery_app.control.ping(timeout=1)) == len(WORKERS), "workers")
        yield base_url, logs


def wait_until(check, what, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if check():
                return
        time.sleep(0.5)
    pytest.fail(f"{what} did not answer within {seconds} s")


def upload(base_url, key, region, payload):
    """A client's resumable upload: POST the metadata, PUT the file in Content-Range pieces;
    returns the image id and the Task the last piece answered with."""
    session = requests.Session()
    session.headers["Authorization"] = f"Api-Key {key}"
    created = session.post(
        f"{base_url}/api/v1/images",
        json={
            "image_name": "multihost", "image_diskformat": "raw",
            "image_containerformat": "bare", "region": region,
        },
        timeout=30,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    image_id = created.json()["image_id"]
    for start in range(0, len(payload), PIECE):
        piece = payload[start : start + PIECE]
        answer = session.put(
            f"{base_url}/api/v1/images/{image_id}/file",
            data=piece,
            headers={
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes {start}-{start + len(piece) - 1}/{len(payload)}",
            },
            timeout=60,
        )
        assert answer.status_code in (200, 202), answer.text
    return session, image_id, answer.json()["task"]["task_id"]


def finished_task(session, base_url, task_id, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        task = session.get(f"{base_url}/api/v1/tasks/{task_id}", timeout=10).json()
        if task["state"] in ("succeeded", "failed"):
            return task
        time.sleep(0.5)
    pytest.fail(f"task {task_id} did not end within {seconds} s")


def test_an_upload_received_by_the_web_host_is_transferred_by_a_worker_on_another(
    portal_hosts, bucket, tmp_path
):
    base_url, logs = portal_hosts
    cloud = Cloud.objects.create(name="multihost-sim", kind="simulator", region="mh-sim")
    _, key = PlatformAPIKey.objects.create_key(name="multihost")
    payload = os.urandom(PIECE * 2 + 12345)  # three pieces, the last one short

    session, image_id, task_id = upload(base_url, key, cloud.region, payload)
    task = finished_task(session, base_url, task_id)

    assert task["state"] == "succeeded", task
    image = session.get(f"{base_url}/api/v1/images/{image_id}", timeout=10).json()
    assert image["image_status"] == "active"
    held = SimulatedObject.objects.get(cloud=cloud, kind=SimulatedObject.Kind.IMAGE)
    assert held.data["size"] == len(payload)
    assert held.data["checksum"] == hashlib.md5(payload, usedforsecurity=False).hexdigest()
    # Staged in S3 only: nothing on the web host's disk, nothing left in the bucket.
    assert not list((tmp_path / "web" / "media").rglob("*.part"))
    staged = staging_dir(Image.objects.get(image_id=image_id))
    assert not list(bucket.objects.filter(Prefix=f"{staged}/"))
    # The transfer ran on one of the worker hosts (each logs the jobs it ran).
    ran_on = [host for host in WORKERS if "portal.images.tasks" in logs[host].read_text()]
    assert ran_on, {host: logs[host].read_text()[-2000:] for host in WORKERS}
