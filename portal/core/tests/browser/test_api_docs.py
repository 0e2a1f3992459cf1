"""The API's docs page in a real browser on this machine, which has no internet: Swagger
UI must come from the portal's static files and render the operations."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_docs_page_renders_the_operations_offline(page, live_server, screenshot):
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    assert page.locator(".opblock").count() > 20
    expect(page.locator("#operations-v1-v1_instances_list")).to_be_visible()
    screenshot(page, "api-docs")
    assert failed == []
