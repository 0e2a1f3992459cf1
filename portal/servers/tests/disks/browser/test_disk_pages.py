"""A cloud disk's life in the admin, in Chromium: created from the form, its page shows
the Task queued and then succeeded without a reload; attached to a server from its page,
which then offers to detach it."""

import pytest
from playwright.sync_api import expect

from portal.clouds.drivers import get_driver
from portal.servers.disks.models import Volume
from portal.servers.tests.disks.conftest import make_server
from portal.servers.tests.factories import make_identity
from portal.tenants.credentials import tenant_credentials

pytestmark = pytest.mark.browser


def test_create_then_attach_with_live_progress(
    admin_page, live_server, cloud, tenant, job_queue, screenshot
):
    driver = get_driver(cloud, tenant_credentials(make_identity(tenant, cloud)))
    server = make_server(tenant, cloud, driver, name="web-1")
    page = admin_page
    page.goto(f"{live_server.url}/admin/servers/volume/")
    page.get_by_role("link", name="Create cloud disk").click()
    page.get_by_label("Tenant").select_option(label=str(tenant))
    page.get_by_label("Name").fill("logs")
    page.get_by_label("Size (GB)").fill("8")
    page.get_by_role("button", name="Create").click()

    expect(page.locator(".messagelist")).to_contain_text("Queued")
    progress = page.locator(".field-progress .task-progress")
    expect(progress).to_have_attribute("data-state", "queued")
    with page.expect_navigation(timeout=20_000):  # the page refreshes itself at the end
        job_queue.run_all()
    expect(progress).to_have_attribute("data-state", "succeeded")
    assert Volume.objects.get(name="logs").status == "available"
    screenshot(page, "cloud-disk")

    page.get_by_role("link", name="Attach to server…").click()
    page.get_by_label("Server").select_option(label=str(server))
    page.get_by_role("button", name="Attach").click()
    with page.expect_navigation(timeout=20_000):
        job_queue.run_all()
    expect(page.locator(".field-progress .task-progress")).to_have_attribute(
        "data-state", "succeeded"
    )
    expect(page.locator(".field-attached_server")).to_contain_text("web-1")
    expect(page.get_by_role("link", name="Detach…")).to_be_visible()
