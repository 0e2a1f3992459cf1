"""The two legs of an upload overlap: the transfer to the cloud starts once the head of
the file is staged and reads later pieces as they arrive."""

import hashlib
import io
from contextlib import contextmanager

import pytest
from django.db.models.signals import post_save

from portal.core.models import Task
from portal.images import uploads, workflows
from portal.images.models import DELETE_KIND, UPLOAD_KIND, Image, UploadState
from portal.images.tests.uploads import (
    cloud_images,
    create_image,
    put_file,
    qcow2_bytes,
    staged_files,
    vhd_bytes,
)

pytestmark = pytest.mark.django_db

PIECE = 100_000


@pytest.fixture(autouse=True)
def early_transfer(settings):
    """Start the transfer as soon as the head is in (the test pieces are small)."""
    settings.IMAGE_TRANSFER_START_BYTES = 1


def pieces_of(data):
    for start in range(0, len(data), PIECE):
        end = min(start + PIECE, len(data)) - 1
        yield start, data[start : end + 1], f"bytes {start}-{end}/{len(data)}"


def deliver_while_waiting(monkeypatch, image_id, later_pieces, seen_states):
    """While the transfer waits for its next piece, the client sends one (the transfer
    runs in-line: Celery is eager in the unit tests)."""
    later = list(later_pieces)

    def pause(seconds):
        image = Image.objects.get(image_id=image_id)
        seen_states.append((image.upload_state, image.received_bytes, bool(image.backend_id)))
        if later:
            _start, body, content_range = later.pop(0)
            uploads.receive_upload_piece(image, io.BytesIO(body), len(body), content_range)

    monkeypatch.setattr(workflows, "_pause", pause)


def test_transfer_starts_before_the_last_piece(cloud, staff_client, staging_storage):
    data = qcow2_bytes(300_000)
    image_id = create_image(staff_client)["image_id"]
    first, *rest = pieces_of(data)
    # Without commit hooks the transfer job is queued, not run: the legs are visible.
    response = put_file(staff_client, image_id, first[1], first[2])
    assert response.status_code == 202
    task_id = response.json()["task"]["task_id"]
    for _start, body, content_range in rest:
        later = put_file(staff_client, image_id, body, content_range)
        assert later.status_code == 202
        assert later.json()["task"]["task_id"] == task_id  # the one transfer, under way
        assert later.json()["upload_state"] == "transferring"
    image = Image.objects.get(image_id=image_id)
    assert (image.received_bytes, len(image.staged_parts)) == (300_000, 3)
    # A piece after the last one is refused.
    assert put_file(staff_client, image_id, data[:10], "bytes 0-9/300000").status_code == 409


def test_transfer_reads_pieces_as_they_arrive(
    cloud, staff_client, run_commit_hooks, staging_storage, monkeypatch
):
    data = qcow2_bytes(300_000)
    image_id = create_image(staff_client)["image_id"]
    first, *rest = pieces_of(data)
    seen = []
    deliver_while_waiting(monkeypatch, image_id, rest, seen)
    response = put_file(staff_client, image_id, first[1], first[2])
    assert response.status_code == 202
    assert response.json()["task"]["state"] == "succeeded", response.json()["task"]
    # The cloud image existed while pieces were still coming.
    assert seen[0] == (UploadState.TRANSFERRING, PIECE, True)
    image = Image.objects.get(image_id=image_id)
    assert (image.upload_state, image.size, image.received_bytes) == ("active", 300_000, 300_000)
    assert image.checksum == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert cloud_images(cloud).get().status == "active"
    assert staged_files(staging_storage) == []
    assert image.staged_parts == []


def test_upload_cut_off_during_the_transfer_cleans_up(
    cloud, staff_client, run_commit_hooks, staging_storage, settings
):
    settings.IMAGE_UPLOAD_PIECE_WAIT_SECONDS = 0
    data = qcow2_bytes(300_000)
    image_id = create_image(staff_client)["image_id"]
    response = put_file(staff_client, image_id, data[:PIECE], f"bytes 0-{PIECE - 1}/300000")
    task = response.json()["task"]
    assert (task["state"], task["error_code"]) == ("failed", "upload_cut_off")
    image = Image.objects.get(image_id=image_id)
    assert (image.upload_state, image.backend_id) == (UploadState.FAILED, None)
    assert not cloud_images(cloud).exists()
    assert staged_files(staging_storage) == []
    late = put_file(staff_client, image_id, data[PIECE:], f"bytes {PIECE}-299999/300000")
    assert late.status_code == 409
    assert staged_files(staging_storage) == []


def test_deletion_during_the_transfer_cuts_the_upload_off(
    cloud, staff_client, run_commit_hooks, staging_storage, monkeypatch
):
    data = qcow2_bytes(300_000)
    image_id = create_image(staff_client)["image_id"]

    def delete_while_waiting(seconds):
        image = Image.objects.filter(image_id=image_id).first()
        if image is not None:
            assert cloud_images(cloud).filter(backend_id=image.backend_id).exists()
            uploads.request_image_deletion(image)

    monkeypatch.setattr(workflows, "_pause", delete_while_waiting)
    response = put_file(staff_client, image_id, data[:PIECE], f"bytes 0-{PIECE - 1}/300000")
    assert response.json()["task"]["state"] == "failed"
    assert not Image.objects.filter(image_id=image_id).exists()
    assert Task.objects.get(kind=DELETE_KIND).state == "succeeded"
    assert not cloud_images(cloud).exists()
    assert staged_files(staging_storage) == []


def test_transferring_image_with_all_its_data_is_not_deleted(cloud, staff_client):
    image_id = create_image(staff_client)["image_id"]
    # Without commit hooks the transfer stays queued with every byte staged.
    assert put_file(staff_client, image_id, qcow2_bytes()).status_code == 202
    assert staff_client.delete(f"/api/v1/images/{image_id}").status_code == 409


def test_vhd_with_a_wrong_footer_fails_its_transfer(
    cloud, staff_client, run_commit_hooks, staging_storage, monkeypatch
):
    data = vhd_bytes(200_000)[:-512] + bytes(512)  # no "conectix" footer
    image_id = create_image(staff_client, image_diskformat="vhd")["image_id"]
    first, *rest = pieces_of(data)
    deliver_while_waiting(monkeypatch, image_id, rest, [])
    response = put_file(staff_client, image_id, first[1], first[2])
    task = response.json()["task"]
    # The simulator, like a Glance that inspects formats, may refuse it before the portal.
    assert task["state"] == "failed"
    assert task["error_code"] in ("format_mismatch", "bad_request")
    assert Image.objects.get(image_id=image_id).upload_state == UploadState.FAILED
    assert not cloud_images(cloud).exists()
    assert staged_files(staging_storage) == []


def test_wrong_head_is_refused_before_the_transfer_starts(cloud, staff_client, staging_storage):
    data = bytes(300_000)  # not a qcow2 file
    image_id = create_image(staff_client)["image_id"]
    response = put_file(staff_client, image_id, data[:PIECE], f"bytes 0-{PIECE - 1}/300000")
    assert response.status_code == 400
    assert not Task.objects.filter(kind=UPLOAD_KIND).exists()
    assert not cloud_images(cloud).exists()
    assert staged_files(staging_storage) == []


def test_staged_data_reads_pieces_that_arrive_later(staging_storage):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from portal.images.pieces import StagedData

    names = [default_storage.save(f"t/{n}.part", ContentFile(b"ab" * 600)) for n in range(3)]
    asked = []

    def more_parts(listed):
        asked.append(listed)
        return names[listed : listed + 1]

    with StagedData(names[:1], size=3600, more_parts=more_parts, head_size=4, tail_size=3) as data:
        read = b"".join(iter(lambda: data.read(500), b""))
    assert read == b"ab" * 1800
    assert (asked, data.head, data.tail) == ([1, 2], b"abab", b"bab")


def test_file_whose_end_is_wrong_is_refused_by_the_portal(staging_storage):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from portal.core.errors import Unprocessable

    data = vhd_bytes(4096)
    image = Image(disk_format="vhd", upload_size=len(data))
    for body, fine in ((data, True), (data[:-512] + bytes(512), False)):
        image.staged_parts = [default_storage.save("t/vhd.part", ContentFile(body))]
        with workflows._staged_stream(image) as read:
            while read.read():
                pass
        if fine:
            workflows._verify_format(image, read)
        else:
            with pytest.raises(Unprocessable):
                workflows._verify_format(image, read)


@contextmanager
def bytes_received_when_transfers_are_queued():
    """The image's received bytes, as saved, each time an upload Task (its transfer job)
    is created."""
    queued_at = []

    def record(sender, instance, created, **kwargs):
        if created and instance.kind == UPLOAD_KIND:
            queued_at.append(Image.objects.get(image_id=instance.target_id).received_bytes)

    post_save.connect(record, sender=Task)
    try:
        yield queued_at
    finally:
        post_save.disconnect(record, sender=Task)


def test_long_body_is_staged_in_parts_the_transfer_reads_as_they_land(
    cloud, staff_client, staging_storage, settings
):
    from portal.images import tasks

    settings.IMAGE_STAGE_PART_BYTES = PIECE
    data = qcow2_bytes(300_000)
    image_id = create_image(staff_client)["image_id"]
    # One PUT without Content-Range; the transfer job is queued after its first part.
    with bytes_received_when_transfers_are_queued() as queued_at:
        response = put_file(staff_client, image_id, data)
    assert response.status_code == 202
    assert queued_at == [PIECE]
    image = Image.objects.get(image_id=image_id)
    assert (image.upload_state, image.received_bytes, len(image.staged_parts)) == (
        UploadState.TRANSFERRING, 300_000, 3,
    )  # fmt: skip
    tasks.transfer_image(response.json()["task"]["task_id"], image.pk)
    image.refresh_from_db()
    assert (image.upload_state, image.size) == (UploadState.ACTIVE, 300_000)
    assert image.checksum == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert staged_files(staging_storage) == []


def test_body_cut_off_keeps_its_whole_parts_for_a_resume(cloud, staff_client, settings):
    from portal.core.errors import ValidationFailed

    settings.IMAGE_STAGE_PART_BYTES = PIECE
    data = qcow2_bytes(300_000)
    image = Image.objects.get(image_id=create_image(staff_client)["image_id"])
    with pytest.raises(ValidationFailed):
        uploads.receive_upload_piece(image, io.BytesIO(data[:150_000]), 300_000)
    image.refresh_from_db()
    assert (image.received_bytes, len(image.staged_parts)) == (PIECE, 1)
    rest = put_file(staff_client, image.image_id, data[PIECE:], f"bytes {PIECE}-299999/300000")
    assert rest.status_code == 202
    image.refresh_from_db()
    assert (image.received_bytes, len(image.staged_parts)) == (300_000, 3)
