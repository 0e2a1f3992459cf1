"""The admin in a real browser: logging in, the main pages, the language switch."""

import re

import pytest
from playwright.sync_api import expect

from portal.core.models import Task
from portal.core.tests.browser.conftest import ADMIN_PASSWORD
from portal.core.tests.factories import TaskFactory
from portal.images.tests.factories import ImageFactory
from portal.tenants.tests.factories import TenantFactory

pytestmark = pytest.mark.browser


def test_an_administrator_logs_in_with_the_form(page, live_server, admin_user, screenshot):
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    screenshot(page, "login")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Cloud portal")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/admin/")


def test_the_dashboard_shows_clouds_tenants_catalogue_and_tasks(
    admin_page, live_server, cloud, screenshot
):
    TenantFactory(name="acme")
    ImageFactory(cloud=cloud, name="ubuntu")
    TaskFactory(state=Task.State.FAILED, kind="images.sync", message="cloud unreachable")
    page = admin_page
    page.goto(f"{live_server.url}/admin/")
    for title in ("Tasks of the last 24 hours", "Clouds", "Images and ISOs"):
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("acme"))).to_be_visible()
    expect(page.get_by_text("cloud unreachable")).to_be_visible()
    # The areas in the order of the work: clouds first, tasks and audit last.
    captions = page.locator("div[class^='app-'] > table > caption").all_inner_texts()
    assert captions[:10] == [
        "CLOUDS", "TENANTS", "IMAGES", "ISOS", "SERVERS", "NETWORKING", "NAS SHARES",
        "OBJECT STORAGE", "WEBHOOKS", "TASKS AND AUDIT",
    ]  # fmt: skip
    screenshot(page, "dashboard")

    page.get_by_role("link", name="Failed: 1").click()
    expect(page).to_have_url(re.compile(r"/admin/core/task/\?.*state=failed"))
    expect(page.get_by_text("1 task")).to_be_visible()


def test_the_header_switch_turns_the_admin_chinese_and_back(admin_page, live_server, screenshot):
    page = admin_page
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#language-select").select_option(label="简体中文")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="站点管理")).to_be_visible()
    expect(page.get_by_role("button", name="注销")).to_be_visible()
    screenshot(page, "dashboard-zh-hans")

    page.locator("#language-select").select_option(label="English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def tab_to(page, selector, limit=120):
    """Presses Tab until the element matching `selector` has the focus; returns it."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return target
    raise AssertionError(f"Tab never reached {selector}")


def outline_of(element):
    return element.evaluate(
        "element => { const style = getComputedStyle(element);"
        " return [style.outlineStyle, style.outlineWidth]; }"
    )


def test_the_keyboard_reaches_the_language_switch_and_the_actions_with_a_visible_focus(
    admin_page, live_server
):
    TenantFactory(name="acme")  # a list with a row shows the action select
    page = admin_page
    page.goto(f"{live_server.url}/admin/tenants/tenant/")
    switch = tab_to(page, "#language-select")
    assert outline_of(switch) == ["solid", "2px"]

    action = tab_to(page, "select[name=action]")
    assert outline_of(action) == ["solid", "2px"]
    action.press("ArrowDown")  # a keyboard user picks an action without the mouse
    assert action.evaluate("element => element.selectedIndex") == 1
