"""Pages that start a Task show its progress and final state without a reload."""

import re

import pytest
from playwright.sync_api import expect

from portal.clouds.simulator.demo import seed_demo_cloud
from portal.images.tests.factories import ImageFactory

pytestmark = pytest.mark.browser


def run_action(page, action_label):
    page.get_by_role("combobox", name="Action").select_option(label=action_label)
    page.get_by_role("button", name="Go").click()


def test_a_sync_started_from_the_images_list_reaches_succeeded_without_a_reload(
    admin_page, live_server, cloud, job_queue, screenshot
):
    seed_demo_cloud(cloud)
    ImageFactory(cloud=cloud, name="old image")
    page = admin_page
    page.goto(f"{live_server.url}/admin/images/image/")
    page.get_by_role("checkbox", name="Select this object for an action - old image").check()
    run_action(page, "Sync now (the clouds of the selected images)")
    expect(page.locator(".messagelist")).to_contain_text("Image sync of 1 cloud queued")

    page.goto(f"{live_server.url}/admin/core/task/?kind=images.sync")
    progress = page.locator(".task-progress").first
    expect(progress).to_have_attribute("data-state", "queued")
    # Only now: the page is already showing the queued task. It refreshes itself at the end.
    with page.expect_navigation(timeout=20_000):
        job_queue.run_all()
    expect(progress).to_have_attribute("data-state", "succeeded")
    expect(progress.locator(".task-state")).to_have_text("succeeded")
    expect(progress.locator("progress")).to_have_js_property("value", 100)
    screenshot(page, "tasks")

    page.goto(f"{live_server.url}/admin/images/image/?o=1")
    expect(page.get_by_role("link", name="cirros-0.6.2")).to_be_visible()
    screenshot(page, "images")


def test_images_are_disabled_and_enabled_again_from_the_list(admin_page, live_server, cloud):
    ImageFactory(cloud=cloud, name="ubuntu")
    page = admin_page
    page.goto(f"{live_server.url}/admin/images/image/")
    enabled_icon = page.locator("tr", has_text="ubuntu").locator("td.field-enabled img")
    expect(enabled_icon).to_have_attribute("alt", "True")

    page.get_by_role("checkbox", name="Select this object for an action - ubuntu").check()
    run_action(page, "Disable the selected images")
    expect(page.locator(".messagelist")).to_contain_text("Images disabled: 1.")
    expect(enabled_icon).to_have_attribute("alt", "False")

    page.get_by_role("checkbox", name="Select this object for an action - ubuntu").check()
    run_action(page, "Enable the selected images")
    expect(page.locator(".messagelist")).to_contain_text("Images enabled: 1.")
    expect(enabled_icon).to_have_attribute("alt", "True")


def test_a_new_tenant_shows_its_set_up_task_finish(
    admin_page, live_server, cloud, job_queue, screenshot
):
    page = admin_page
    page.goto(f"{live_server.url}/admin/tenants/tenant/add/")
    page.get_by_label("Name").fill("acme")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("copy it now")

    page.get_by_role("link", name="acme").click()
    expect(page).to_have_url(re.compile(r"/admin/tenants/tenant/.+/change/"))
    setup = page.locator(".field-setup .task-progress")
    expect(setup).to_have_attribute("data-state", "queued")
    with page.expect_navigation(timeout=20_000):  # the page refreshes itself at the end
        job_queue.run_all()
    expect(setup).to_have_attribute("data-state", "succeeded")
    screenshot(page, "tenant")
