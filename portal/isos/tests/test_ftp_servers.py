import pytest

from portal.isos.models import FtpServer
from portal.isos.tests.conftest import free_port
from portal.isos.tests.factories import FtpServerFactory, IsoFactory

pytestmark = pytest.mark.django_db

SECRETS = {"password", "ssh_password", "ssh_private_key"}


def test_create_stores_secrets_encrypted_and_never_answers_them(staff_client, cloud):
    body = {
        "name": "store", "host": "ftp.example", "port": 2121, "username": "u",
        "password": "s3cret", "base_dir": "/isos", "passive": True, "use_tls": True,
        "ssh_private_key": "KEY",
    }  # fmt: skip
    answer = staff_client.post("/api/v1/ftp-servers", body, format="json")
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert not SECRETS & set(data)
    assert data["region"] == cloud.region
    assert data["use_tls"] is True
    server = FtpServer.objects.get(pk=data["ftp_server_id"])
    assert server.password == "s3cret"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM isos_ftpserver WHERE id = %s", [server.pk])
        assert "s3cret" not in cursor.fetchone()[0]
    listed = staff_client.get("/api/v1/ftp-servers").json()
    assert listed["count"] == 1
    assert not SECRETS & set(listed["ftp_servers"][0])


def test_blank_secret_keeps_the_stored_one(staff_client, cloud):
    server = FtpServerFactory(cloud=cloud, password="old")
    url = f"/api/v1/ftp-servers/{server.pk}"
    assert staff_client.patch(url, {"password": "", "port": 2100}, format="json").status_code == 200
    server.refresh_from_db()
    assert (server.password, server.port) == ("old", 2100)
    staff_client.patch(url, {"password": "new"}, format="json")
    server.refresh_from_db()
    assert server.password == "new"


def test_duplicate_name_is_a_conflict(staff_client, cloud):
    FtpServerFactory(cloud=cloud, name="store")
    body = {"name": "store", "host": "h", "username": "u"}
    answer = staff_client.post("/api/v1/ftp-servers", body, format="json")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "duplicate_name"


def test_unknown_region_is_refused(staff_client, cloud):
    body = {"name": "x", "host": "h", "username": "u", "region": "nowhere"}
    assert staff_client.post("/api/v1/ftp-servers", body, format="json").status_code == 400


def test_delete_refused_while_isos_are_known(staff_client, cloud):
    server = FtpServerFactory(cloud=cloud)
    IsoFactory(ftp_server=server)
    answer = staff_client.delete(f"/api/v1/ftp-servers/{server.pk}")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "in_use"
    empty = FtpServerFactory(cloud=cloud)
    assert staff_client.delete(f"/api/v1/ftp-servers/{empty.pk}").status_code == 204


def test_operators_only(client_of_tenant, platform_client, anon_client, cloud):
    server = FtpServerFactory(cloud=cloud)
    assert client_of_tenant.get("/api/v1/ftp-servers").status_code == 403
    assert client_of_tenant.post(f"/api/v1/ftp-servers/{server.pk}/test").status_code == 403
    assert anon_client.get("/api/v1/ftp-servers").status_code in (401, 403)
    assert platform_client.get(f"/api/v1/ftp-servers/{server.pk}").status_code == 200


# ---- test connection, against real servers -------------------------------------------


def check(client, server):
    answer = client.post(f"/api/v1/ftp-servers/{server.pk}/test")
    assert answer.status_code == 200
    return answer.json()


def test_connection_works(staff_client, ftp_server, ftpd):
    (ftpd.iso_dir / "a.iso").write_bytes(b"x")
    result = check(staff_client, ftp_server)
    assert result["ok"] is True
    assert "1 ISO" in result["message"]


def test_connection_login_incorrect(staff_client, ftp_server):
    ftp_server.password = "wrong"
    ftp_server.save()
    result = check(staff_client, ftp_server)
    assert (result["ok"], result["code"]) == (False, "login_incorrect")
    assert "wrong" not in result["message"]


def test_connection_directory_missing(staff_client, ftp_server):
    ftp_server.base_dir = "/nowhere"
    ftp_server.save()
    assert check(staff_client, ftp_server)["code"] == "directory_missing"


def test_connection_refused(staff_client, ftp_server):
    ftp_server.port = free_port()  # nothing listens there
    ftp_server.save()
    result = check(staff_client, ftp_server)
    assert (result["ok"], result["code"]) == (False, "connection_refused")


def test_connection_timeout(staff_client, ftp_server, monkeypatch):
    from portal.isos import ftp_servers

    monkeypatch.setattr(ftp_servers, "TEST_TIMEOUT_SECONDS", 0.5)
    with __import__("socket").socket() as silent:  # accepts, never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        ftp_server.port = silent.getsockname()[1]
        ftp_server.save()
        assert check(staff_client, ftp_server)["code"] == "timeout"


def test_connection_over_ssh_too(staff_client, ssh_ftp_server):
    result = check(staff_client, ssh_ftp_server)
    assert result["ok"] is True
    assert "SSH" in result["message"]


def test_ssh_host_key_must_match_the_pinned_one(staff_client, ssh_ftp_server):
    other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDtZ5Vb8XGJW6Uu5mBm6Vq2m4vYzfYJqzP1lX3QK4r5y"
    ssh_ftp_server.ssh_host_key = other
    ssh_ftp_server.save()
    result = check(staff_client, ssh_ftp_server)
    assert (result["ok"], result["code"]) == (False, "host_key_mismatch")


def test_ssh_host_key_is_required(staff_client, ssh_ftp_server):
    ssh_ftp_server.ssh_host_key = ""
    ssh_ftp_server.save()
    assert check(staff_client, ssh_ftp_server)["code"] == "host_key_missing"


def test_ssh_directory_missing(staff_client, ssh_ftp_server):
    ssh_ftp_server.ssh_base_dir = "/nowhere/isos"
    ssh_ftp_server.save()
    assert check(staff_client, ssh_ftp_server)["code"] == "directory_missing"


def test_admin_action_tests_the_connection(client, staff_user, ftp_server):
    client.force_login(staff_user)
    answer = client.post(
        "/admin/isos/ftpserver/",
        {"action": "test_connection", "_selected_action": [ftp_server.pk]},
        follow=True,
    )
    assert "The FTP connection works" in answer.content.decode()


def test_admin_form_keeps_secrets_write_only(client, staff_user, ftp_server):
    client.force_login(staff_user)
    page = client.get(f"/admin/isos/ftpserver/{ftp_server.pk}/change/").content.decode()
    assert "ftp-secret" not in page
