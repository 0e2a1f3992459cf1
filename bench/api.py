#!/usr/bin/env python
"""API load benchmark: wrk against a tenant's `GET /api/v1/instances` page served by
gunicorn, over many servers. Prints one JSON object.

    apt-get install wrk                                    # Debian's package
    createdb -h 127.0.0.1 -U postgres portal_bench          # once (if it does not exist)
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench
    python bench/api.py                                    # 10,000 servers, 2 gunicorn workers
    python bench/api.py --servers 2000 --runs 1 --seconds 5

The tenant owns all `--servers` servers (rows in PostgreSQL, 20 of them real simulator
servers), so its page counts and pages the whole lot. gunicorn runs `--web-workers` sync
workers on a free loopback port; wrk (`--connections` connections, 2 threads) asks for the
first page for `--seconds`, `--runs` times. Per run: requests per second, latency p50/p99
(ms), errors (socket errors and non-2xx answers). The API's throttles are raised for the
run (THROTTLE_* variables): the benchmark measures serving, not refusing.

No server changes during the run, so after the first read the page comes from the list
cache (portal/core/list_cache.py), as a page a platform polls does between writes.
`--list-cache-seconds 0` turns the cache off: every read counts and reads the rows.

Goal: >= 500 requests/s with 0 errors at 2 gunicorn workers. Refuses a database whose
name lacks "bench" (it writes many rows; they are reused by later runs).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from images import free_port, portal_processes_env, wait_for_port
from servers import ROOT, bench_cloud, ensure_cloud_servers, ensure_rows, ensure_tenants

# Rates far above what one machine can serve: the throttles stay in the path, never trip.
UNTHROTTLED = {"THROTTLE_API_KEY_RATE": "1000000/minute", "THROTTLE_TENANT_RATE": "1000000/minute"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--list-cache-seconds", type=int, default=60, help="0: off")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")

    # Throttles and the list cache on Redis, as in production (each gunicorn worker
    # would otherwise keep its own in memory).
    os.environ.setdefault("CACHE_URL", "rediscache://127.0.0.1:6379/14")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        sys.exit(f"refusing to fill database {name!r}: give DATABASE_URL a *bench* database")
    call_command("migrate", verbosity=0)
    headers, total = tenant_with_servers(args.servers)
    runs = serve_and_load(args, headers)
    rates = [run["requests_per_s"] for run in runs]
    report = {
        "database": name,
        "servers": total,
        "web_workers": args.web_workers,
        "list_cache_seconds": args.list_cache_seconds,
        "connections": args.connections,
        "load": [round(figure, 2) for figure in os.getloadavg()],
        "runs": runs,
        "requests_per_s_median": statistics.median(rates),
        "requests_per_s_spread": [min(rates), max(rates)],
        "goal_met": min(rates) >= 500 and all(run["errors"] == 0 for run in runs),
    }
    print(json.dumps(report, indent=2))


def tenant_with_servers(count):
    """The bench tenant with `count` servers and a fresh API key: its request headers."""
    from portal.servers.models import Server
    from portal.tenants.models import TenantAPIKey

    cloud = bench_cloud("bench-api")
    (tenant,) = ensure_tenants(1)
    ensure_cloud_servers(cloud, tenant, 20)
    ensure_rows(cloud, [tenant], count - 20)
    _, key = TenantAPIKey.objects.create_key(tenant=tenant, name="bench-api")
    headers = {
        "Authorization": f"Api-Key {key}",
        "X-Tenant-Id": tenant.tenant_id,
        "X-Platform-User-Id": "bench",
    }
    return headers, Server.objects.filter(tenant=tenant, status=Server.Status.READY).count()


def serve_and_load(args, headers):
    port = free_port()
    env = {
        **portal_processes_env(),
        **UNTHROTTLED,
        "LIST_CACHE_SECONDS": str(args.list_cache_seconds),
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    web = subprocess.Popen(
        [str(gunicorn), "portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(args.web_workers),
         "--log-level", "warning", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        url = f"http://127.0.0.1:{port}/api/v1/instances"
        first_answer(url, headers)
        wrk(url, headers, args, seconds=3)  # warm-up: connections, caches, query plans
        return [wrk(url, headers, args, args.seconds) for _ in range(args.runs)]
    finally:
        web.terminate()
        web.wait(timeout=30)


def first_answer(url, headers, seconds=120):
    """Wait until the page answers 200 (each gunicorn worker imports the views lazily)."""
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if requests.get(url, headers=headers, timeout=seconds).status_code == 200:
            return
        time.sleep(0.5)
    sys.exit(f"{url} did not answer 200 within {seconds} s")


def wrk(url, headers, args, seconds):
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "10s"]
    command.append("--latency")
    for header, value in headers.items():
        command += ["-H", f"{header}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    return parse_wrk(output)


def parse_wrk(output):
    """The figures of wrk's report: requests/s, latency percentiles, errors."""
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)\s*$", output, re.MULTILINE))
    if set(latency) != {"50", "99"}:
        sys.exit(f"wrk's report has no latency percentiles:\n{output}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        # No distribution when no request completed.
        "latency_p50_ms": to_ms(latency["50"]) if latency else None,
        "latency_p99_ms": to_ms(latency["99"]) if latency else None,
        "errors": (sum(map(int, socket_errors.groups())) if socket_errors else 0)
        + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def to_ms(figure):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", figure).groups()
    return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)


if __name__ == "__main__":
    main()
