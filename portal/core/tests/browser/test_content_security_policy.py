"""The admin's pages and the API docs in a real browser under the Content-Security-Policy:
nothing refused, and what inline handlers did (ask before a delete, switch the language)
still works from the static script."""

import re

import pytest
from playwright.sync_api import expect

from portal.servers.models import Server
from portal.servers.tests.factories import ServerFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def refused(admin_page):
    """What the browser refused under the policy, as its console reports it."""
    found = []
    admin_page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def test_the_main_pages_load_nothing_the_policy_refuses(admin_page, live_server, cloud, refused):
    server = ServerFactory(cloud=cloud)
    for path in (
        "/admin/",
        "/admin/core/task/",
        f"/admin/clouds/cloud/{cloud.pk}/change/",
        f"/admin/servers/server/{server.pk}/change/",
        "/admin/images/image/",
        "/api/docs/",
    ):
        admin_page.goto(f"{live_server.url}{path}")
        admin_page.wait_for_load_state("networkidle")
    expect(admin_page.locator(".opblock").first).to_be_visible(timeout=15_000)
    assert refused == []


def test_a_delete_still_asks_first(admin_page, live_server, cloud, refused):
    server = ServerFactory(cloud=cloud)
    page = admin_page
    page.goto(f"{live_server.url}/admin/servers/server/{server.pk}/change/")
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.locator("#content").get_by_role("button", name="Delete", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/admin/servers/server/{server.pk}/change/"))
    assert len(questions) == 1
    assert questions[0].startswith("Delete this server?")
    assert Server.objects.get(pk=server.pk).status == Server.Status.READY
    assert refused == []


def test_the_language_switch_still_sends_its_form(admin_page, live_server, refused):
    page = admin_page
    page.goto(f"{live_server.url}/admin/")
    page.locator("#language-select").select_option(label="简体中文")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert refused == []
