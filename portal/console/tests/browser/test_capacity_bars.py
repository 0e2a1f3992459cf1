"""The dashboard's capacity bars and the compute host list's, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from portal.network.tests.factories import ComputeHostFactory

pytestmark = pytest.mark.browser


def test_the_dashboard_and_the_host_list_draw_the_capacity_bars(
    admin_page, live_server, cloud, screenshot
):
    figures = {"memory_mb": 65536, "memory_mb_used": 16384, "disk_gb": 1000, "servers": 3}
    ComputeHostFactory(cloud=cloud, name="busy-1", zone="az1", vcpus=32, vcpus_used=30, **figures)
    ComputeHostFactory(cloud=cloud, name="idle-1", zone="az1", vcpus=32, vcpus_used=2, **figures)
    page = admin_page
    page.goto(f"{live_server.url}/admin/")

    section = page.locator("section.dashboard-capacity")
    expect(section.get_by_role("heading", name="Capacity", exact=True)).to_be_visible()
    zone = section.get_by_role("row", name=re.compile(r"^az1"))
    expect(zone).to_contain_text("32 of 64 (50%)")  # the zone sums its hosts' vCPUs
    busy = section.get_by_role("row", name=re.compile("busy-1"))
    expect(busy).to_contain_text("vCPUs: 30 of 32 (94%)")  # the label is for screen readers
    bar = busy.locator(".usage-full").first
    expect(bar).to_be_visible()
    width = bar.evaluate("element => element.getBoundingClientRect().width")
    track = bar.evaluate("element => element.parentElement.getBoundingClientRect().width")
    assert width == pytest.approx(track * 0.94, abs=2)
    screenshot(page, "dashboard-capacity")

    page.get_by_role("link", name="busy-1").click()  # the host's page
    expect(page).to_have_url(re.compile(r"/admin/network/computehost/\d+/"))
    page.goto(f"{live_server.url}/admin/network/computehost/")
    page.locator("th.column-vcpus_usage a").first.click()  # sort by the share used
    rows = page.locator("#result_list tbody th")
    expect(rows).to_have_text(["idle-1", "busy-1"])
    screenshot(page, "compute-hosts-capacity")
