"""The network pull (networks, subnets, routers, security groups with their rules, zones,
hosts), against the simulator."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from portal.clouds.base_network import RouteEntry, SecurityGroupRuleSpec
from portal.clouds.simulator.demo import seed_demo_cloud
from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.testing import make_tenant
from portal.clouds.tasks import sync_on_schedule
from portal.core.models import Task
from portal.core.tests.queries import writes_to
from portal.network import workflows
from portal.network.models import (
    AvailabilityZone,
    ComputeHost,
    Network,
    Router,
    RouterInterface,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
)
from portal.servers.tests.factories import make_identity
from portal.tenants.credentials import tenant_credentials
from portal.tenants.tests.factories import TenantFactory

pytestmark = pytest.mark.django_db
MIRRORS = (
    Network, Subnet, Router, RouterInterface, SecurityGroup, SecurityGroupRule, AvailabilityZone,
    ComputeHost,
)  # fmt: skip


@pytest.fixture
def demo(cloud):
    return seed_demo_cloud(cloud)


def mirror_writes(queries):
    return writes_to(queries, *(model._meta.db_table for model in MIRRORS))


def rows():
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MIRRORS}


def test_first_sync_mirrors_networks_groups_zones_and_hosts(cloud, driver, demo):
    tenant = SimulatorDriver(cloud, make_tenant(cloud, "alpha"))
    own = tenant.network.create_network("alpha-net")
    tenant.network.create_security_group("web")

    counts = workflows.sync_network(cloud, driver)

    shared = Network.objects.get(backend_id=demo["network_id"])
    assert (shared.name, shared.shared, shared.external, shared.status) == (
        "default-net", True, False, "ACTIVE",
    )  # fmt: skip
    mine = Network.objects.get(backend_id=own.id)
    assert (mine.shared, mine.project_id) == (False, tenant.project_id)
    web = SecurityGroup.objects.get(name="web")
    assert web.project_id == tenant.project_id
    assert list(AvailabilityZone.objects.values_list("name", "available")) == [("nova", True)]
    host = ComputeHost.objects.get()
    assert (host.backend_id, host.zone, host.state, host.status) == (
        "sim-compute-1", "nova", "up", "enabled",
    )  # fmt: skip
    assert sorted(web.rules.values_list("direction", "ethertype")) == [
        ("egress", "IPv4"), ("egress", "IPv6"),
    ]  # fmt: skip
    # Two networks and the demo's subnet; the admin's and alpha's default groups and web;
    # a zone; a host; the groups' rules: the admin's default with the demo's SSH and ping,
    # alpha's, web's.
    assert (counts.read, counts.created) == (16, 16)


def test_a_second_unchanged_sync_writes_nothing(cloud, driver, demo):
    tenant = SimulatorDriver(cloud, make_tenant(cloud, "alpha"))
    own = tenant.network.create_network("alpha-net")
    subnet = tenant.network.create_subnet(own.id, "10.5.0.0/24")
    router = tenant.network.create_router("edge")
    tenant.network.add_router_interface(router.id, subnet.id)
    tenant.network.set_router_routes(router.id, [RouteEntry("10.9.0.0/16", "10.5.0.7")])
    workflows.sync_network(cloud, driver)
    assert RouterInterface.objects.get().router.routes == [
        {"destination": "10.9.0.0/16", "nexthop": "10.5.0.7"}
    ]

    with CaptureQueriesContext(connection) as queries:
        counts = workflows.sync_network(cloud, driver)

    assert (counts.created, counts.updated, counts.missing) == (0, 0, 0)
    assert mirror_writes(queries) == []


def test_changed_and_vanished_objects(cloud, driver, demo):
    workflows.sync_network(cloud, driver)
    driver.network.update_network(demo["network_id"], name="renamed-net")
    driver.network.delete_security_group(demo["security_group_id"])
    cloud.options["compute_hosts"] = [{"host": "c2", "zone": "az2", "state": "down"}]
    cloud.save()

    counts = workflows.sync_network(cloud, driver)

    assert Network.objects.get(backend_id=demo["network_id"]).name == "renamed-net"
    assert SecurityGroup.objects.get(backend_id=demo["security_group_id"]).is_missing
    assert AvailabilityZone.objects.get(name="nova").is_missing
    assert ComputeHost.objects.get(name="sim-compute-1").is_missing
    assert ComputeHost.objects.get(name="c2").state == "down"
    assert counts.updated == 1
    # The group, its four rules, the zone and the host.
    assert counts.missing == 7
    assert not SecurityGroupRule.objects.filter(missing_since__isnull=True).filter(
        group__backend_id=demo["security_group_id"]
    )


def test_many_networks_are_upserted_in_bulk(cloud, driver, demo):
    for number in range(30):
        driver.network.create_network(f"net-{number}")

    with CaptureQueriesContext(connection) as queries:
        workflows.sync_network(cloud, driver)

    assert Network.objects.count() == 31
    inserts = [sql for sql in mirror_writes(queries) if sql.startswith("INSERT")]
    # One per table that has new rows (no router: none for routers), whatever their number.
    tables = [model for model in MIRRORS if model not in (Router, RouterInterface)]
    assert len(inserts) == len(tables)


def test_sync_job_records_its_task(cloud, demo, sync_now):
    task = sync_now("network.sync", cloud)
    assert (task.kind, task.state, task.progress) == ("network.sync", "succeeded", 100)
    assert Network.objects.count() == 1


@pytest.mark.parametrize(
    "operation",
    [
        "network.list_networks",
        "network.list_subnets",
        "network.list_routers",
        "network.list_security_groups",
        "compute.list_availability_zones",
        "compute.list_compute_hosts",
    ],
)
def test_cloud_down_fails_the_task_and_changes_nothing(cloud, driver, demo, operation, sync_now):
    workflows.sync_network(cloud, driver)
    before = rows()
    driver.network.create_network("new-net")
    driver.network.delete_security_group(demo["security_group_id"])
    inject_fault(cloud, operation, mode="unavailable")

    task = sync_now("network.sync", cloud)

    assert (task.state, task.error_code) == (Task.State.FAILED, "unavailable")
    assert rows() == before


def test_sync_now_through_the_api(cloud, demo, platform_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = platform_client.post("/api/v1/networks/sync", {"region": "region-one"})
    assert response.status_code == 202
    assert response.json()["task"]["state"] == Task.State.QUEUED
    assert Task.objects.get().state == Task.State.SUCCEEDED
    assert platform_client.get("/api/v1/networks").json()["count"] == 1


def test_tenants_may_not_sync(cloud, client_of_tenant):
    assert client_of_tenant.post("/api/v1/networks/sync", {}).status_code == 403


def test_beat_entry_point_queues_and_runs_a_sync(cloud, demo, django_capture_on_commit_callbacks):
    entry = PeriodicTask.objects.get(name=f"Sync networks of {cloud.name}")
    with django_capture_on_commit_callbacks(execute=True):
        sync_on_schedule(*json.loads(entry.args))
    assert Task.objects.get(kind="network.sync").state == Task.State.SUCCEEDED
    assert Network.objects.count() == 1


def test_groups_and_rules_of_every_tenant_changes_only(cloud, driver, demo):
    """A tenant's rule deleted and another added in the cloud: the pull writes those two,
    and gives the tenant's groups to the tenant."""
    tenant = TenantFactory()
    identity = make_identity(tenant, cloud)
    tenant_cloud = SimulatorDriver(cloud, make_tenant(cloud, "beta"))
    beta = tenant_cloud.network.create_security_group("beta-web")
    mine = SimulatorDriver(cloud, tenant_credentials(identity)).network.create_security_group(
        "mine"
    )
    workflows.sync_network(cloud, driver)
    egress = mine.rules[0]
    SimulatorDriver(cloud, tenant_credentials(identity)).network.delete_security_group_rule(
        egress.id
    )
    added = tenant_cloud.network.create_security_group_rule(
        beta.id, SecurityGroupRuleSpec("ingress", "tcp", 22, 22, "10.0.0.0/8")
    )

    counts = workflows.sync_network(cloud, driver)

    assert (counts.created, counts.updated, counts.missing) == (1, 0, 1)
    assert SecurityGroupRule.objects.get(backend_id=egress.id).is_missing
    new = SecurityGroupRule.objects.get(backend_id=added.id)
    assert (new.group.backend_id, new.port_range_min, new.remote_ip_prefix) == (
        beta.id, 22, "10.0.0.0/8",
    )  # fmt: skip
    assert SecurityGroup.objects.get(backend_id=mine.id).tenant == tenant
    assert SecurityGroup.objects.get(backend_id=beta.id).tenant is None
