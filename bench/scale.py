#!/usr/bin/env python
"""Scale-out benchmark: many concurrent server creates finished by one Celery worker, then
by two workers on hosts of their own. Prints one JSON object.

    scripts/multihost/up                 # the data host (PostgreSQL, Redis), as root
    python bench/scale.py                # 100 creates, 1 then 2 workers
    python bench/scale.py --servers 40 --build-seconds 1 --concurrency 4

Hosts are the network namespaces of scripts/multihost (see README, "The portal on several
hosts"): the database and the broker on pmh-data, each worker on pmh-work1 / pmh-work2.
For each run a simulator cloud gets the demo catalog and a tenant with room for every
server; `--servers` creates are sent at once through the REST API (the portal's own path:
validation, quota reservation, one Task each), from `--clients` threads. The clock runs
from the first request until every Task has ended. The simulator's server build takes
`--build-seconds` (a real cloud's boot is a wait, not work), so a worker spends most of a
create polling the cloud; `--concurrency` is each worker's thread count.

Goal: 2 workers take <= 0.6x the time of 1 (`two_over_one`). Everything runs on a throwaway
database (portal_scalebench on the data host, created and dropped here).
"""

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ENV_FILE = Path(os.environ.get("MULTIHOST_ENV", "/tmp/portal-multihost/env"))
WORKER_HOSTS = ("work1", "work2")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=100)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--build-seconds", type=float, default=2.0)
    args = parser.parse_args()
    hosts = read_hosts()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=hosts["MULTIHOST_DATABASE_URL"].rsplit("/", 1)[0] + "/portal_scalebench",
        CELERY_BROKER_URL=hosts["MULTIHOST_BROKER_URL"],
        CACHE_URL=hosts["MULTIHOST_CACHE_URL"],
    )
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "LAe4ya_fms1abDXml6i_L8DILBngaFURWDt_ZAn0s08=")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the API client's host is allowed
    name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    report = {"servers": args.servers, "build_seconds": args.build_seconds, "load": load()}
    try:
        runs = {n: bench_run(args, n) for n in (1, 2)}
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    report["runs"] = {f"{n}_workers": run for n, run in runs.items()}
    one, two = runs[1]["seconds"], runs[2]["seconds"]
    report["two_over_one"] = round(two / one, 3)
    report["goal_met"] = report["two_over_one"] <= 0.6 and all(
        run["failed"] == 0 for run in runs.values()
    )
    report["load_after"] = load()
    print(json.dumps(report, indent=2))


def read_hosts():
    if not ENV_FILE.is_file():
        sys.exit(f"{ENV_FILE} is missing: run scripts/multihost/up first (as root)")
    lines = ENV_FILE.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and line[0] != "#")


def load():
    return [round(figure, 2) for figure in os.getloadavg()]


def bench_run(args, workers):
    """One run: a fresh cloud and tenant, `workers` worker hosts, every create at once."""
    from portal.core.models import Task

    client_headers, body = prepare(f"scale-{workers}", args)
    with worker_hosts(WORKER_HOSTS[:workers], args.concurrency):
        started = time.perf_counter()
        task_ids, refused = send_creates(client_headers, body, args)
        finished = wait_for_tasks(task_ids)
        seconds = time.perf_counter() - started
    states = Task.objects.filter(pk__in=task_ids).values_list("state", flat=True)
    succeeded = sum(1 for state in states if state == Task.State.SUCCEEDED)
    failures = Counter(
        task.message for task in Task.objects.filter(pk__in=task_ids, state=Task.State.FAILED)
    )
    return {
        "workers": workers,
        "seconds": round(seconds, 2),
        "creates_per_minute": round(60 * succeeded / seconds, 1),
        "succeeded": succeeded,
        "failed": len(task_ids) - succeeded + refused.total(),
        "refused": dict(refused),  # by error code: the creates the API did not take
        "failures": dict(failures.most_common(3)),  # the commonest Task messages
        "all_ended": finished,
    }


def prepare(name, args):
    """A simulator cloud named `name` with the demo catalog mirrored, a tenant set up in
    it with room for every server, and its API key; returns the headers and a create body."""
    from portal.clouds.models import Cloud
    from portal.clouds.simulator.demo import seed_demo_cloud
    from portal.clouds.simulator.driver import SimulatorDriver
    from portal.clouds.simulator.testing import make_tenant
    from portal.images.workflows import sync_images
    from portal.network.workflows import sync_network
    from portal.servers.workflows.flavors import sync_flavors
    from portal.tenants.models import Tenant, TenantAPIKey, TenantIdentity, TenantQuota

    cloud = Cloud.objects.create(
        name=name, kind="simulator", region=name,
        options={"delays": {"build": args.build_seconds}},
    )  # fmt: skip
    demo = seed_demo_cloud(cloud)
    driver = SimulatorDriver(cloud)
    for sync in (sync_flavors, sync_images, sync_network):
        sync(cloud, driver)
    tenant = Tenant.objects.create(tenant_id=f"t-9{cloud.pk:09d}", name=name, status="active")
    credentials = make_tenant(cloud, tenant.tenant_id)
    TenantIdentity.objects.create(
        tenant=tenant, cloud=cloud, domain_name=tenant.tenant_id,
        domain_id=credentials.user_domain_id, project_name=tenant.tenant_id,
        project_id=credentials.project_id, username=credentials.username,
        password=credentials.password, role_name="member",
        state=TenantIdentity.State.READY,
    )  # fmt: skip
    room = args.servers * 4
    TenantQuota.objects.update_or_create(
        tenant=tenant,
        defaults={"instances": args.servers, "cores": room, "ram": room * 1024, "volumes": room,
                  "gigabytes": room * 10},
    )  # fmt: skip
    _, key = TenantAPIKey.objects.create_key(tenant=tenant, name="scale")
    headers = {
        "HTTP_AUTHORIZATION": f"Api-Key {key}",
        "HTTP_X_TENANT_ID": tenant.tenant_id,
        "HTTP_X_PLATFORM_USER_ID": "bench",
    }
    body = {
        "region": cloud.region,
        "flavor_ref": demo["flavors"]["m1.small"],
        "image_ref": demo["images"]["cirros-0.6.2"],
        "network_uuid": demo["network_id"],
        "system_disk": {"volume_type": "", "size_in_g": 5},
        "data_disks": [],
    }
    return headers, body


def send_creates(headers, body, args):
    """`--servers` creates from `--clients` threads at once; the Tasks' ids and the
    refusals counted by error code."""
    from django.db import connection
    from rest_framework.test import APIClient

    task_ids, refused, lock = [], Counter(), threading.Lock()
    numbers = iter(range(args.servers))

    def client_thread():
        client = APIClient(**headers)
        try:
            for n in numbers_of(numbers, lock):
                answer = client.post(
                    "/api/v1/instances", {**body, "instance_name": f"scale-{n}"}, format="json"
                )
                with lock:
                    if answer.status_code == 202:
                        task_ids.append(answer.json()["task"]["task_id"])
                    else:
                        error = answer.json().get("error", {})
                        refused[error.get("code", answer.status_code)] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=client_thread) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return task_ids, refused


def numbers_of(numbers, lock):
    while True:
        with lock:
            n = next(numbers, None)
        if n is None:
            return
        yield n


def wait_for_tasks(task_ids, seconds=1800):
    from portal.core.models import Task

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not Task.objects.filter(pk__in=task_ids, finished__isnull=True).exists():
            return True
        time.sleep(0.2)
    return False


def start_worker(host, concurrency, env):
    celery = Path(sys.executable).parent / "celery"
    return subprocess.Popen(
        ["ip", "netns", "exec", f"pmh-{host}", str(celery), "-A", "portal", "worker",
         "-n", f"{host}@scale", "--pool", "threads", "--concurrency", str(concurrency),
         "--loglevel", "WARNING", "--without-gossip"],
        cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


@contextlib.contextmanager
def worker_hosts(hosts, concurrency):
    """A Celery worker on each of `hosts` (pmh-<host>), sharing the data host's services."""
    from django.db import connection

    from portal.celery import app as celery_app

    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@{database['HOST']}:5432/{database['NAME']}",
    }
    processes = [start_worker(host, concurrency, env) for host in hosts]
    try:
        deadline = time.monotonic() + 60
        while len(celery_app.control.ping(timeout=1)) < len(hosts):
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not answer within 60 s")
        yield
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
