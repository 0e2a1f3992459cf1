"""The servers admin in a real browser: "Create server", the server page's power and
resize buttons, each Task followed to its end without a reload, a failure's message, and
screenshots of the server pages in both languages."""

import re

import pytest
from playwright.sync_api import expect

from portal.clouds.simulator.faults import inject_fault
from portal.servers.models import Server
from portal.servers.tests.browser.wizard import create_through_the_wizard
from portal.servers.tests.test_instances import create

pytestmark = pytest.mark.browser

CHANGELIST = "/admin/servers/server/"


@pytest.fixture
def template(catalog_template):
    """A server template of the demo catalog: cirros on m1.small, 5 GB, default-net."""
    return catalog_template(name="small cirros", system_disk_size=5, security_groups=[])


def create_from_a_template(page, live_server, template, tenant, name):
    """Pick the template in the "Create server" wizard: it fills in the later steps."""
    return create_through_the_wizard(page, live_server, tenant, name, source=template.name)


def create_from_the_form(page, live_server, catalog, tenant, name):
    """Go through the "Create server" wizard (reached from the list), picking the demo
    catalog's cirros on m1.small on default-net."""
    return create_through_the_wizard(
        page, live_server, tenant, name,
        source="cirros-0.6.2", flavor="m1.small", network="default-net", system_disk=5,
    )  # fmt: skip


def latest_task(page):
    """The progress bar of the newest Task in the server page's task history."""
    return page.locator(".field-task_history .task-progress").first


def watch_to_the_end(page, job_queue, state="succeeded"):
    """The page shows the Task queued; the held jobs run; the page follows it to `state`
    and then refreshes itself (its status and buttons follow the server's state)."""
    progress = latest_task(page)
    expect(progress).to_have_attribute("data-state", "queued")
    with page.expect_navigation(timeout=20_000):
        job_queue.run_all()
    expect(progress).to_have_attribute("data-state", state)
    return progress


def press(page, label):
    """One of the server page's buttons."""
    page.locator("#content").get_by_role("button", name=label, exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Queued")


def test_create_from_a_template_stop_start_and_resize_from_the_server_pages(
    admin_page, live_server, catalog, template, tenant, identity, job_queue, screenshot
):
    page = admin_page
    server = create_from_a_template(page, live_server, template, tenant, "from-browser")
    expect(page.locator(".messagelist")).to_contain_text("is being created")
    progress = watch_to_the_end(page, job_queue)
    expect(progress.locator("progress")).to_have_js_property("value", 100)
    server.refresh_from_db()
    assert (server.status, server.runtime_state) == ("ready", "ACTIVE")
    assert (server.flavor_name, server.image, server.system_disk_size) == (
        "m1.small", template.image, 5,
    )  # fmt: skip

    press(page, "Stop")
    watch_to_the_end(page, job_queue)
    server.refresh_from_db()
    assert server.runtime_state == "SHUTOFF"

    press(page, "Start")
    watch_to_the_end(page, job_queue)
    server.refresh_from_db()
    assert server.runtime_state == "ACTIVE"

    page.get_by_role("link", name="Resize…").click()
    medium = catalog["flavor_rows"]["m1.medium"]
    page.locator("#id_flavor").select_option(str(medium.pk))
    page.get_by_role("button", name="Resize").click()
    expect(page).to_have_url(re.compile(rf"{CHANGELIST}{server.pk}/change/"))
    watch_to_the_end(page, job_queue)
    server.refresh_from_db()
    assert (server.status, server.flavor_name, server.runtime_state) == (
        "ready", "m1.medium", "ACTIVE",
    )  # fmt: skip
    expect(page.locator("#content")).to_contain_text("m1.medium")
    screenshot(page, "server-resized")


def test_a_failed_operation_shows_the_task_message(
    admin_page, live_server, catalog, tenant, identity, job_queue
):
    page = admin_page
    server = create_from_the_form(page, live_server, catalog, tenant, "doomed")
    watch_to_the_end(page, job_queue)
    inject_fault(server.cloud, "compute.stop_server", mode="unavailable", times=10)

    press(page, "Stop")
    progress = watch_to_the_end(page, job_queue, state="failed")
    expect(progress.locator(".task-state")).to_have_text("failed")
    server.refresh_from_db()
    message = server.current_task.message
    assert "Simulated failure of compute.stop_server" in message
    expect(progress.locator(".task-message")).to_have_text(message)
    assert server.runtime_state == "ACTIVE"


def run_action(page, name, action_label):
    page.get_by_role("checkbox", name=f"Select this object for an action - {name}").check()
    page.get_by_role("combobox", name="Action").select_option(label=action_label)
    page.get_by_role("button", name="Go").click()


def test_servers_are_stopped_and_started_from_the_list(
    admin_page, live_server, identity, client_of_tenant, create_body, job_queue
):
    create(client_of_tenant, create_body(data_disks=[]))
    job_queue.run_all()
    page = admin_page
    page.goto(f"{live_server.url}{CHANGELIST}")
    row = page.locator("tr", has_text="web-1")
    for action_label, runtime_state, label in (
        ("Stop the selected servers", "SHUTOFF", "shut off"),
        ("Start the selected servers", "ACTIVE", "active"),
    ):
        run_action(page, "web-1", action_label)
        if runtime_state == "SHUTOFF":  # a stop asks first
            expect(page.locator("#content")).to_contain_text("Stop these servers?")
            page.get_by_role("button", name=re.compile("^Yes")).click()
        expect(page.locator(".messagelist")).to_contain_text("queued")
        progress = row.locator(".task-progress")
        expect(progress).to_have_attribute("data-state", "queued")
        expect(row.locator(".spinner")).to_be_visible()
        with page.expect_navigation(timeout=20_000):  # the list refreshes itself
            job_queue.run_all()
        assert Server.objects.get(name="web-1").runtime_state == runtime_state
        # The list was refreshed when the Task ended: the row says what the cloud says.
        expect(row.locator(".field-cloud_status_column")).to_have_text(label)
        expect(row.locator(".spinner")).to_have_count(0)


def test_the_server_page_refreshes_its_status_and_buttons_when_its_task_ends(
    admin_page, live_server, identity, client_of_tenant, create_body, job_queue
):
    create(client_of_tenant, create_body(data_disks=[]))
    job_queue.run_all()
    server = Server.objects.get(name="web-1")
    page = admin_page
    page.goto(f"{live_server.url}{CHANGELIST}{server.pk}/change/")
    buttons = page.locator("#content")
    buttons.get_by_role("button", name="Stop", exact=True).click()
    expect(latest_task(page)).to_have_attribute("data-state", "queued")

    with page.expect_navigation(timeout=20_000):  # the page reloads itself
        job_queue.run_all()

    expect(page.locator(".field-runtime_state")).to_contain_text("shut off")
    expect(buttons.get_by_role("button", name="Start", exact=True)).to_be_visible()
    expect(buttons.get_by_role("button", name="Stop", exact=True)).to_have_count(0)


def test_screenshots_of_the_server_pages_in_both_languages(
    admin_page, live_server, catalog, tenant, identity, job_queue, screenshot
):
    page = admin_page
    server = create_from_the_form(page, live_server, catalog, tenant, "web-1")
    watch_to_the_end(page, job_queue)
    pages = {
        "dashboard-with-servers": "/admin/",
        "servers": CHANGELIST,
        "server": f"{CHANGELIST}{server.pk}/change/",
        "server-create": f"{CHANGELIST}create/",
    }
    for language, label in (("en", "English"), ("zh-hans", "简体中文")):
        page.goto(f"{live_server.url}/admin/")
        page.locator("#language-select").select_option(label=label)
        expect(page.locator("html")).to_have_attribute("lang", language)
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            if name in ("servers", "server"):
                expect(page.locator("#content")).to_contain_text("web-1")
            screenshot(page, f"{name}-{language}")


def test_the_server_page_shows_the_console_log(
    admin_page, live_server, identity, client_of_tenant, create_body
):
    create(client_of_tenant, create_body(data_disks=[]))  # its jobs run at once (eager)
    server = Server.objects.get(name="web-1")
    page = admin_page
    page.goto(f"{live_server.url}{CHANGELIST}{server.pk}/change/")
    console_link = page.locator("#content").get_by_role("link", name="Console", exact=True)
    expect(console_link).to_have_attribute("target", "_blank")

    section = page.locator("#tab-console-log")
    expect(section).to_be_hidden()  # a tab of its own
    page.get_by_role("tab", name="Console log").click()
    section.get_by_label("Last lines").fill("3")
    section.get_by_role("button", name="Show").click()

    expect(section.locator("pre")).to_contain_text("web-1 login:")
    expect(section.get_by_label("Last lines")).to_have_value("3")
    assert len(section.locator("pre").inner_text().splitlines()) == 3
