"""The dashboard's "Capacity" section: per zone and per host bars from the mirrored hosts."""

import pytest

from portal.console import dashboard
from portal.network.tests.factories import ComputeHostFactory

pytestmark = pytest.mark.django_db


def host(cloud, name, zone, **figures):
    usage = {"vcpus": 16, "vcpus_used": 4, "memory_mb": 32768, "memory_mb_used": 8192,
             "disk_gb": 500, "disk_gb_used": 0, "servers": 2}  # fmt: skip
    return ComputeHostFactory(cloud=cloud, name=name, zone=zone, **{**usage, **figures})


def test_zone_rows_sum_their_hosts(cloud):
    host(cloud, "c1", "az1")
    host(cloud, "c2", "az1", vcpus_used=12, memory_mb_used=32768)
    host(cloud, "c3", "az2")
    host(cloud, "gone", "az2", missing_since="2026-01-01T00:00:00Z")

    capacity = dashboard.summary()["capacity"]

    az1, az2 = capacity["zones"]
    assert (az1["name"], az1["detail"], az1["servers"]) == ("az1", 2, 4)  # 2 hosts
    vcpus, ram, disk = az1["bars"]
    assert (vcpus["used"], vcpus["capacity"], vcpus["percent"], vcpus["level"]) == (
        16, 32, 50, "ok",
    )  # fmt: skip
    assert (ram["used"], ram["capacity"], ram["percent"], ram["level"]) == (
        40960, 65536, 62, "ok",
    )  # fmt: skip
    assert (disk["used"], disk["capacity"], disk["percent"]) == (0, 1000, 0)
    assert az2["detail"] == 1  # the missing host is left out
    assert [row["name"] for row in capacity["hosts"]] == ["c1", "c2", "c3"]
    c2_ram = capacity["hosts"][1]["bars"][1]
    assert (c2_ram["percent"], c2_ram["level"]) == (100, "full")


def test_the_dashboard_draws_the_capacity_in_constant_queries(
    client, staff_user, cloud, django_assert_max_num_queries
):
    client.force_login(staff_user)
    host(cloud, "c1", "az1")
    with django_assert_max_num_queries(30) as few:
        client.get("/admin/")
    for number in range(2, 8):
        host(cloud, f"c{number}", f"az{number % 3}")
    with django_assert_max_num_queries(len(few)):
        page = client.get("/admin/").content.decode()
    assert "Capacity" in page
    assert page.count('class="usage-bar-track"') == 3 * (3 + 7)  # 3 zones, 7 hosts
    assert "4 of 16 (25%)" in page


def test_a_host_the_scheduler_cannot_use_says_why(cloud):
    host(cloud, "c1", "az1", status="disabled", state="down")
    [row] = dashboard.summary()["capacity"]["hosts"]
    assert row["notes"] == ["disabled", "down"]


def test_without_hosts_the_section_says_how_to_get_them(client, staff_user, cloud):
    client.force_login(staff_user)
    assert "No compute host mirrored yet" in client.get("/admin/").content.decode()
