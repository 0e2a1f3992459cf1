"""The server page's "Mount ISO…" and "Unmount ISO": through the ISO
services, on the simulator, with the current mount shown on the page."""

import pytest

from portal.servers.cdrom.models import IsoMount
from portal.servers.tests.cdrom import conftest as cdrom

# The ISO tests' fixtures: an FTP server holding an ISO, a running server in the simulator.
ftpd, ftp_server, iso, server = cdrom.ftpd, cdrom.ftp_server, cdrom.iso, cdrom.server

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


def page_of(server):
    return f"/admin/servers/server/{server.pk}/"


def test_mount_and_unmount_from_the_server_page(admin_client, iso, server, cloud):
    html = admin_client.get(f"{page_of(server)}change/").content.decode()
    assert f"{page_of(server)}mount-iso/" in html
    assert "unmount-iso" not in html
    choice = admin_client.get(f"{page_of(server)}mount-iso/")
    assert iso.iso_name in choice.content.decode()
    answer = admin_client.post(f"{page_of(server)}mount-iso/", {"iso": iso.pk})
    assert answer.status_code == 302
    mount = IsoMount.objects.get()
    assert (mount.server, mount.status, mount.task.state) == (server, "attached", "succeeded")

    html = admin_client.get(f"{page_of(server)}change/").content.decode()
    assert iso.iso_name in html  # the mounted ISO is shown
    assert f"{page_of(server)}mount-iso/" not in html
    answer = admin_client.post(f"{page_of(server)}operate/unmount-iso/")
    assert answer.status_code == 302
    assert not IsoMount.objects.exists()
    assert not cdrom.cloud_volumes(cloud).exists()


def test_unmounting_without_an_iso_is_reported(admin_client, server):
    answer = admin_client.post(f"{page_of(server)}operate/unmount-iso/", follow=True)
    assert "No ISO is mounted" in answer.content.decode()
