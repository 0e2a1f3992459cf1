"""The admin's "Mount on server…" (an intermediate page), the ISO mounts list with live
progress, and its "Unmount" action: all through the services, on the simulator."""

import pytest

from portal.servers.cdrom.models import IsoMount
from portal.servers.models import Server
from portal.servers.tests.cdrom.conftest import cloud_volumes
from portal.servers.tests.factories import ServerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]


def test_mount_action_leads_to_the_server_choice(admin_client, iso):
    answer = admin_client.post(
        "/admin/isos/iso/", {"action": "mount_on_server", "_selected_action": [iso.pk]}
    )
    assert answer.status_code == 302
    assert answer.url.endswith(f"/admin/isos/iso/{iso.pk}/mount/")


def test_mount_action_wants_one_iso(admin_client, iso, ftp_server):
    from portal.isos.tests.factories import IsoFactory

    other = IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud)
    answer = admin_client.post(
        "/admin/isos/iso/",
        {"action": "mount_on_server", "_selected_action": [iso.pk, other.pk]},
        follow=True,
    )
    assert "exactly one ISO" in answer.content.decode()


def test_mount_page_offers_mountable_servers_only(admin_client, iso, server, tenant, cloud):
    ServerFactory(tenant=tenant, cloud=cloud, name="suspended-vm", runtime_state="SUSPENDED")
    ServerFactory(tenant=tenant, cloud=cloud, name="gone-vm", status=Server.Status.DELETED)
    page = admin_client.get(f"/admin/isos/iso/{iso.pk}/mount/")
    assert page.status_code == 200
    html = page.content.decode()
    assert server.name in html
    assert "suspended-vm" not in html
    assert "gone-vm" not in html


def test_mount_then_unmount_from_the_admin(admin_client, iso, server, cloud):
    answer = admin_client.post(f"/admin/isos/iso/{iso.pk}/mount/", {"server": server.pk})
    assert answer.status_code == 302
    assert answer.url.endswith("/admin/servers/isomount/")
    mount = IsoMount.objects.get()
    assert (mount.status, mount.task.state) == ("attached", "succeeded")
    page = admin_client.get("/admin/servers/isomount/").content.decode()
    assert 'class="task-progress"' in page
    assert f'data-task-id="{mount.task.pk}"' in page

    answer = admin_client.post(
        "/admin/servers/isomount/",
        {"action": "unmount", "_selected_action": [mount.pk]},
        follow=True,
    )
    assert answer.status_code == 200
    assert not IsoMount.objects.exists()
    assert not cloud_volumes(cloud).exists()


def mount_from_the_iso_page(client, iso, server):
    return client.post(f"/admin/isos/iso/{iso.pk}/mount/", {"server": server.pk})


def mount_from_the_server_page(client, iso, server):
    return client.post(f"/admin/servers/server/{server.pk}/mount-iso/", {"iso": iso.pk})


@pytest.mark.parametrize("mount", [mount_from_the_iso_page, mount_from_the_server_page])
def test_a_refused_mount_is_shown_on_the_page_it_was_asked_on(admin_client, iso, server, mount):
    Server.objects.filter(pk=server.pk).update(locked=True)
    answer = mount(admin_client, iso, server)
    assert answer.status_code == 200
    assert "Another operation is running" in answer.content.decode()
    assert not IsoMount.objects.exists()


def test_unmount_refusal_is_reported(admin_client, iso, server):
    mount = IsoMount.objects.create(iso=iso, server=server)  # still attaching
    answer = admin_client.post(
        "/admin/servers/isomount/",
        {"action": "unmount", "_selected_action": [mount.pk]},
        follow=True,
    )
    assert "try again when that has finished" in answer.content.decode()
    assert IsoMount.objects.get().status == "attaching"


def test_iso_page_links_to_mounting_and_lists_mounts(admin_client, iso, server):
    IsoMount.objects.create(iso=iso, server=server, status="attached")
    page = admin_client.get(f"/admin/isos/iso/{iso.pk}/change/").content.decode()
    assert f"/admin/isos/iso/{iso.pk}/mount/" in page
    assert server.instance_id in page
    assert server.instance_id in admin_client.get("/admin/isos/iso/").content.decode()
