#!/usr/bin/env python
"""Server benchmarks: list pages over many servers, and the state sync. Prints one JSON
object.

    createdb -h 127.0.0.1 -U postgres portal_bench          # once (if it does not exist)
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench
    python bench/servers.py                                # 100,000 listed, 10,000 synced
    python bench/servers.py --servers 20000 --tenants 200  # smaller
    python bench/servers.py --openstack                    # also a live page from OpenStack

It migrates the database first, and refuses one whose name lacks "bench" (it writes
heaps of rows). The listing data is made once with bulk_create and reused by later runs.

- list: `--servers` servers across `--tenants` tenants in PostgreSQL. One tenant's
  servers are real simulator servers (made through the driver, picked up by the state
  sync); the others are rows only. `GET /api/v1/instances` (a tenant's first page, and
  an operator's first page over all servers) through the whole Django/DRF stack, and the
  admin's server list (100 rows; goal <= 65 ms median): latency median and p95 (ms), SQL
  queries per request. Against it, in the same run, the same
  page listed live from the cloud driver with the tenant's credentials (the simulator;
  with --openstack also the local OpenStack, scripts/openstack-lite, as its admin):
  `live_over_portal` is how many times slower the live listing is.
- sync: `--sync-servers` servers in a simulator cloud, in 100 tenants' projects: the
  state sync run first (discovers them all), unchanged (must write no row), with 10%
  stopped, and with 1% deleted behind the portal's back: seconds (in all, in the
  simulator's listing, in the portal), SQL queries (all, and the portal's own without
  the simulator's), the portal's write statements (0 when unchanged).
"""

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "LAe4ya_fms1abDXml6i_L8DILBngaFURWDt_ZAn0s08=")

CLOUDS_YAML = Path(
    os.environ.get("OSLITE_CLOUDS_YAML", "~/.cache/portal-oslite/clouds.yaml")
).expanduser()
CLOUD_NAME = os.environ.get("OSLITE_CLOUD", "oslite-admin")
PAGE = 20  # the API's default page size
BATCH = 5000
SYNC_PROJECTS = 100


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=100_000)
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--sync-servers", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--openstack", action="store_true")
    parser.add_argument("--no-sync", action="store_true", help="the list figures only")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        sys.exit(f"refusing to fill database {name!r}: give DATABASE_URL a *bench* database")
    call_command("migrate", verbosity=0)
    setup_test_environment()  # the test client's host is allowed, mail stays local
    report = {"database": name}
    report["list"] = bench_list(args)
    if not args.no_sync:
        report["sync"] = bench_sync(args.sync_servers)
    print(json.dumps(report, indent=2))


# ---- measuring --------------------------------------------------------------------------


def measure(call, repeat):
    """Run `call` `repeat` times (after two warm-up calls): latency (ms) and queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        call()
    times, queries = [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
        "queries": max(queries),
    }


def get_page(client, url):
    def call():
        answer = client.get(url)
        assert answer.status_code == 200, answer.content[:300]
        return answer

    return call


# ---- list -------------------------------------------------------------------------------


def bench_list(args):
    from rest_framework.test import APIClient

    from portal.clouds.drivers import get_driver
    from portal.servers.models import Server
    from portal.tenants.models import PlatformAPIKey, TenantAPIKey

    cloud = bench_cloud("bench-list")
    tenants = ensure_tenants(args.tenants)
    measured = tenants[0]
    per_tenant = max(args.servers // args.tenants, PAGE)
    credentials = ensure_cloud_servers(cloud, measured, per_tenant)
    ensure_rows(cloud, tenants[1:], args.servers - per_tenant)
    total = Server.objects.exclude(status=Server.Status.DELETED).count()

    _, key = TenantAPIKey.objects.create_key(tenant=measured, name="bench")
    tenant_client = APIClient(
        HTTP_AUTHORIZATION=f"Api-Key {key}",
        HTTP_X_TENANT_ID=measured.tenant_id,
        HTTP_X_PLATFORM_USER_ID="bench",
    )
    _, platform_key = PlatformAPIKey.objects.create_key(name="bench")
    operator_client = APIClient(HTTP_AUTHORIZATION=f"Api-Key {platform_key}")
    url = f"/api/v1/instances?page_size={PAGE}"
    portal = measure(get_page(tenant_client, url), args.requests)
    live_driver = get_driver(cloud, credentials)
    live = measure(lambda: first_page(live_driver), args.requests)
    result = {
        "servers": total,
        "tenants": len(tenants),
        "page_size": PAGE,
        "requests": args.requests,
        "portal_tenant_page": portal,
        "portal_operator_page": measure(get_page(operator_client, url), args.requests),
        "admin_server_list": admin_list(args.requests),
        "live_simulator_page": live,
        "live_over_portal": round(live["median_ms"] / portal["median_ms"], 2),
    }
    if args.openstack:
        result["live_openstack_page"] = openstack_page(args.requests)
        result["openstack_over_portal"] = round(
            result["live_openstack_page"]["median_ms"] / portal["median_ms"], 2
        )
    return result


def admin_list(repeat):
    """The operator's server list in the admin, first page (100 rows) over every server.
    Goal: <= 65 ms median, 50x faster than Horizon's 20-row Instances page (~3.3 s)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    operator, _ = get_user_model().objects.get_or_create(
        username="bench-operator", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(operator)
    figures = measure(get_page(client, "/admin/servers/server/"), repeat)
    return {**figures, "goal_met": figures["median_ms"] <= 65}


def first_page(driver):
    page = list(islice(driver.compute.iter_servers(page_size=PAGE), PAGE))
    assert len(page) == PAGE
    return page


def openstack_page(repeat):
    from portal.clouds.drivers import get_driver
    from portal.clouds.openstack.clouds_yaml import import_cloud

    cloud = import_cloud(CLOUDS_YAML, CLOUD_NAME, region="bench-openstack").cloud
    driver = get_driver(cloud)
    return measure(lambda: list(islice(driver.compute.iter_servers(page_size=PAGE), PAGE)), repeat)


def bench_cloud(name):
    from portal.clouds.models import Cloud

    cloud, _ = Cloud.objects.get_or_create(
        name=name, defaults={"kind": "simulator", "region": name, "options": {"delays": {}}}
    )
    return cloud


def ensure_tenants(count):
    from portal.tenants.models import Tenant

    Tenant.objects.bulk_create(
        [
            Tenant(tenant_id=f"t-8{n:09d}", name=f"bench tenant {n}", status="active")
            for n in range(count)
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    return list(Tenant.objects.filter(tenant_id__startswith="t-8").order_by("tenant_id")[:count])


def ensure_cloud_servers(cloud, tenant, count):
    """`count` simulator servers in the tenant's project, mirrored by the state sync."""
    from portal.clouds.drivers import get_driver
    from portal.clouds.simulator.testing import boot_spec, make_tenant
    from portal.servers.models import Server
    from portal.servers.workflows.flavors import sync_flavors
    from portal.servers.workflows.state_sync import sync_servers
    from portal.tenants.models import TenantIdentity

    identity = TenantIdentity.objects.filter(tenant=tenant, cloud=cloud).first()
    if identity is None:
        credentials = make_tenant(cloud, tenant.tenant_id)
        identity = TenantIdentity.objects.create(
            tenant=tenant, cloud=cloud, domain_name=tenant.tenant_id,
            domain_id=credentials.user_domain_id, project_name=tenant.tenant_id,
            project_id=credentials.project_id, username=credentials.username,
            password=credentials.password, role_name="member",
            state=TenantIdentity.State.READY,
        )  # fmt: skip
    from portal.tenants.credentials import tenant_credentials

    credentials = tenant_credentials(identity)
    driver = get_driver(cloud, credentials)
    have = sum(1 for _ in driver.compute.iter_servers())
    for n in range(have, count):
        driver.compute.create_server(boot_spec(cloud, name=f"bench-{n}"))
    admin = get_driver(cloud)
    sync_flavors(cloud, admin)
    sync_servers(cloud, admin)
    assert Server.objects.filter(tenant=tenant, cloud=cloud).count() >= count
    return credentials


def ensure_rows(cloud, tenants, count):
    """Rows only (no cloud object) for the other tenants, spread evenly, in a cloud of
    their own beside `cloud` (never synced: a state sync would mark them deleted)."""
    from portal.servers.models import Server

    cloud = bench_cloud(f"{cloud.name}-rows")
    rows = Server.objects.filter(cloud=cloud, status=Server.Status.READY)
    if rows.count() != count:
        Server.objects.filter(cloud=cloud).delete()
        batch = []
        for n in range(count):
            batch.append(server_row(cloud, tenants[n % len(tenants)], n))
            if len(batch) == BATCH:
                Server.objects.bulk_create(batch)
                batch = []
        Server.objects.bulk_create(batch)
    analyze_servers()


def analyze_servers():
    """Fresh statistics, as autovacuum would have them on a portal in use: just after a
    bulk insert the planner thinks a tenant has 3 servers and joins before it limits."""
    from django.db import connection

    from portal.servers.models import Server

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Server._meta.db_table}")


def server_row(cloud, tenant, n):
    from portal.servers.models import Server

    return Server(
        cloud=cloud, tenant=tenant, backend_id=str(uuid.uuid4()), name=f"vm-{n}",
        flavor_ref="bench-flavor", flavor_name="m1.small", vcpus=1, ram=2048, flavor_disk=20,
        image_ref=str(uuid.uuid4()), image_name="cirros", system_disk_size=20,
        network_id="bench-net", status=Server.Status.READY, runtime_state="ACTIVE",
        power_state="running", addresses={"default-net": [address(n)]},
    )  # fmt: skip


def address(n):
    return f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"


# ---- sync -------------------------------------------------------------------------------


def bench_sync(count):
    from portal.clouds.drivers import get_driver
    from portal.clouds.simulator.models import SimulatedObject
    from portal.servers.models import Server
    from portal.tenants.quotas import held_by

    cloud = bench_cloud("bench-sync")
    prepare_sync_cloud(cloud, count)
    # Every run starts from a portal that knows none of them.
    held_by(Server.objects.filter(cloud=cloud).values("pk"), kind=Server).delete()
    Server.objects.filter(cloud=cloud).delete()
    driver = get_driver(cloud)
    servers = SimulatedObject.objects.filter(cloud=cloud, kind=SimulatedObject.Kind.SERVER)
    servers.update(status="ACTIVE")
    runs = {"servers": count}
    runs["first"] = timed_sync(cloud, driver)
    runs["unchanged"] = timed_sync(cloud, driver)
    stopped = list(servers.order_by("pk").values_list("pk", flat=True)[: count // 10])
    servers.filter(pk__in=stopped).update(status="SHUTOFF")
    runs["ten_percent_stopped"] = timed_sync(cloud, driver)
    gone = list(servers.order_by("-pk").values_list("pk", flat=True)[: count // 100])
    servers.filter(pk__in=gone).delete()
    runs["one_percent_deleted"] = timed_sync(cloud, driver)
    return runs


def timed_sync(cloud, driver):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.servers.workflows.state_sync import sync_servers

    timed = TimedListing(driver)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        counts = sync_servers(cloud, timed)
        seconds = time.perf_counter() - started
    portal = [q["sql"] for q in captured.captured_queries if '"clouds_simulated' not in q["sql"]]
    writes = [sql for sql in portal if sql.startswith(("INSERT", "UPDATE", "DELETE"))]
    return {
        "seconds": round(seconds, 3),
        "listing_seconds": round(timed.seconds, 3),
        "portal_seconds": round(seconds - timed.seconds, 3),
        "queries": len(captured),
        "portal_queries": len(portal),
        "portal_write_statements": len(writes),
        **vars(counts),
    }


class TimedListing:
    """The driver, with the time spent in its server listing (the cloud's share) summed."""

    def __init__(self, driver):
        self.driver = driver
        self.compute = self
        self.seconds = 0.0

    def iter_servers(self, **options):
        listing = self.driver.compute.iter_servers(**options)
        while True:
            started = time.perf_counter()
            info = next(listing, None)
            self.seconds += time.perf_counter() - started
            if info is None:
                return
            yield info


def prepare_sync_cloud(cloud, count):
    """`count` ACTIVE simulator servers over SYNC_PROJECTS projects, each a tenant's."""
    from portal.clouds.drivers import get_driver
    from portal.clouds.simulator.demo import seed_demo_cloud
    from portal.clouds.simulator.models import SimulatedObject
    from portal.servers.workflows.flavors import sync_flavors
    from portal.tenants.models import TenantIdentity

    demo = seed_demo_cloud(cloud)
    sync_flavors(cloud, get_driver(cloud))
    tenants = ensure_tenants(SYNC_PROJECTS)
    TenantIdentity.objects.bulk_create(
        [
            TenantIdentity(
                tenant=tenant,
                cloud=cloud,
                domain_name=tenant.tenant_id,
                project_name=tenant.tenant_id,
                project_id=f"bench-project-{n}",
                username=tenant.tenant_id,
                password="-",
                role_name="member",
            )
            for n, tenant in enumerate(tenants)
        ],
        ignore_conflicts=True,
    )
    servers = SimulatedObject.objects.filter(cloud=cloud, kind=SimulatedObject.Kind.SERVER)
    if servers.count() == count:
        return
    servers.delete()
    flavor = SimulatedObject.objects.get(cloud=cloud, backend_id=demo["flavors"]["m1.small"])
    SimulatedObject.objects.bulk_create(
        [
            SimulatedObject(
                cloud=cloud,
                kind=SimulatedObject.Kind.SERVER,
                backend_id=str(uuid.uuid4()),
                project_id=f"bench-project-{n % SYNC_PROJECTS}",
                name=f"sync-{n}",
                status="ACTIVE",
                data={
                    "flavor_id": flavor.backend_id,
                    "vcpus": flavor.data["vcpus"],
                    "ram": flavor.data["ram"],
                    "image_id": demo["images"]["cirros-0.6.2"],
                    "power_state": "running",
                    "host": "sim-host-1",
                    "availability_zone": "nova",
                    "security_groups": ["default"],
                    "metadata": {},
                    "key_name": "",
                    "locked": False,
                },
            )
            for n in range(count)
        ],
        batch_size=BATCH,
    )


if __name__ == "__main__":
    main()
