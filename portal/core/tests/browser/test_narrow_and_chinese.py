"""The dashboard and the Task list on a phone (390 px wide), and the Task list in Chinese:
nothing overlaps, badges stay on one line, a Task's message is translated."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.core.models import Task
from portal.core.tests.factories import TaskFactory
from portal.servers.locking import OPERATE_KIND, RESIZE_KIND, SERVER_TARGET
from portal.servers.task_messages import PowerMessages, ResizeMessages, runtime_state_label
from portal.servers.tests.factories import ServerFactory
from portal.tenants.tests.factories import TenantFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# A word of English: two or more letters, one of them lower case (not an acronym).
ENGLISH_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*[a-z][A-Za-z]*")

# Where the page is wider than the screen, and which cells of a table row overlap their
# neighbour: [page width, [overlapping cell texts], [badges wrapped over several lines]].
LAYOUT_PROBLEMS = """() => {
  const overlaps = [];
  for (const row of document.querySelectorAll("#content tr")) {
    const cells = [...row.children].filter((cell) => cell.getClientRects().length);
    for (let i = 1; i < cells.length; i++) {
      const left = cells[i - 1].getBoundingClientRect(), right = cells[i].getBoundingClientRect();
      if (left.right > right.left + 1) overlaps.push(cells[i].innerText.slice(0, 40));
    }
  }
  const wrapped = [...document.querySelectorAll(".state-badge, .task-state")]
    .filter((badge) => badge.getClientRects().length > 1)
    .map((badge) => badge.innerText);
  return [document.documentElement.scrollWidth, overlaps, wrapped];
}"""


def assert_fits_the_phone(page):
    width, overlaps, wrapped = page.evaluate(LAYOUT_PROBLEMS)
    assert width <= PHONE["width"], f"the page is {width} px wide"
    assert overlaps == []
    assert wrapped == []


@pytest.fixture
def tasks(cloud, transactional_db):
    """A few Tasks in each state, on servers of a tenant, with long messages."""
    tenant = TenantFactory(name="acme")
    started = timezone.now() - timedelta(minutes=3)
    made = []
    for number, state in enumerate(Task.State.values):
        server = ServerFactory(cloud=cloud, tenant=tenant, name=f"web-{number}")
        made.append(
            TaskFactory(
                kind=RESIZE_KIND,
                target_type=SERVER_TARGET,
                target_id=server.instance_id,
                tenant=tenant,
                requested_by="staff:admin",
                state=state,
                progress=40,
                started=started,
                finished=started + timedelta(seconds=4),
                message=ResizeMessages.RESIZING(name="c4-m8"),
            )
        )  # fmt: skip
    TaskFactory(
        kind=OPERATE_KIND, action="stop", target_type=SERVER_TARGET,
        target_id=server.instance_id, tenant=tenant, requested_by="staff:admin",
        state=Task.State.SUCCEEDED, started=started, finished=started + timedelta(seconds=4),
        message=PowerMessages.SETTLED(state=runtime_state_label("SHUTOFF")),
    )  # fmt: skip
    return made


def test_the_dashboard_and_the_task_list_fit_a_phone(admin_page, live_server, tasks, screenshot):
    page = admin_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Tasks of the last 24 hours")).to_be_visible()
    screenshot(page, "dashboard-390px")
    assert_fits_the_phone(page)

    page.goto(f"{live_server.url}/admin/core/task/")
    expect(page.get_by_text("admin stopped web-3")).to_be_visible()
    screenshot(page, "tasks-390px")
    assert_fits_the_phone(page)


def test_the_chinese_task_list_shows_each_message_translated(
    admin_page, live_server, tasks, screenshot
):
    page = admin_page
    page.goto(f"{live_server.url}/admin/")
    page.locator("#language-select").select_option(label="简体中文")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.goto(f"{live_server.url}/admin/core/task/")
    messages = page.locator("#result_list .task-message")
    expect(messages).to_have_count(len(tasks) + 1)
    screenshot(page, "tasks-zh-hans")
    for text in messages.all_inner_texts():
        assert text.strip()
        assert not ENGLISH_WORD.search(text), text
