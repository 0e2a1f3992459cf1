import hashlib

import pytest

from portal.clouds.simulator.faults import inject_fault
from portal.core.models import Task
from portal.images.models import Image, UploadState
from portal.images.tests.uploads import (
    METADATA,
    cloud_images,
    create_image,
    iso_bytes,
    put_file,
    qcow2_bytes,
    staged_files,
    vhd_bytes,
    vmdk_bytes,
)

pytestmark = pytest.mark.django_db


# ---- step 1: metadata ---------------------------------------------------------------


def test_operator_creates_a_queued_uploaded_image(cloud, staff_client):
    body = create_image(staff_client)
    assert body["image_status"] == "queued"
    assert body["upload_state"] == "queued"
    assert (body["origin"], body["uploaded_by"]) == ("uploaded", "operator")
    assert (body["image_name"], body["min_disk"], body["os_version"]) == (
        "ubuntu-24.04",
        10,
        "24.04",
    )
    assert body["region"] == cloud.region


def test_platform_key_upload_records_the_caller(cloud, platform_client):
    body = create_image(platform_client)
    image = Image.objects.get(image_id=body["image_id"])
    assert image.uploaded_by is None
    assert body["uploaded_by"] == image.uploaded_by_actor != ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"image_diskformat": "floppy"}, "image_diskformat"),
        ({"image_containerformat": "zip"}, "image_containerformat"),
        ({"image_name": "x" * 256}, "image_name"),
        ({"image_name": ""}, "image_name"),
        ({"min_disk": -1}, "min_disk"),
        ({"checksum": "not-an-md5"}, "checksum"),
        ({"checksum": "a" * 33}, "checksum"),
    ],
)
def test_bad_metadata_is_refused(cloud, staff_client, changes, field):
    response = staff_client.post("/api/v1/images", {**METADATA, **changes}, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Image.objects.exists()


def test_tenants_may_not_upload(cloud, client_of_tenant, staff_client):
    assert client_of_tenant.post("/api/v1/images", METADATA, format="json").status_code == 403
    image_id = create_image(staff_client)["image_id"]
    assert put_file(client_of_tenant, image_id, qcow2_bytes()).status_code == 403
    # An upload in progress is not offered to tenants at all.
    assert client_of_tenant.get(f"/api/v1/images/{image_id}").status_code == 404


# ---- step 2: the file ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("disk_format", "make"),
    [("qcow2", qcow2_bytes), ("iso", iso_bytes), ("vhd", vhd_bytes), ("vmdk", vmdk_bytes)],
)
def test_whole_file_upload_ends_active_in_the_cloud(
    cloud, staff_client, run_commit_hooks, staging_storage, disk_format, make
):
    data = make()
    image_id = create_image(staff_client, image_diskformat=disk_format)["image_id"]
    response = put_file(staff_client, image_id, data)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["task"]["state"] == "succeeded", body["task"]
    image = Image.objects.get(image_id=image_id)
    assert (image.upload_state, image.status) == (UploadState.ACTIVE, "active")
    assert image.size == len(data)
    assert image.checksum == hashlib.md5(data, usedforsecurity=False).hexdigest()
    in_cloud = cloud_images(cloud).get(backend_id=image.backend_id)
    assert in_cloud.status == "active"
    assert in_cloud.data["properties"]["os_type"] == "linux"
    assert staged_files(staging_storage) == []
    assert image.staged_parts == []


def test_udf_image_is_accepted_as_an_iso(cloud, staff_client, run_commit_hooks):
    # A UDF volume descriptor after sector 16: the ISO upload's rule, now the images' too.
    data = bytearray(qcow2_bytes(64 * 1024))
    data[2048 * 17 + 1 : 2048 * 17 + 6] = b"NSR02"
    image_id = create_image(staff_client, image_diskformat="iso")["image_id"]
    response = put_file(staff_client, image_id, bytes(data))
    assert response.json()["task"]["state"] == "succeeded", response.json()
    assert Image.objects.get(image_id=image_id).upload_state == UploadState.ACTIVE


def test_upload_reports_progress_on_its_task(cloud, staff_client, run_commit_hooks, monkeypatch):
    from portal.images import workflows

    monkeypatch.setattr(workflows, "PROGRESS_EVERY_SECONDS", 0)
    reported = []
    real = workflows.report_progress
    monkeypatch.setattr(
        workflows, "report_progress", lambda task, p, m="": (reported.append(p), real(task, p, m))
    )
    image_id = create_image(staff_client)["image_id"]
    put_file(staff_client, image_id, qcow2_bytes(5 * 1024 * 1024))
    assert reported == sorted(reported)
    assert len(reported) >= 4
    task = Task.objects.get(kind="images.upload", target_id=image_id)
    assert (task.state, task.progress) == ("succeeded", 100)


def test_resumable_upload_in_pieces(cloud, staff_client, run_commit_hooks, staging_storage):
    data = qcow2_bytes(300_000)
    image_id = create_image(staff_client)["image_id"]
    first = put_file(staff_client, image_id, data[:100_000], "bytes 0-99999/300000")
    assert first.status_code == 200
    assert (first.json()["upload_state"], first.json()["received_bytes"]) == ("receiving", 100_000)
    assert len(staged_files(staging_storage)) == 1
    # A piece that does not continue the data says where to go on from.
    wrong = put_file(staff_client, image_id, data[200_000:], "bytes 200000-299999/300000")
    assert wrong.status_code == 409
    assert wrong.json()["error"]["fields"] == {"received_bytes": 100_000}
    second = put_file(staff_client, image_id, data[100_000:200_000], "bytes 100000-199999/300000")
    assert second.status_code == 200
    last = put_file(staff_client, image_id, data[200_000:], "bytes 200000-299999/300000")
    assert last.status_code == 202
    image = Image.objects.get(image_id=image_id)
    assert image.upload_state == UploadState.ACTIVE
    assert image.checksum == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert staged_files(staging_storage) == []


@pytest.mark.parametrize(
    "content_range",
    ["bytes 0-9/20", "bytes=0-99/100", "bytes 5-1/100", "bytes 0-99/50"],
)
def test_bad_content_range_is_refused(cloud, staff_client, staging_storage, content_range):
    image_id = create_image(staff_client)["image_id"]
    response = put_file(staff_client, image_id, qcow2_bytes(100), content_range)
    assert response.status_code == 400
    assert staged_files(staging_storage) == []


def test_a_piece_with_another_total_is_refused(cloud, staff_client):
    data = qcow2_bytes(200)
    image_id = create_image(staff_client)["image_id"]
    put_file(staff_client, image_id, data[:100], "bytes 0-99/200")
    response = put_file(staff_client, image_id, data[100:], "bytes 100-199/300")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_range"


def test_empty_file_is_refused(cloud, staff_client, staging_storage):
    image_id = create_image(staff_client)["image_id"]
    response = put_file(staff_client, image_id, b"")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "empty_file"
    assert Image.objects.get(image_id=image_id).upload_state == UploadState.QUEUED


@pytest.mark.parametrize(
    ("disk_format", "data"),
    [
        ("qcow2", b"\x00" * 4096),
        ("iso", qcow2_bytes(64 * 1024)),
        ("vhd", qcow2_bytes(4096)),
        ("vmdk", iso_bytes()),
    ],
)
def test_file_not_in_its_declared_format_is_refused(
    cloud, staff_client, staging_storage, disk_format, data
):
    image_id = create_image(staff_client, image_diskformat=disk_format)["image_id"]
    response = put_file(staff_client, image_id, data)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "format_mismatch"
    image = Image.objects.get(image_id=image_id)
    # Nothing kept: the image waits for the right file, and the cloud was never asked.
    assert (image.upload_state, image.received_bytes, image.staged_parts) == ("queued", 0, [])
    assert staged_files(staging_storage) == []
    assert not cloud_images(cloud).exists()
    assert put_file(staff_client, image_id, qcow2_bytes()).status_code == (
        202 if disk_format == "qcow2" else 400
    )


def test_second_upload_to_the_same_image_is_refused(cloud, staff_client, run_commit_hooks):
    image_id = create_image(staff_client)["image_id"]
    assert put_file(staff_client, image_id, qcow2_bytes()).status_code == 202
    response = put_file(staff_client, image_id, qcow2_bytes())
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_uploaded"
    assert cloud_images(cloud).count() == 1


def test_synced_image_takes_no_upload(cloud, staff_client):
    from portal.images.tests.factories import ImageFactory

    image = ImageFactory(cloud=cloud)
    assert put_file(staff_client, image.image_id, qcow2_bytes()).status_code == 409


def test_file_over_the_limit_is_refused(cloud, staff_client, settings, staging_storage):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    image_id = create_image(staff_client)["image_id"]
    response = put_file(staff_client, image_id, qcow2_bytes(1001))
    assert response.status_code == 413
    # Announced by Content-Range: refused before a byte is read.
    response = put_file(staff_client, image_id, qcow2_bytes(10), "bytes 0-9/5000")
    assert response.status_code == 413
    assert staged_files(staging_storage) == []


def test_body_shorter_than_announced_leaves_nothing(cloud, staging_storage):
    import io

    from portal.core.errors import ValidationFailed
    from portal.images import uploads
    from portal.images.tests.factories import ImageFactory

    image = ImageFactory(cloud=cloud, origin="uploaded", upload_state="queued", status="queued")
    with pytest.raises(ValidationFailed):
        uploads.receive_upload_piece(image, io.BytesIO(qcow2_bytes(50)), 100)
    assert staged_files(staging_storage) == []
    assert Image.objects.get(pk=image.pk).received_bytes == 0


# ---- the transfer failing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "mode"),
    [
        ("images.upload_image_data", "bad_request"),
        ("images.upload_image_data", "timeout"),
        ("images.upload_image_data", "unavailable"),
        ("images.get_image", "fail"),
        ("images.create_image", "unavailable"),
    ],
)
def test_cloud_failure_fails_the_task_and_leaves_nothing(
    cloud, staff_client, run_commit_hooks, staging_storage, operation, mode
):
    cloud.options = {**cloud.options, "timeout_seconds": 0}
    cloud.save()
    inject_fault(cloud, operation, mode=mode)
    image_id = create_image(staff_client)["image_id"]
    response = put_file(staff_client, image_id, qcow2_bytes())
    assert response.status_code == 202
    task = response.json()["task"]
    assert task["state"] == "failed"
    assert task["message"]
    assert task["error_code"]
    image = Image.objects.get(image_id=image_id)
    assert (image.upload_state, image.backend_id) == (UploadState.FAILED, None)
    assert not cloud_images(cloud).exists()
    assert staged_files(staging_storage) == []
    # A failed upload is not retried into the same image.
    assert put_file(staff_client, image_id, qcow2_bytes()).status_code == 409


def test_cloud_copy_that_differs_is_removed(cloud, staff_client, run_commit_hooks):
    # The cloud keeps other bytes than it was sent: its checksum differs from the data's.
    inject_fault(cloud, "images.upload_image_data", mode="corrupt")
    image_id = create_image(staff_client)["image_id"]
    task = put_file(staff_client, image_id, qcow2_bytes()).json()["task"]
    assert (task["state"], task["error_code"]) == ("failed", "checksum_mismatch")
    assert not cloud_images(cloud).exists()


def hashing_of_transfers(monkeypatch):
    """Whether each transfer's staged stream hashed what it read, in order."""
    from portal.images import workflows

    seen, real = [], workflows._staged_stream

    def staged_stream(image):
        stream = real(image)
        seen.append(stream.md5 is not None)
        return stream

    monkeypatch.setattr(workflows, "_staged_stream", staged_stream)
    return seen


def test_a_declared_checksum_spares_the_worker_the_hashing(
    cloud, staff_client, run_commit_hooks, staging_storage, monkeypatch
):
    hashed = hashing_of_transfers(monkeypatch)
    data = qcow2_bytes(300_000)
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    image_id = create_image(staff_client, checksum=md5.upper())["image_id"]
    assert put_file(staff_client, image_id, data).json()["task"]["state"] == "succeeded"
    image = Image.objects.get(image_id=image_id)
    assert (image.upload_state, image.checksum) == (UploadState.ACTIVE, md5)
    assert hashed == [False]
    # Without one the worker hashes the data itself.
    image_id = create_image(staff_client)["image_id"]
    assert put_file(staff_client, image_id, data).json()["task"]["state"] == "succeeded"
    assert hashed == [False, True]


def test_a_copy_that_differs_from_the_declared_checksum_is_removed(
    cloud, staff_client, run_commit_hooks, staging_storage
):
    data = qcow2_bytes(300_000)
    declared = hashlib.md5(data[:-1], usedforsecurity=False).hexdigest()
    image_id = create_image(staff_client, checksum=declared)["image_id"]
    task = put_file(staff_client, image_id, data).json()["task"]
    assert (task["state"], task["error_code"]) == ("failed", "checksum_mismatch")
    assert declared in task["message"]
    assert Image.objects.get(image_id=image_id).upload_state == UploadState.FAILED
    assert not cloud_images(cloud).exists()
    assert staged_files(staging_storage) == []


def test_wait_returns_the_image_as_it_ended(cloud, staff_client, run_commit_hooks):
    image_id = create_image(staff_client)["image_id"]
    response = put_file(staff_client, image_id, qcow2_bytes(), query="?wait=5")
    assert response.status_code == 202
    assert response.json()["image_status"] == "active"
    assert put_file(staff_client, image_id, b"x", query="?wait=99").status_code == 400


# ---- janitors -----------------------------------------------------------------------


def test_abandoned_upload_pieces_are_removed(cloud, staff_client, staging_storage, settings):
    from datetime import timedelta

    from django.utils import timezone

    from portal.images import workflows

    settings.IMAGE_UPLOAD_ABANDON_HOURS = 2
    data = qcow2_bytes(200)
    stale_id = create_image(staff_client)["image_id"]
    put_file(staff_client, stale_id, data[:100], "bytes 0-99/200")
    fresh_id = create_image(staff_client, image_name="fresh")["image_id"]
    put_file(staff_client, fresh_id, data[:100], "bytes 0-99/200")
    Image.objects.filter(image_id=stale_id).update(updated=timezone.now() - timedelta(hours=3))
    assert workflows.discard_abandoned_uploads() == 1
    stale = Image.objects.get(image_id=stale_id)
    assert (stale.upload_state, stale.received_bytes, stale.staged_parts) == ("queued", 0, [])
    assert len(staged_files(staging_storage)) == 1  # the fresh upload's piece
    assert Image.objects.get(image_id=fresh_id).upload_state == "receiving"
    # The abandoned one can start over.
    assert put_file(staff_client, stale_id, data, "bytes 0-199/200").status_code == 202


def test_stuck_transfer_is_failed_and_its_data_removed(cloud, staff_client, staging_storage):
    from datetime import timedelta

    from django.utils import timezone

    from portal.core.services import fail_stuck_tasks

    image_id = create_image(staff_client)["image_id"]
    # Without commit hooks the transfer job is never sent: it stays queued, as if lost.
    assert put_file(staff_client, image_id, qcow2_bytes()).status_code == 202
    Image.objects.filter(image_id=image_id).update(backend_id="left-in-cloud")
    Task.objects.filter(target_id=image_id).update(deadline=timezone.now() - timedelta(1))
    assert fail_stuck_tasks() == 1
    image = Image.objects.get(image_id=image_id)
    assert (image.upload_state, image.backend_id) == ("failed", "left-in-cloud")
    assert staged_files(staging_storage) == []


def test_wrong_format_is_refused_once_its_first_bytes_are_in(cloud, staff_client, staging_storage):
    data = bytes(200_000)  # not a qcow2 file
    image_id = create_image(staff_client)["image_id"]
    first = put_file(staff_client, image_id, data[:40_000], "bytes 0-39999/200000")
    assert first.status_code == 200  # 40 kB is not enough to judge the first 64 kB
    second = put_file(staff_client, image_id, data[40_000:80_000], "bytes 40000-79999/200000")
    assert second.status_code == 400
    assert second.json()["error"]["code"] == "format_mismatch"
    assert staged_files(staging_storage) == []
    assert Image.objects.get(image_id=image_id).received_bytes == 0


def test_vhd_is_judged_only_at_its_end(cloud, staff_client, run_commit_hooks):
    data = vhd_bytes(200_000)  # the signature is in the footer
    image_id = create_image(staff_client, image_diskformat="vhd")["image_id"]
    assert (
        put_file(staff_client, image_id, data[:100_000], "bytes 0-99999/200000").status_code == 200
    )
    last = put_file(staff_client, image_id, data[100_000:], "bytes 100000-199999/200000")
    assert last.status_code == 202


def test_redelivered_transfer_starts_over_without_a_second_cloud_image(
    cloud, staff_client, staging_storage
):
    from portal.clouds.drivers import get_driver
    from portal.images import tasks

    image_id = create_image(staff_client)["image_id"]
    put_file(staff_client, image_id, qcow2_bytes())  # the job is not run (no commit hooks)
    image = Image.objects.get(image_id=image_id)
    first = get_driver(cloud).images.create_image("first attempt", "qcow2", "bare")
    Image.objects.filter(pk=image.pk).update(backend_id=first.id)
    task = Task.objects.get(kind="images.upload", target_id=image_id)
    Task.objects.filter(pk=task.pk).update(state="running")  # the first delivery claimed it
    tasks.transfer_image(str(task.pk), image.pk)
    task.refresh_from_db()
    assert task.state == "succeeded"
    assert list(cloud_images(cloud).values_list("status", flat=True)) == ["active"]
    # Once it ended, a further delivery changes nothing.
    tasks.transfer_image(str(task.pk), image.pk)
    assert cloud_images(cloud).count() == 1
