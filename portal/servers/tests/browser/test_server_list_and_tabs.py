"""The servers list and server page in a real browser: each row's menu offers only what
the server's state allows, no column is cut off at 1440 px, nothing overlaps at 390 px,
a short id is copied, and the server page's tabs switch (by mouse and keyboard)."""

import pytest
from playwright.sync_api import expect

from portal.core.models import Task
from portal.core.tests.factories import TaskFactory
from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory
from portal.servers.tests.test_instances import create
from portal.tenants.tests.factories import TenantFactory

pytestmark = pytest.mark.browser

CHANGELIST = "/admin/servers/server/"

# Cells whose content is wider than the cell (cut off), and how far the list and the page
# overflow sideways.
CLIPPING = """() => ({
  clipped: Array.from(document.querySelectorAll("#result_list th, #result_list td"))
    .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
    .map((cell) => cell.className + ": " + cell.textContent.trim().slice(0, 40)),
  list: (() => { const box = document.querySelector("#changelist-form .results");
                 return box.scrollWidth - box.clientWidth; })(),
  page: document.documentElement.scrollWidth - window.innerWidth,
})"""

# Badges, short ids and row menus that wrap onto a second line or stick out of their cell.
OUT_OF_PLACE = """() => Array.from(document.querySelectorAll(
    "#result_list .state-badge, #result_list .cloud-status, #result_list .short-id, " +
    "#result_list .row-menu summary"))
  .filter((badge) => {
    const cell = badge.closest("td").getBoundingClientRect();
    const box = badge.getBoundingClientRect();
    const lineHeight = parseFloat(getComputedStyle(badge).lineHeight) || 20;
    return box.height > lineHeight * 1.6 || box.left < cell.left - 1 || box.right > cell.right + 1;
  })
  .map((badge) => badge.outerHTML.slice(0, 100))"""


@pytest.fixture
def busy_list(cloud):
    """A page of servers as an operator sees them: long names, IPv6, every state."""
    tenants = [TenantFactory(name=name) for name in ("acme-production", "globex", "initech-qa")]
    states = [
        {"runtime_state": "ACTIVE"}, {"runtime_state": "SHUTOFF", "power_state": "shutdown"},
        {"runtime_state": "ERROR", "power_state": "nostate"},
        {"status": Server.Status.RESIZED, "runtime_state": "VERIFY_RESIZE"},
        {"status": Server.Status.CREATING, "runtime_state": "", "power_state": ""},
        {"runtime_state": "ACTIVE", "locked": True,
         "current_task": TaskFactory(kind="server.operate", state=Task.State.RUNNING, progress=40)},
    ]  # fmt: skip
    for index in range(18):
        ServerFactory(
            cloud=cloud, tenant=tenants[index % 3], name=f"web-frontend-{index:02d}",
            image_name="ubuntu-24.04-server-cloudimg-amd64", flavor_name="m1.xlarge",
            key_name="ops-deploy-key", availability_zone="nova-az1",
            addresses={"tenant-net": [f"10.20.{index}.15", f"fd00:20::{index}:15"]},
            **states[index % len(states)],
        )  # fmt: skip


def open_list(page, live_server, width, height=900):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}{CHANGELIST}")
    expect(page.locator("#result_list")).to_be_visible()


def test_no_column_is_cut_off_at_1440_px(admin_page, live_server, busy_list, screenshot):
    open_list(admin_page, live_server, 1440)
    layout = admin_page.evaluate(CLIPPING)
    screenshot(admin_page, "servers-1440")
    assert layout == {"clipped": [], "list": 0, "page": 0}
    assert admin_page.evaluate(OUT_OF_PLACE) == []


def test_at_390_px_the_list_scrolls_and_nothing_overlaps(
    admin_page, live_server, busy_list, screenshot
):
    open_list(admin_page, live_server, 390, 844)
    layout = admin_page.evaluate(CLIPPING)
    screenshot(admin_page, "servers-390")
    assert layout["clipped"] == []
    assert layout["page"] <= 0  # only the table scrolls sideways, not the page
    assert admin_page.evaluate(OUT_OF_PLACE) == []


def menu_of(page, name):
    row = page.locator("tr", has_text=name)
    row.get_by_text("Actions", exact=True).click()
    return row.locator(".row-menu ul")


def offered(menu):
    return [label.strip() for label in menu.locator("button, a").all_inner_texts()]


def test_the_row_menu_offers_only_what_the_state_allows(
    admin_page, live_server, cloud, identity, client_of_tenant, create_body, job_queue, screenshot
):
    create(client_of_tenant, create_body(data_disks=[]))
    job_queue.run_all()
    ServerFactory(cloud=cloud, name="stopped-1", runtime_state="SHUTOFF", power_state="shutdown")
    ServerFactory(cloud=cloud, name="busy-1", locked=True)
    page = admin_page
    open_list(page, live_server, 1440)

    running = menu_of(page, "web-1")
    expect(running).to_be_visible()
    screenshot(page, "servers-row-menu")
    assert offered(running) == ["Stop", "Reboot", "Hard reboot", "Suspend", "Resize…", "Delete"]
    assert offered(menu_of(page, "stopped-1")) == ["Start", "Hard reboot", "Resize…", "Delete"]
    expect(page.locator("tr", has_text="busy-1").locator(".row-menu")).to_have_count(0)

    # Delete asks first; "Cancel" leaves the server alone.
    page.once("dialog", lambda dialog: dialog.dismiss())
    running.get_by_role("button", name="Delete").click()
    assert Server.objects.get(name="web-1").status == Server.Status.READY

    running.get_by_role("button", name="Stop").click()
    expect(page).to_have_url(f"{live_server.url}{CHANGELIST}")
    expect(page.locator(".messagelist")).to_contain_text("web-1: queued")
    row = page.locator("tr", has_text="web-1")
    expect(row.locator(".spinner")).to_be_visible()
    expect(row.locator(".row-menu")).to_have_count(0)  # locked while its Task runs
    with page.expect_navigation(timeout=20_000):
        job_queue.run_all()
    expect(row.locator(".field-cloud_status_column")).to_have_text("shut off")
    assert offered(menu_of(page, "web-1"))[0] == "Start"


def test_a_short_id_is_copied(admin_page, live_server, cloud):
    server = ServerFactory(cloud=cloud, name="web-1")
    page = admin_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    open_list(page, live_server, 1440)
    cell = page.locator("tr", has_text="web-1").locator(".field-name_column")
    expect(cell.locator("code")).to_have_text(server.instance_id[:8])

    cell.get_by_role("button", name=f"Copy the id {server.instance_id}").click()

    expect(cell.locator("button.copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == server.instance_id


def test_the_server_page_tabs(
    admin_page, live_server, identity, client_of_tenant, create_body, job_queue, screenshot
):
    create(client_of_tenant, create_body())
    job_queue.run_all()
    server = Server.objects.get(name="web-1")
    page = admin_page
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}{CHANGELIST}{server.pk}/change/")
    summary = page.locator(".server-summary")
    expect(summary).to_contain_text("active")
    expect(summary.locator(".task-progress")).to_have_attribute("data-state", "succeeded")
    overview, disks = page.locator("#tab-overview"), page.locator("#tab-disks")
    expect(overview).to_be_visible()
    expect(disks).to_be_hidden()
    identifiers = overview.locator("details")
    expect(identifiers.locator(".field-backend_id")).to_be_hidden()  # folded away
    screenshot(page, "server-overview")

    page.get_by_role("tab", name="Disks").click()
    expect(disks).to_be_visible()
    expect(overview).to_be_hidden()
    expect(disks.locator(".server-disks")).to_contain_text("10.0 GB")
    expect(disks.locator(".server-disks")).to_contain_text("20.0 GB")
    expect(page).to_have_url(f"{live_server.url}{CHANGELIST}{server.pk}/change/#tab-disks")
    screenshot(page, "server-disks")

    # The keyboard: arrows move along the tabs, Home and End to either end.
    page.keyboard.press("ArrowRight")
    network_tab = page.get_by_role("tab", name="Network & security groups")
    expect(network_tab).to_be_focused()
    expect(network_tab).to_have_attribute("aria-selected", "true")
    expect(page.locator("#tab-network")).to_contain_text(next(iter(server.addresses)))
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="Console", exact=True)).to_be_focused()
    page.keyboard.press("Home")
    expect(page.get_by_role("tab", name="Overview")).to_be_focused()

    page.get_by_role("tab", name="Tasks").click()
    tasks = page.locator("#tab-tasks .server-tasks")
    expect(tasks).to_be_visible()
    expect(tasks).to_contain_text("created server web-1")
    screenshot(page, "server-tasks")
    page.reload()  # as tasks.js does when a Task ends: the same tab stays open
    expect(page.locator("#tab-tasks")).to_be_visible()
    expect(overview).to_be_hidden()
