"""The admin's "Upload image" page in a real browser: the script creates the image,
sends the file in pieces with progress, then follows the transfer Task to its end."""

import pytest
from playwright.sync_api import expect

from portal.clouds.simulator.faults import inject_fault
from portal.core.tests.browser.pages import choose_file_and_upload
from portal.images import admin as images_admin
from portal.images.models import Image
from portal.images.tests.uploads import cloud_images, qcow2_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def upload_page(admin_page, live_server, cloud, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setattr(images_admin, "UPLOAD_PIECE_SIZE", 100_000)  # several pieces
    admin_page.goto(f"{live_server.url}/admin/images/image/")
    admin_page.get_by_role("link", name="Upload image").click()
    expect(admin_page.get_by_role("heading", name="Upload image")).to_be_visible()
    return admin_page


def fill_and_send(page, name, data):
    page.locator("#id_image_name").fill(name)
    page.locator("#id_image_diskformat").select_option("qcow2")
    page.locator("#id_os_type").fill("linux")
    choose_file_and_upload(page, f"{name}.qcow2", data)


def test_upload_from_the_browser_ends_active_in_the_cloud(upload_page, cloud, screenshot):
    data = qcow2_bytes(350_000)
    fill_and_send(upload_page, "from-browser", data)
    expect(upload_page.locator("#upload-to-portal")).to_have_js_property("value", 100)
    expect(upload_page.locator("#upload-to-cloud")).to_have_js_property("value", 100)
    expect(upload_page.get_by_role("link", name="Back to the images")).to_be_visible()
    expect(upload_page.locator("[data-role=error]")).to_be_hidden()
    screenshot(upload_page, "image-upload")
    image = Image.objects.get(name="from-browser")
    assert (image.upload_state, image.size, image.uploaded_by.username) == (
        "active", len(data), "admin",
    )  # fmt: skip
    assert cloud_images(cloud).get().status == "active"


def test_refusals_are_shown(upload_page, cloud):
    fill_and_send(upload_page, "", qcow2_bytes(1000))
    expect(upload_page.locator("[data-errors-for=image_name]")).to_be_visible()
    expect(upload_page.locator("[data-role=error]")).to_contain_text("not valid")

    inject_fault(cloud, "images.upload_image_data", mode="bad_request")
    fill_and_send(upload_page, "refused", qcow2_bytes(1000))
    expect(upload_page.locator("[data-role=error]")).to_contain_text("Simulated failure")
    assert Image.objects.get(name="refused").upload_state == "failed"
    assert not cloud_images(cloud).exists()
