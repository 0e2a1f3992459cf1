import hashlib
import io

import pytest
from drf_spectacular.generators import SchemaGenerator

from portal.core.models import Task
from portal.core.tests.bodies import CutOffBody
from portal.isos.models import Iso
from portal.isos.tests.factories import IsoFactory

pytestmark = pytest.mark.django_db

ISO_FIELDS = {
    "iso_id", "iso_name", "iso_desc", "os_type", "size", "checksum", "ftp_server_id",
    "file_name", "region", "enabled", "origin", "status", "mounted_on", "uploaded_by",
    "mtime", "missing", "missing_since", "created",
}  # fmt: skip


def iso_image(size=64 * 1024, signature=b"CD001", sector=16):
    """Bytes with a volume descriptor identifier where ISO 9660 / UDF put it."""
    data = bytearray(b"\0" * size)
    offset = 2048 * sector + 1
    data[offset : offset + 5] = signature
    return bytes(data)


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media" / "iso-staging"


def staged_files(staging):
    return list(staging.iterdir()) if staging.exists() else []


def create(client, ftp_server, **extra):
    body = {"iso_name": "Ubuntu 24.04", "os_type": "linux", "ftp_server_id": ftp_server.pk}
    answer = client.post("/api/v1/isos", {**body, **extra}, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()


def put_file(client, iso_id, data, wait=30, **headers):
    return client.put(
        f"/api/v1/isos/{iso_id}/file?wait={wait}", data=data,
        content_type="application/octet-stream", **headers,
    )  # fmt: skip


def test_create_then_upload(staff_client, staff_user, ftp_server, ftpd, staging, run_commit_hooks):
    created = create(staff_client, ftp_server, iso_desc="server")
    assert set(created) == ISO_FIELDS
    assert (created["status"], created["origin"]) == ("queued", "uploaded")
    assert created["file_name"] == "Ubuntu_24.04.iso"
    assert created["uploaded_by"] == staff_user.username
    data = iso_image(3 * 1024 * 1024 + 17)
    answer = put_file(staff_client, created["iso_id"], data)
    assert answer.status_code == 202, answer.json()
    body = answer.json()
    assert body["task"]["state"] == "succeeded", body["task"]
    assert (body["status"], body["size"]) == ("available", len(data))
    assert body["checksum"] == hashlib.sha256(data).hexdigest()
    assert ftpd.files() == ["Ubuntu_24.04.iso"]
    assert (ftpd.iso_dir / "Ubuntu_24.04.iso").read_bytes() == data
    assert staged_files(staging) == []
    # A later sync matches the uploaded file instead of adding a synced twin.
    from portal.isos import workflows

    counts = workflows.sync_server_isos(ftp_server)
    assert (counts.created, Iso.objects.get().origin) == (0, "uploaded")


@pytest.mark.parametrize(("signature", "sector"), [(b"BEA01", 16), (b"NSR02", 17), (b"NSR03", 18)])
def test_udf_images_are_accepted(
    staff_client, ftp_server, ftpd, run_commit_hooks, signature, sector
):
    iso_id = create(staff_client, ftp_server)["iso_id"]
    answer = put_file(staff_client, iso_id, iso_image(signature=signature, sector=sector))
    assert answer.json()["status"] == "available"


def test_not_an_iso_is_refused_before_transfer(staff_client, ftp_server, ftpd, staging):
    iso_id = create(staff_client, ftp_server)["iso_id"]
    answer = put_file(staff_client, iso_id, b"PK\x03\x04" + b"\0" * 70000)
    assert answer.status_code == 415
    assert answer.json()["error"]["code"] == "not_an_iso"
    assert Iso.objects.get().status == "queued"
    assert staged_files(staging) == []
    assert ftpd.files() == []
    assert not Task.objects.exists()


@pytest.mark.parametrize("body_class", [io.BytesIO, CutOffBody])
def test_body_cut_off_stages_nothing(ftp_server, staging, body_class):
    from portal.core.errors import ValidationFailed
    from portal.isos import uploads

    iso = IsoFactory(
        ftp_server=ftp_server, cloud=ftp_server.cloud, status="queued", origin="uploaded"
    )
    data = iso_image()
    with pytest.raises(ValidationFailed) as refused:
        uploads.receive_upload(iso, body_class(data), len(data) + 1000)
    assert refused.value.code == "upload_incomplete"
    iso.refresh_from_db()
    assert iso.status == "queued"
    assert staged_files(staging) == []


def test_too_large_is_refused(staff_client, ftp_server, settings, staging):
    settings.ISO_MAX_UPLOAD_BYTES = 40000
    iso_id = create(staff_client, ftp_server)["iso_id"]
    assert put_file(staff_client, iso_id, iso_image()).status_code == 413
    assert staged_files(staging) == []


def test_second_upload_is_a_conflict(staff_client, ftp_server, ftpd, run_commit_hooks):
    iso_id = create(staff_client, ftp_server)["iso_id"]
    put_file(staff_client, iso_id, iso_image())
    answer = put_file(staff_client, iso_id, iso_image())
    assert answer.status_code == 409


def test_duplicate_file_name_is_a_conflict(staff_client, ftp_server):
    IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud, file_name="Ubuntu_24.04.iso")
    answer = staff_client.post(
        "/api/v1/isos", {"iso_name": "Ubuntu 24.04", "ftp_server_id": ftp_server.pk}, format="json"
    )
    assert answer.status_code == 409


# ---- failures on the FTP side: a clear error, no half file, the server cleaned up ------


def failed_upload(client, ftp_server, data=None):
    iso_id = create(client, ftp_server)["iso_id"]
    answer = put_file(client, iso_id, data or iso_image(2 * 1024 * 1024))
    assert answer.status_code == 202
    body = answer.json()
    assert body["task"]["state"] == "failed", body["task"]
    assert body["status"] == "failed"
    iso = Iso.objects.get(iso_id=iso_id)
    assert iso.backend_id is None  # never registered as a file on the server
    return body["task"]


def test_disk_full(staff_client, ftp_server, ftpd, staging, run_commit_hooks):
    ftpd.knobs.quota_bytes = 1024 * 1024
    task = failed_upload(staff_client, ftp_server)
    assert task["error_code"] == "disk_full"
    assert ftpd.files() == []
    assert staged_files(staging) == []


def test_permission_denied(staff_client, cloud, read_only_ftpd, staging, run_commit_hooks):
    from portal.isos.tests.conftest import FTP_PASSWORD, FTP_USER
    from portal.isos.tests.factories import FtpServerFactory

    server = FtpServerFactory(
        cloud=cloud, port=read_only_ftpd.port, username=FTP_USER, password=FTP_PASSWORD
    )
    task = failed_upload(staff_client, server)
    assert task["error_code"] == "permission_denied"
    assert read_only_ftpd.files() == []
    assert staged_files(staging) == []


def test_wrong_password(staff_client, ftp_server, ftpd, staging, run_commit_hooks):
    ftp_server.password = "wrong"
    ftp_server.save()
    assert failed_upload(staff_client, ftp_server)["error_code"] == "login_incorrect"
    assert staged_files(staging) == []


def test_server_down(staff_client, ftp_server, ftpd, staging, run_commit_hooks):
    ftpd.stop()
    assert failed_upload(staff_client, ftp_server)["error_code"] == "connection_refused"
    assert staged_files(staging) == []


def test_connection_cut_halfway_is_resumed(staff_client, ftp_server, ftpd, run_commit_hooks):
    ftpd.knobs.drop_after_bytes, ftpd.knobs.drops = 1024 * 1024, 1
    data = iso_image(3 * 1024 * 1024)
    iso_id = create(staff_client, ftp_server)["iso_id"]
    body = put_file(staff_client, iso_id, data).json()
    assert body["task"]["state"] == "succeeded", body["task"]
    assert (ftpd.iso_dir / "Ubuntu_24.04.iso").read_bytes() == data
    assert ftpd.files() == ["Ubuntu_24.04.iso"]


def test_connection_cut_every_time_fails_clean(staff_client, ftp_server, ftpd, run_commit_hooks):
    ftpd.knobs.drop_after_bytes, ftpd.knobs.drops = 512 * 1024, 10
    task = failed_upload(staff_client, ftp_server, iso_image(3 * 1024 * 1024))
    assert task["error_code"] == "connection_lost"
    assert ftpd.files() == []


def test_failed_upload_can_be_retried(staff_client, ftp_server, ftpd, run_commit_hooks):
    ftpd.knobs.quota_bytes = 1024
    failed_upload(staff_client, ftp_server)
    ftpd.knobs.quota_bytes = None
    iso_id = Iso.objects.get().iso_id
    assert put_file(staff_client, iso_id, iso_image()).json()["status"] == "available"


# ---- enable, disable, modify, delete ------------------------------------------------


def test_enable_disable_and_modify(staff_client, ftp_server):
    iso = IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud)
    url = f"/api/v1/isos/{iso.iso_id}"
    assert staff_client.post(f"{url}/disable").json()["enabled"] is False
    assert staff_client.post(f"{url}/enable").json()["enabled"] is True
    changes = {"iso_name": "Rescue", "iso_desc": "tools", "os_type": "linux", "size": 1}
    body = staff_client.patch(url, changes, format="json").json()
    assert (body["iso_name"], body["iso_desc"], body["os_type"]) == ("Rescue", "tools", "linux")
    assert body["size"] == iso.size  # not editable
    assert body["file_name"] == iso.file_name


def test_synced_iso_cannot_be_deleted(staff_client, ftp_server):
    iso = IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud)
    answer = staff_client.delete(f"/api/v1/isos/{iso.iso_id}")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "synced_iso"
    assert "synced" in answer.json()["error"]["message"]


def test_delete_removes_the_file_then_the_iso(staff_client, ftp_server, ftpd, run_commit_hooks):
    iso_id = create(staff_client, ftp_server)["iso_id"]
    put_file(staff_client, iso_id, iso_image())
    answer = staff_client.delete(f"/api/v1/isos/{iso_id}?wait=30")
    assert answer.status_code == 202
    assert answer.json()["task"]["state"] == "succeeded"
    assert ftpd.files() == []
    assert not Iso.objects.exists()


def test_delete_failure_keeps_the_iso(staff_client, ftp_server, ftpd, run_commit_hooks):
    iso_id = create(staff_client, ftp_server)["iso_id"]
    put_file(staff_client, iso_id, iso_image())
    ftpd.stop()
    task = staff_client.delete(f"/api/v1/isos/{iso_id}?wait=30").json()["task"]
    assert (task["state"], task["error_code"]) == ("failed", "connection_refused")
    assert Iso.objects.get().status == "available"


def test_queued_iso_is_deleted_without_touching_the_server(
    staff_client, ftp_server, run_commit_hooks
):
    iso_id = create(staff_client, ftp_server)["iso_id"]
    assert staff_client.delete(f"/api/v1/isos/{iso_id}?wait=30").status_code == 202
    assert not Iso.objects.exists()


def test_list_queries_are_constant(staff_client, ftp_server, django_assert_max_num_queries):
    for _ in range(5):
        IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud)
    with django_assert_max_num_queries(6):
        body = staff_client.get("/api/v1/isos").json()
    assert body["count"] == 5


def test_platform_key_may_manage(platform_client, ftp_server):
    iso = IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud)
    assert platform_client.post(f"/api/v1/isos/{iso.iso_id}/disable").status_code == 200
    assert platform_client.get("/api/v1/isos/nope").status_code == 404


def test_the_schema_documents_the_iso_each_caller_reads(client_of_tenant, staff_client):
    """A tenant reads fewer fields than an operator: the schema offers either shape
    (it documented only the operator's, which a tenant's answer violates)."""
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    iso = IsoFactory()

    either = [ref["$ref"].rsplit("/", 1)[1] for ref in schemas["IsoForCaller"]["anyOf"]]
    for client, shape in ((client_of_tenant, "TenantIso"), (staff_client, "Iso")):
        answer = client.get(f"/api/v1/isos/{iso.iso_id}/").json()
        assert shape in either
        assert set(schemas[shape]["required"]) <= set(answer)
    assert not set(schemas["Iso"]["required"]) <= set(
        client_of_tenant.get(f"/api/v1/isos/{iso.iso_id}/").json()
    )
