"""Cloud disks in the admin: the list with search, filters and live progress, the disk's
page with its operations, and the forms (create, extend, rename, attach, detach, delete),
all through the services, on the simulator; and the server page's link to them. (The
Chinese of the disks' sentences reaches the catalogues at merge time.)"""

import pytest

from portal.servers.disks.models import Volume
from portal.servers.tests.disks.conftest import create_disk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

LIST = "/admin/servers/volume/"


@pytest.fixture
def disk(client_of_tenant, tenant_driver):
    return Volume.objects.get(volume_id=create_disk(client_of_tenant)["volume_id"])


def page(admin_client, url):
    answer = admin_client.get(url)
    assert answer.status_code == 200, answer.content
    return answer.content.decode()


def test_create_from_the_admin(admin_client, tenant, cloud, tenant_driver):
    assert "Create cloud disk" in page(admin_client, LIST)
    body = {
        "tenant": tenant.pk, "cloud": cloud.pk, "volume_name": "from-admin", "volume_desc": "",
        "size_in_g": 4, "volume_type": "", "availability_zone": "",
    }  # fmt: skip

    answer = admin_client.post(f"{LIST}create/", body)

    volume = Volume.objects.get(name="from-admin")
    assert answer.status_code == 302
    assert answer.url == f"{LIST}{volume.pk}/change/"
    assert (volume.status, volume.size, volume.current_task.state) == ("available", 4, "succeeded")
    html = page(admin_client, answer.url)
    assert f'data-task-id="{volume.current_task.pk}"' in html
    assert "Extend…" in html


def test_a_refusal_shows_on_the_form(admin_client, tenant, cloud):
    body = {"tenant": tenant.pk, "cloud": cloud.pk, "volume_name": "x", "size_in_g": 1}

    html = admin_client.post(f"{LIST}create/", body).content.decode()

    assert "still being set up in region region-one" in html
    assert not Volume.objects.exists()


def test_list_search_filters_and_progress(admin_client, disk, server):
    Volume.objects.create(cloud=disk.cloud, tenant=disk.tenant, name="gone", size=1,
                          status="deleted", backend_id="gone-1")  # fmt: skip

    html = page(admin_client, LIST)
    assert "data-1" in html
    assert "gone" not in html
    assert 'class="task-progress"' in html
    assert "gone" in page(admin_client, f"{LIST}?status=all")
    assert "data-1" not in page(admin_client, f"{LIST}?q=no-such-disk")
    assert "data-1" in page(admin_client, f"{LIST}?q={disk.volume_id}")


def test_extend_rename_attach_detach_delete_from_the_disk_page(admin_client, disk, server):
    def post(operation, body=None):
        answer = admin_client.post(f"{LIST}{disk.pk}/{operation}/", body or {})
        assert answer.status_code == 302, answer.content
        disk.refresh_from_db()
        assert disk.current_task.state == "succeeded", disk.current_task.message

    post("extend", {"size_in_g": 12})
    assert disk.size == 12
    post("rename", {"volume_name": "renamed", "volume_desc": "db"})
    assert (disk.name, disk.description) == ("renamed", "db")
    assert server.name in page(admin_client, f"{LIST}{disk.pk}/attach/")
    post("attach", {"server": server.pk})
    assert (disk.server, disk.status) == (server, "in-use")
    assert "Detach…" in page(admin_client, f"{LIST}{disk.pk}/change/")
    assert "renamed" in page(admin_client, f"/admin/servers/server/{server.pk}/change/")
    post("detach")
    assert (disk.server, disk.status) == (None, "available")
    post("delete")
    assert disk.status == "deleted"


def test_extend_refuses_a_smaller_size(admin_client, disk):
    html = admin_client.post(f"{LIST}{disk.pk}/extend/", {"size_in_g": 5}).content.decode()

    assert "errorlist" in html
    disk.refresh_from_db()
    assert (disk.size, disk.locked) == (10, False)
