"""The "Create server" wizard in a real browser: a server made from the demo catalog
without typing any id, ending on its page with its Task; a screenshot of every step."""

import pytest
from playwright.sync_api import expect

from portal.servers.tests.browser.test_server_pages import latest_task
from portal.servers.tests.browser.wizard import create_through_the_wizard
from portal.tenants.quotas import update_quota

pytestmark = pytest.mark.browser


def test_a_server_is_created_through_the_wizard_by_picking_only(
    admin_page, live_server, catalog, tenant, identity, job_queue, screenshot
):
    # m1.large (4 vCPUs) is then shown over the quota, and cannot be picked.
    update_quota(tenant, {"cores": 3}, actor="test")
    page = admin_page

    def shoot(page, step):
        screenshot(page, f"server-create-wizard-{step}")
        if step == "2-flavor":
            expect(page.get_by_label("m1.large", exact=True)).to_be_disabled()

    server = create_through_the_wizard(
        page, live_server, tenant, "wizard-1",
        source="cirros-0.6.2", flavor="m1.small", network="default-net", groups=["default"],
        system_disk=5, screenshot=shoot,
    )  # fmt: skip

    expect(page.locator(".messagelist")).to_contain_text("wizard-1 is being created")
    expect(latest_task(page)).to_have_attribute("data-state", "queued")
    with page.expect_navigation(timeout=20_000):
        job_queue.run_all()
    expect(latest_task(page)).to_have_attribute("data-state", "succeeded")
    server.refresh_from_db()
    assert (server.tenant, server.flavor_name, server.image_name) == (
        tenant, "m1.small", "cirros-0.6.2",
    )  # fmt: skip
    assert (server.status, server.system_disk_size, server.network_id) == (
        "ready", 5, catalog["network_id"],
    )  # fmt: skip
    assert server.security_group_names == ["default"]
    screenshot(page, "server-create-wizard-7-done")
