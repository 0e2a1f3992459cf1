"""Mounting ISOs on servers and unmounting them, on the simulator (the ISO is read from
the loopback FTP server into the simulated Glance)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.clouds.drivers import get_driver
from portal.clouds.simulator.faults import inject_fault
from portal.clouds.simulator.models import SimulatedObject
from portal.core.models import Task
from portal.core.services import fail_stuck_tasks
from portal.images.models import Image
from portal.isos.models import Iso
from portal.isos.tests.factories import IsoFactory
from portal.servers.cdrom.models import IsoMount
from portal.servers.models import Server
from portal.servers.tests.cdrom.conftest import cloud_volumes
from portal.servers.tests.factories import ServerFactory
from portal.tenants.credentials import tenant_credentials
from portal.tenants.models import TenantIdentity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_commit_hooks")]

Kind = SimulatedObject.Kind


def cdrom(server):
    return f"/api/v1/instances/{server.instance_id}/cdrom"


def mount(client, server, iso, expect=202, wait=30):
    answer = client.post(f"{cdrom(server)}?wait={wait}", {"iso_id": iso.iso_id}, format="json")
    assert answer.status_code == expect, answer.content
    return answer.json()


def unmount(client, server, expect=202):
    answer = client.delete(f"{cdrom(server)}?wait=30")
    assert answer.status_code == expect, answer.content
    return answer.json()


def iso_images(cloud):
    return SimulatedObject.objects.filter(cloud=cloud, kind=Kind.IMAGE, data__disk_format="iso")


def assert_unlocked(server):
    server.refresh_from_db()
    assert not server.locked


# ---- the happy path ------------------------------------------------------------------


def test_the_registered_iso_is_never_offered_as_a_boot_image(
    client_of_tenant, staff_client, server, iso, cloud
):
    mount(client_of_tenant, server, iso)
    iso.refresh_from_db()

    answer = staff_client.post("/api/v1/images/sync?wait=30", {}, format="json")

    assert answer.json()["task"]["state"] == "succeeded"
    assert not Image.objects.filter(backend_id=iso.glance_image_id).exists()
    listed = client_of_tenant.get("/api/v1/images?page_size=100").json()["images"]
    assert iso.glance_image_id not in {image["image_id"] for image in listed}


def test_mount_then_unmount(client_of_tenant, staff_client, server, iso, cloud):
    body = mount(client_of_tenant, server, iso)
    assert body["task"]["state"] == "succeeded", body["task"]
    assert (body["status"], body["iso_id"], body["device"]) == ("attached", iso.iso_id, "/dev/vdb")
    assert_unlocked(server)
    volume = cloud_volumes(cloud).get()
    assert (volume.status, volume.parent_id) == ("in-use", server.backend_id)
    iso.refresh_from_db()
    assert iso.glance_image_id
    assert iso_images(cloud).get().backend_id == iso.glance_image_id
    shown = client_of_tenant.get(cdrom(server))
    assert shown.status_code == 200
    assert shown.json()["volume_id"] == volume.backend_id
    listed = staff_client.get(f"/api/v1/isos/{iso.iso_id}").json()
    assert listed["mounted_on"] == [server.instance_id]
    tasks = Task.objects.filter(target_type="server", target_id=server.instance_id)
    assert tasks.get().kind == "isos.mount"

    body = unmount(client_of_tenant, server)
    assert (body["task"]["state"], body["status"]) == ("succeeded", "detached")
    assert not cloud_volumes(cloud).exists()
    assert not IsoMount.objects.exists()
    assert_unlocked(server)
    assert client_of_tenant.get(cdrom(server)).json()["error"]["code"] == "no_cdrom"


def test_later_mounts_reuse_the_registration(client_of_tenant, server, iso, cloud, ftpd):
    mount(client_of_tenant, server, iso)
    unmount(client_of_tenant, server)
    (ftpd.iso_dir / iso.file_name).unlink()  # a second registration would need the file
    body = mount(client_of_tenant, server, iso)
    assert body["task"]["state"] == "succeeded", body["task"]
    assert iso_images(cloud).count() == 1


def test_operator_mounts_a_tenants_server(staff_client, server, iso):
    body = mount(staff_client, server, iso)
    assert body["task"]["state"] == "succeeded", body["task"]


def test_mount_on_a_stopped_server(client_of_tenant, server, iso, cloud):
    get_driver(cloud).compute.stop_server(server.backend_id)
    Server.objects.filter(pk=server.pk).update(runtime_state="SHUTOFF")
    assert mount(client_of_tenant, server, iso)["task"]["state"] == "succeeded"


# ---- refusals ------------------------------------------------------------------------


def test_one_iso_per_server(client_of_tenant, server, iso, ftp_server):
    mount(client_of_tenant, server, iso)
    other = IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud)
    body = mount(client_of_tenant, server, other, expect=409)
    assert body["error"]["code"] == "cdrom_in_use"


def test_disabled_iso_is_422(client_of_tenant, server, iso):
    Iso.objects.filter(pk=iso.pk).update(enabled=False)
    body = mount(client_of_tenant, server, iso, expect=422)
    assert body["error"]["code"] == "iso_disabled"
    assert not IsoMount.objects.exists()
    assert_unlocked(server)


def test_iso_not_available_is_422(client_of_tenant, server, iso):
    Iso.objects.filter(pk=iso.pk).update(missing_since=timezone.now())
    assert mount(client_of_tenant, server, iso, expect=422)["error"]["code"] == "iso_unavailable"


def test_unknown_iso_is_400(client_of_tenant, server):
    answer = client_of_tenant.post(cdrom(server), {"iso_id": "nope"}, format="json")
    assert answer.status_code == 400
    assert "iso_id" in answer.json()["error"]["fields"]


def test_server_busy_is_409(client_of_tenant, server, iso):
    Server.objects.filter(pk=server.pk).update(locked=True)
    assert mount(client_of_tenant, server, iso, expect=409)["error"]["code"] == "locked"
    assert not IsoMount.objects.exists()


def test_server_in_wrong_state_is_409(client_of_tenant, server, iso):
    Server.objects.filter(pk=server.pk).update(runtime_state="SUSPENDED")
    assert mount(client_of_tenant, server, iso, expect=409)["error"]["code"] == "invalid_state"


def test_unmount_without_iso_is_404(client_of_tenant, server):
    assert unmount(client_of_tenant, server, expect=404)["error"]["code"] == "no_cdrom"


def test_mounted_iso_cannot_be_deleted(client_of_tenant, staff_client, server, iso):
    Iso.objects.filter(pk=iso.pk).update(origin=Iso.Origin.UPLOADED)
    mount(client_of_tenant, server, iso)
    answer = staff_client.delete(f"/api/v1/isos/{iso.iso_id}")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "iso_mounted"
    assert server.instance_id in answer.json()["error"]["message"]


def test_other_tenants_server_is_404(client_of_other_tenant, server, iso):
    assert client_of_other_tenant.get(cdrom(server)).status_code == 404
    assert mount(client_of_other_tenant, server, iso, expect=404)
    assert unmount(client_of_other_tenant, server, expect=404)
    assert not IsoMount.objects.exists()


def test_deleted_server_is_404(client_of_tenant, tenant, cloud, iso):
    gone = ServerFactory(tenant=tenant, cloud=cloud, status=Server.Status.DELETED)
    assert mount(client_of_tenant, gone, iso, expect=404)


# ---- failures: cleaned up, nothing left locked -------------------------------------------


def assert_failed_clean(body, server, cloud, code=None):
    assert body["task"]["state"] == "failed", body["task"]
    if code:
        assert body["task"]["error_code"] == code
    assert body["status"] == "failed"
    assert body["status_message"]
    assert not cloud_volumes(cloud).exists()
    assert_unlocked(server)


@pytest.mark.parametrize(
    ("operation", "mode"),
    [
        ("volumes.create_volume", "unavailable"),
        ("volumes.create_volume", "quota"),
        ("volumes.attach_volume", "conflict"),
        ("volumes.attach_volume", "unavailable"),
    ],
)
def test_cloud_failure_cleans_up(client_of_tenant, server, iso, cloud, operation, mode):
    inject_fault(cloud, operation, mode=mode)
    body = mount(client_of_tenant, server, iso)
    assert_failed_clean(body, server, cloud)
    # The registration is kept for the next try, which works (the failed row is history).
    body = mount(client_of_tenant, server, iso)
    assert body["task"]["state"] == "succeeded", body["task"]
    assert IsoMount.objects.filter(status="failed").count() == 1


def test_ftp_down_fails_the_registration_cleanly(client_of_tenant, server, iso, cloud, ftpd):
    ftpd.stop()
    body = mount(client_of_tenant, server, iso)
    assert_failed_clean(body, server, cloud, code="connection_refused")
    iso.refresh_from_db()
    assert iso.glance_image_id == ""
    assert not iso_images(cloud).exists()


def test_glance_upload_failure_removes_the_image(client_of_tenant, server, iso, cloud):
    inject_fault(cloud, "images.upload_image_data", mode="unavailable")
    body = mount(client_of_tenant, server, iso)
    assert_failed_clean(body, server, cloud)
    assert not iso_images(cloud).exists()
    assert Iso.objects.get(pk=iso.pk).glance_image_id == ""


def test_a_deleted_registration_is_made_again(client_of_tenant, server, iso, cloud):
    mount(client_of_tenant, server, iso)
    unmount(client_of_tenant, server)
    iso.refresh_from_db()
    get_driver(cloud).images.delete_image(iso.glance_image_id)
    assert mount(client_of_tenant, server, iso)["task"]["state"] == "succeeded"
    assert iso_images(cloud).count() == 1


def test_tenant_not_set_up_releases_the_server(client_of_tenant, server, iso, tenant):
    TenantIdentity.objects.filter(tenant=tenant).delete()
    body = mount(client_of_tenant, server, iso)
    assert (body["task"]["state"], body["status"]) == ("failed", "failed")
    assert_unlocked(server)


def test_detach_failure_keeps_the_mount(client_of_tenant, server, iso, cloud):
    mount(client_of_tenant, server, iso)
    inject_fault(cloud, "volumes.detach_volume", mode="unavailable")
    body = unmount(client_of_tenant, server)
    assert (body["task"]["state"], body["status"]) == ("failed", "attached")
    assert cloud_volumes(cloud).get().status == "in-use"
    assert_unlocked(server)
    assert unmount(client_of_tenant, server)["task"]["state"] == "succeeded"


def test_delete_failure_after_detach_names_the_volume(client_of_tenant, server, iso, cloud):
    mount(client_of_tenant, server, iso)
    inject_fault(cloud, "volumes.delete_volume", mode="unavailable")
    body = unmount(client_of_tenant, server)
    assert body["task"]["state"] == "failed"
    assert body["volume_id"] in body["task"]["message"]
    assert not IsoMount.objects.exists()
    assert_unlocked(server)


# ---- the stuck-task janitor ----------------------------------------------------------------


def test_stuck_mount_is_released(client_of_tenant, server, iso, settings, monkeypatch):
    from portal.servers import tasks

    monkeypatch.setattr(tasks.mount_iso, "apply_async", lambda *a, **k: type("R", (), {"id": ""}))
    body = mount(client_of_tenant, server, iso, wait=0)
    assert body["task"]["state"] == "queued"
    assert fail_stuck_tasks(now=timezone.now() + timedelta(days=1)) == 1
    mount_row = IsoMount.objects.get()
    assert mount_row.status == "failed"
    assert_unlocked(server)


def test_stuck_unmount_keeps_the_mount(client_of_tenant, server, iso, monkeypatch):
    from portal.servers import tasks

    mount(client_of_tenant, server, iso)
    monkeypatch.setattr(tasks.unmount_iso, "apply_async", lambda *a, **k: type("R", (), {"id": ""}))
    client_of_tenant.delete(cdrom(server))
    assert fail_stuck_tasks(now=timezone.now() + timedelta(days=1)) == 1
    assert IsoMount.objects.get().status == "attached"
    assert_unlocked(server)


# ---- tenants choose ISOs -------------------------------------------------------------------


def test_tenants_list_mountable_isos_only(client_of_tenant, ftp_server, iso):
    IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud, enabled=False)
    IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud, status=Iso.Status.UPLOADING)
    answer = client_of_tenant.get("/api/v1/isos")
    assert answer.status_code == 200
    listed = answer.json()["isos"]
    assert [item["iso_id"] for item in listed] == [iso.iso_id]
    assert "mounted_on" not in listed[0]
    assert "ftp_server_id" not in listed[0]
    assert client_of_tenant.get(f"/api/v1/isos/{iso.iso_id}").status_code == 200
    assert client_of_tenant.delete(f"/api/v1/isos/{iso.iso_id}").status_code == 403
    assert client_of_tenant.post(f"/api/v1/isos/{iso.iso_id}/disable").status_code == 403


def test_operator_list_shows_mounts_in_constant_queries(
    staff_client, ftp_server, tenant, cloud, django_assert_max_num_queries
):
    for _ in range(5):
        disc = IsoFactory(ftp_server=ftp_server, cloud=cloud)
        IsoMount.objects.create(iso=disc, server=ServerFactory(tenant=tenant, cloud=cloud))
    with django_assert_max_num_queries(7):
        body = staff_client.get("/api/v1/isos").json()
    assert all(len(item["mounted_on"]) == 1 for item in body["isos"])


# ---- the server goes ---------------------------------------------------------------------


def test_deleting_the_server_deletes_its_cd_volume(client_of_tenant, server, iso, cloud):
    from portal.servers.services import delete_server

    mount(client_of_tenant, server, iso)
    delete_server(server, actor="test")
    server.refresh_from_db()
    assert server.status == Server.Status.DELETED
    assert not cloud_volumes(cloud).exists()
    assert not IsoMount.objects.exists()
    release = Task.objects.get(kind="isos.release")
    assert release.state == "succeeded", release.message
    server.refresh_from_db()
    assert server.current_task.kind == "server.delete"


def test_cd_volume_the_cloud_keeps_fails_the_mount(client_of_tenant, server, iso, cloud):
    from portal.servers.services import delete_server

    mount(client_of_tenant, server, iso)
    inject_fault(cloud, "volumes.delete_volume", mode="unavailable")
    delete_server(server, actor="test")
    failed = IsoMount.objects.get()
    assert failed.status == "failed"
    assert failed.volume_id in failed.status_message
    assert Task.objects.get(kind="isos.release").state == "failed"


def test_redelivered_mount_job_starts_over_cleanly(
    client_of_tenant, server, iso, cloud, tenant, monkeypatch
):
    from portal.servers import tasks

    monkeypatch.setattr(tasks.mount_iso, "apply_async", lambda *a, **k: type("R", (), {"id": ""}))
    mount(client_of_tenant, server, iso, wait=0)
    # The first attempt made a volume, then its worker died.
    identity = TenantIdentity.objects.get(tenant=tenant)
    driver = get_driver(cloud, tenant_credentials(identity))
    first = driver.volumes.create_volume("cdrom-first-attempt", 1)
    row = IsoMount.objects.get()
    IsoMount.objects.filter(pk=row.pk).update(volume_id=first.id)
    monkeypatch.undo()
    tasks.mount_iso(str(row.task_id))
    row.refresh_from_db()
    assert (row.status, row.task.state) == ("attached", "succeeded")
    assert [volume.backend_id for volume in cloud_volumes(cloud)] == [row.volume_id]
    assert row.volume_id != first.id


# ---- concurrency ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_mounts_on_one_server_let_one_through(tenant, server, ftp_server, monkeypatch):
    """Ten mounts of ten ISOs on one server at once: one accepted, nine refused with 409
    (the job is not run here), one mount recorded, the server locked once."""
    import threading

    from django.db import connection

    from conftest import tenant_client
    from portal.servers import tasks

    monkeypatch.setattr(tasks.mount_iso, "apply_async", lambda *a, **k: type("R", (), {"id": ""}))
    isos = [IsoFactory(ftp_server=ftp_server, cloud=ftp_server.cloud) for _ in range(10)]
    clients = [tenant_client(tenant) for _ in isos]
    barrier = threading.Barrier(len(isos))
    codes, errors = [], []

    def post(client, disc):
        try:
            barrier.wait()
            answer = client.post(cdrom(server), {"iso_id": disc.iso_id}, format="json")
            codes.append(answer.status_code)
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=pair) for pair in zip(clients, isos, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(codes) == [202] + [409] * 9
    assert IsoMount.objects.filter(server=server).count() == 1
