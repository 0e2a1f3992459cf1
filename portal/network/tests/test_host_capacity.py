"""Compute hosts' capacity and usage: the simulator's figures, mirrored by the network pull,
and the bars of the compute host list."""

import pytest

from portal.clouds.simulator.driver import SimulatorDriver
from portal.clouds.simulator.testing import boot_spec
from portal.network import workflows
from portal.network.models import ComputeHost
from portal.network.tests.factories import ComputeHostFactory

pytestmark = pytest.mark.django_db
TWO_HOSTS = [
    {"host": "c1", "zone": "az1", "vcpus": 8, "memory_mb": 16384, "disk_gb": 100},
    {"host": "c2", "zone": "az1"},
]


@pytest.fixture
def admin_driver(cloud):
    cloud.options["compute_hosts"] = TWO_HOSTS
    cloud.save()
    return SimulatorDriver(cloud)


def figures(name):
    return ComputeHost.objects.values(
        "vcpus", "vcpus_used", "memory_mb", "memory_mb_used", "disk_gb", "disk_gb_used",
        "servers",
    ).get(name=name)  # fmt: skip


def test_the_figures_follow_the_servers_created_and_deleted(cloud, admin_driver):
    small = admin_driver.compute.create_server(boot_spec(cloud, "a", host="c1"))
    admin_driver.compute.create_server(boot_spec(cloud, "b", "m1.large", host="c1"))
    admin_driver.compute.create_server(boot_spec(cloud, "c", "m1.medium", host="c2"))
    workflows.sync_network(cloud, admin_driver)

    # m1.small 1 vCPU 2048 MB, m1.large 4 vCPUs 8192 MB; boot volumes take no local disk.
    assert figures("c1") == {
        "vcpus": 8, "vcpus_used": 5, "memory_mb": 16384, "memory_mb_used": 10240,
        "disk_gb": 100, "disk_gb_used": 0, "servers": 2,
    }  # fmt: skip
    assert (figures("c2")["vcpus"], figures("c2")["vcpus_used"]) == (64, 2)

    admin_driver.compute.delete_server(small.id)
    counts = workflows.sync_network(cloud, admin_driver)

    assert (figures("c1")["vcpus_used"], figures("c1")["memory_mb_used"]) == (4, 8192)
    assert figures("c1")["servers"] == 1
    assert counts.updated == 1  # only the changed host is written


def test_a_host_without_configured_capacity_has_the_default_one(cloud):
    workflows.sync_network(cloud, SimulatorDriver(cloud))
    assert figures("sim-compute-1") == {
        "vcpus": 64, "vcpus_used": 0, "memory_mb": 262144, "memory_mb_used": 0,
        "disk_gb": 2000, "disk_gb_used": 0, "servers": 0,
    }  # fmt: skip


def test_the_host_list_draws_the_bars_and_sorts_by_share_used(client, staff_user, cloud):
    client.force_login(staff_user)
    ComputeHostFactory(cloud=cloud, name="busy", vcpus=10, vcpus_used=9)
    ComputeHostFactory(cloud=cloud, name="idle", vcpus=100, vcpus_used=10)
    ComputeHostFactory(cloud=cloud, name="unknown", vcpus=0, vcpus_used=0)

    page = client.get("/admin/network/computehost/")
    html = page.content.decode()
    assert 'class="usage-bar-track"' in html
    assert "9 of 10 (90%)" in html
    assert "usage-full" in html

    column = page.context["cl"].list_display.index("vcpus_usage")

    def order(direction):
        listed = client.get(f"/admin/network/computehost/?o={direction}{column}")
        return [host.name for host in listed.context["cl"].result_list if host.name != "unknown"]

    assert order("") == ["idle", "busy"]
    assert order("-") == ["busy", "idle"]
