"""The admin in a real browser: logging in, the main pages, the language switch."""

import re

import pytest
from playwright.sync_api import expect

from portal.core.tests.browser.conftest import ADMIN_PASSWORD

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
