"""Floating IPs in a real browser: allocate one from the admin, associate it with a
server, each Task followed to its end on the list without a reload; screenshots of the
list, page and forms in both languages."""

import pytest
from playwright.sync_api import expect

from portal.network.models import FloatingIP

pytestmark = pytest.mark.browser

LIST = "/admin/network/floatingip/"


def follow_to_the_end(page, job_queue):
    """The list shows the latest Task queued; the held jobs run; the bar follows it."""
    progress = page.locator(".task-progress").first
    expect(progress).to_have_attribute("data-state", "queued")
    job_queue.run_all()
    expect(progress).to_have_attribute("data-state", "succeeded", timeout=20_000)


def test_allocate_and_associate_from_the_admin(
    admin_page, live_server, tenant, identity, external, router, server, job_queue, screenshot
):
    page = admin_page
    page.goto(f"{live_server.url}{LIST}")
    page.get_by_role("link", name="Allocate floating IP…").click()
    page.locator("#id_tenant").select_option(str(tenant.pk))
    page.locator("#id_external_network").select_option(index=1)
    page.get_by_role("button", name="Allocate").click()
    expect(page.locator(".messagelist")).to_contain_text("Allocating a floating IP")
    follow_to_the_end(page, job_queue)
    floating_ip = FloatingIP.objects.get()
    assert floating_ip.state == "ready"

    page.goto(f"{live_server.url}{LIST}{floating_ip.pk}/associate/")
    page.locator("#id_server").select_option(str(server.pk))
    page.get_by_role("button", name="Associate").click()
    follow_to_the_end(page, job_queue)
    floating_ip.refresh_from_db()
    assert floating_ip.device_id == server.backend_id

    pages = {
        "floating-ips": LIST,
        "floating-ip": f"{LIST}{floating_ip.pk}/change/",
        "floating-ip-allocate": f"{LIST}allocate/",
        "floating-ip-associate": f"{LIST}{floating_ip.pk}/associate/",
    }
    for language, label in (("en", "English"), ("zh-hans", "简体中文")):
        page.goto(f"{live_server.url}/admin/")
        page.locator("#language-select").select_option(label=label)
        expect(page.locator("html")).to_have_attribute("lang", language)
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            if name != "floating-ip-allocate":
                expect(page.locator("#content")).to_contain_text(floating_ip.floating_ip_address)
            screenshot(page, f"{name}-{language}")
