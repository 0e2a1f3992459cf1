import pytest

from portal.isos.models import Iso
from portal.isos.tests.factories import IsoFactory

pytestmark = pytest.mark.django_db


def test_upload_page_and_add_redirect(admin_client, ftp_server):
    assert admin_client.get("/admin/isos/iso/add/").url.endswith("/admin/isos/iso/upload/")
    page = admin_client.get("/admin/isos/iso/upload/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "iso-upload.js" in html
    assert 'data-api-url="/api/v1/isos"' in html
    assert ftp_server.name in html


def test_changelist_and_edit(admin_client, ftp_server):
    iso = IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud)
    assert admin_client.get("/admin/isos/iso/").status_code == 200
    answer = admin_client.post(
        f"/admin/isos/iso/{iso.pk}/change/",
        {"iso_name": "Renamed", "iso_desc": "", "os_type": "linux"},
    )
    assert answer.status_code == 302
    iso.refresh_from_db()
    assert (iso.iso_name, iso.os_type, iso.enabled) == ("Renamed", "linux", False)


def test_delete_action_refuses_synced_with_the_reason(admin_client, ftp_server):
    iso = IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud)
    answer = admin_client.post(
        "/admin/isos/iso/", {"action": "delete_isos", "_selected_action": [iso.pk]}, follow=True
    )
    assert "Only ISOs uploaded through the portal can be deleted" in answer.content.decode()
    assert Iso.objects.filter(pk=iso.pk).exists()


def test_disable_action(admin_client, ftp_server):
    iso = IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud)
    admin_client.post("/admin/isos/iso/", {"action": "disable", "_selected_action": [iso.pk]})
    iso.refresh_from_db()
    assert iso.enabled is False
