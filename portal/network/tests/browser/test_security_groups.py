"""Security groups in a real browser: "Add" with the rule editor's table, the group's
page following its Task to the end without a reload, and screenshots in both languages."""

import re

import pytest
from playwright.sync_api import expect

from portal.network.models import SecurityGroup
from portal.servers.tests.factories import make_identity

pytestmark = pytest.mark.browser

LIST = "/admin/network/securitygroup/"


@pytest.fixture
def identity(tenant, cloud):
    return make_identity(tenant, cloud)


def fill_rule(page, row, direction, protocol, low="", high="", prefix=""):
    page.locator(f"#id_rules-{row}-direction").select_option(direction)
    page.locator(f"#id_rules-{row}-protocol").select_option(protocol)
    page.locator(f"#id_rules-{row}-port_range_min").fill(low)
    page.locator(f"#id_rules-{row}-port_range_max").fill(high)
    page.locator(f"#id_rules-{row}-remote_ip_prefix").fill(prefix)


def test_add_a_group_with_rules_and_follow_its_task(
    admin_page, live_server, tenant, cloud, identity, job_queue, screenshot
):
    page = admin_page
    page.goto(f"{live_server.url}{LIST}")
    page.get_by_role("link", name=re.compile("Add security group")).click()
    page.locator("#id_tenant").select_option(str(tenant.pk))
    page.locator("#id_cloud").select_option(str(cloud.pk))
    page.locator("#id_name").fill("web")
    fill_rule(page, 0, "ingress", "tcp", "22", "", "10.0.0.0/8")
    fill_rule(page, 1, "ingress", "tcp", "443", "80")  # reversed: refused on its row
    screenshot(page, "security-group-add-en")
    page.get_by_role("button", name="Create").click()
    expect(page.locator(".rule-row").nth(1)).to_contain_text("lower than the lowest")
    assert not SecurityGroup.objects.exists()

    fill_rule(page, 1, "ingress", "tcp", "80", "443")
    page.get_by_role("button", name="Create").click()
    expect(page.locator(".messagelist")).to_contain_text("Queued")
    progress = page.locator(".field-progress .task-progress")
    expect(progress).to_have_attribute("data-state", "queued")
    job_queue.run_all()
    expect(progress).to_have_attribute("data-state", "succeeded", timeout=20_000)
    page.reload()
    expect(page.locator(".security-group-rules")).to_contain_text("80-443")
    expect(page.locator(".security-group-rules")).to_contain_text("10.0.0.0/8")
    screenshot(page, "security-group-en")

    page.goto(f"{live_server.url}/admin/")
    page.locator("#language-select").select_option(label="简体中文")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    group = SecurityGroup.objects.get(name="web")
    for name, path in {
        "security-groups": LIST,
        "security-group": f"{LIST}{group.pk}/change/",
        "security-group-edit": f"{LIST}{group.pk}/edit/",
    }.items():
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#content")).to_contain_text("web")
        screenshot(page, f"{name}-zh-hans")
