"""Going through the "Create server" wizard in the browser as an operator would: every
choice picked from a list or a table, no id typed."""

import re

from playwright.sync_api import expect

from portal.servers.models import Server

CHANGELIST = "/admin/servers/server/"


def next_step(page, title):
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#wizard-step-title")).to_contain_text(title)


def create_through_the_wizard(
    page, live_server, tenant, name, *, source, flavor=None, network=None, groups=(),
    system_disk=None, screenshot=None,
):  # fmt: skip
    """From the servers list: the tenant, then `source` (an image's or a template's name),
    `flavor` and `network` by name (a template's own when None), the security `groups`;
    each step saved by `screenshot(page, step)` when given. Returns the server, on whose
    page the browser then is."""
    shoot = screenshot or (lambda page, step: None)
    page.goto(f"{live_server.url}{CHANGELIST}")
    page.get_by_role("link", name="Create server").click()
    expect(page.get_by_role("heading", name="Create server")).to_be_visible()
    # The picker reloads the step (a GET) on change: no button pressed.
    with page.expect_navigation():
        page.locator("#id_tenant_picker").select_option(str(tenant.pk))
    page.locator("#id_source-instance_name").fill(name)
    page.get_by_label(source, exact=True).check()
    shoot(page, "1-source")
    next_step(page, "Flavor")
    if flavor:
        page.get_by_label(flavor, exact=True).check()
    shoot(page, "2-flavor")
    next_step(page, "Network")
    if network:
        page.get_by_label(network, exact=True).check()
    shoot(page, "3-network")
    next_step(page, "Security groups and key pair")
    for group in groups:
        page.get_by_label(group, exact=True).check()
    shoot(page, "4-access")
    next_step(page, "Advanced")
    if system_disk:
        page.get_by_label("System disk (GB)").fill(str(system_disk))
    shoot(page, "5-advanced")
    next_step(page, "Review")
    expect(page.locator("#wizard-review")).to_contain_text(name)
    shoot(page, "6-review")
    page.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(rf"{CHANGELIST}\d+/change/"))
    return Server.objects.get(name=name)
