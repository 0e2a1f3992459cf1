import hashlib
import json
import os

import pytest
from django_celery_beat.models import PeriodicTask

from portal.clouds.tasks import sync_on_schedule
from portal.core.models import Task
from portal.isos import workflows
from portal.isos.models import Iso
from portal.isos.tests.factories import IsoFactory

pytestmark = pytest.mark.django_db


def sync(client, **body):
    answer = client.post("/api/v1/isos/sync?wait=30", body, format="json")
    assert answer.status_code == 202, answer.json()
    return answer.json()["task"]


def test_sync_adds_updates_and_marks_missing(staff_client, ftp_server, ftpd, run_commit_hooks):
    (ftpd.iso_dir / "ubuntu.iso").write_bytes(b"u" * 100)
    (ftpd.iso_dir / "notes.txt").write_bytes(b"not an iso")
    (ftpd.iso_dir / ".portal-upload-x.iso.part").write_bytes(b"half")
    gone = IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud, file_name="gone.iso")
    task = sync(staff_client)
    assert task["state"] == "succeeded", task
    iso = Iso.objects.get(file_name="ubuntu.iso")
    assert (iso.size, iso.origin, iso.status, iso.iso_name) == (
        100,
        "synced",
        "available",
        "ubuntu.iso",
    )
    assert iso.mtime is not None
    assert iso.checksum == ""  # FTP cannot compute one
    gone.refresh_from_db()
    assert gone.is_missing
    assert Iso.objects.count() == 2

    iso.iso_name = "Ubuntu 24.04"  # the portal's name survives syncs
    iso.save()
    (ftpd.iso_dir / "ubuntu.iso").write_bytes(b"u" * 150)
    assert sync(staff_client)["state"] == "succeeded"
    iso.refresh_from_db()
    assert (iso.size, iso.iso_name) == (150, "Ubuntu 24.04")


def test_unchanged_directory_writes_nothing(ftp_server, ftpd, django_assert_max_num_queries):
    (ftpd.iso_dir / "a.iso").write_bytes(b"a")
    workflows.sync_server_isos(ftp_server)
    with django_assert_max_num_queries(3):
        counts = workflows.sync_server_isos(ftp_server)
    assert (counts.read, counts.created, counts.updated) == (1, 0, 0)


def test_list_falls_back_to_LIST_without_MLSD(ftp_server, ftpd):
    ftpd.knobs.mlsd = False
    (ftpd.iso_dir / "debian 12.iso").write_bytes(b"d" * 10)
    workflows.sync_server_isos(ftp_server)
    iso = Iso.objects.get()
    assert (iso.file_name, iso.size) == ("debian 12.iso", 10)
    assert iso.mtime is not None


def test_same_file_name_on_two_servers_of_one_cloud(cloud, ftp_server, ftpd, tmp_path):
    from portal.isos.tests.conftest import LoopbackFtp
    from portal.isos.tests.factories import FtpServerFactory

    second = LoopbackFtp(tmp_path / "second")
    try:
        other = FtpServerFactory(
            cloud=cloud, port=second.port, username=ftp_server.username,
            password=ftp_server.password,
        )  # fmt: skip
        for directory in (ftpd.iso_dir, second.iso_dir):
            (directory / "same.iso").write_bytes(b"s")
        workflows.sync_server_isos(ftp_server)
        workflows.sync_server_isos(other)
    finally:
        second.stop()
    assert Iso.objects.filter(file_name="same.iso").count() == 2


def test_sync_over_ssh_computes_checksums(ssh_ftp_server, ftpd):
    data = os.urandom(5000)
    (ftpd.iso_dir / "rand.iso").write_bytes(data)
    workflows.sync_server_isos(ssh_ftp_server)
    iso = Iso.objects.get()
    assert iso.checksum == hashlib.sha256(data).hexdigest()
    assert iso.size == 5000


def test_server_down_fails_the_task_and_changes_nothing(
    staff_client, ftp_server, ftpd, run_commit_hooks
):
    iso = IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud)
    ftpd.stop()
    task = sync(staff_client)
    assert (task["state"], task["error_code"]) == ("failed", "connection_refused")
    assert ftp_server.name in task["message"]
    iso.refresh_from_db()
    assert not iso.is_missing


def test_wrong_password_fails_the_task(staff_client, ftp_server, run_commit_hooks):
    ftp_server.password = "wrong"
    ftp_server.save()
    task = sync(staff_client)
    assert (task["state"], task["error_code"]) == ("failed", "login_incorrect")


def test_beat_entry_per_cloud_queues_a_sync(cloud, ftp_server, ftpd, run_commit_hooks):
    entry = PeriodicTask.objects.get(name=f"Sync ISOs of {cloud.name}")
    sync_on_schedule(*json.loads(entry.args))
    task = Task.objects.get(kind="isos.sync")
    assert (task.state, task.requested_by) == ("succeeded", "system:beat")


def test_tenants_may_not_sync(client_of_tenant, cloud):
    assert client_of_tenant.post("/api/v1/isos/sync").status_code == 403


def test_admin_sync_action(client, staff_user, ftp_server, ftpd, run_commit_hooks):
    (ftpd.iso_dir / "a.iso").write_bytes(b"a")
    client.force_login(staff_user)
    client.post(
        "/admin/isos/ftpserver/",
        {"action": "sync_now", "_selected_action": [ftp_server.pk]},
        follow=True,
    )
    assert Iso.objects.filter(file_name="a.iso").exists()
