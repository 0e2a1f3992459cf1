"""The admin's "Upload an ISO" page in a real browser: the script creates the ISO, sends
the file with progress, then follows the transfer Task to the FTP server until it ends."""

import pytest
from playwright.sync_api import expect

from portal.core.tests.browser.pages import choose_file_and_upload
from portal.isos.models import Iso
from portal.isos.tests.test_isos_api import iso_image

pytestmark = pytest.mark.browser


@pytest.fixture
def upload_page(admin_page, live_server, ftp_server, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    admin_page.goto(f"{live_server.url}/admin/isos/iso/upload/")
    expect(admin_page.get_by_role("heading", name="Upload an ISO")).to_be_visible()
    return admin_page


def fill_and_send(page, ftp_server, name, data):
    page.locator("#id_ftp_server_id").select_option(str(ftp_server.pk))
    page.locator("#id_iso_name").fill(name)
    page.locator("#id_os_type").fill("linux")
    choose_file_and_upload(page, f"{name}.iso", data)


def test_upload_from_the_browser_ends_on_the_ftp_server(upload_page, ftp_server, ftpd):
    data = iso_image(300_000)
    fill_and_send(upload_page, ftp_server, "from-browser", data)
    expect(upload_page.locator("#iso-to-portal")).to_have_js_property("value", 100)
    expect(upload_page.locator("#iso-to-ftp")).to_have_js_property("value", 100)
    expect(upload_page.get_by_role("link", name="Back to the ISOs")).to_be_visible()
    expect(upload_page.locator("[data-role=error]")).to_be_hidden()
    iso = Iso.objects.get(iso_name="from-browser")
    assert (iso.status, iso.size, iso.uploaded_by.username) == ("available", len(data), "admin")
    assert ftpd.files() == ["from-browser.iso"]


def test_refusals_are_shown(upload_page, ftp_server):
    fill_and_send(upload_page, ftp_server, "", iso_image())
    expect(upload_page.locator("[data-errors-for=iso_name]")).to_be_visible()
    expect(upload_page.locator("#iso-upload-status")).to_be_hidden()

    fill_and_send(upload_page, ftp_server, "not-an-iso", b"\0" * 40_000)
    expect(upload_page.locator("[data-role=error]")).to_be_visible()
    expect(upload_page.get_by_role("link", name="Back to the ISOs")).to_be_visible()
    assert Iso.objects.get(iso_name="not-an-iso").status != "available"
