"""The images jobs' work, run by the Celery jobs of tasks.py with a cloud driver: the
image pull, the transfer of an upload to its cloud, deleting an uploaded image, and
removing uploads their client gave up on. The request side (uploads.py) queues them."""

import contextlib
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.clouds.errors import CloudNotFound
from portal.clouds.formats import HEAD_BYTES, TAIL_BYTES, content_matches
from portal.clouds.mirror import CloudMirror, SyncCounts, pages
from portal.core import staging
from portal.core.errors import Conflict, Unprocessable
from portal.core.services import on_task_abandoned, report_progress
from portal.core.task_messages import TaskMessage
from portal.images import pieces
from portal.images.models import UPLOAD_KIND, Image, UploadState
from portal.images.task_messages import ImageMessages as M

logger = logging.getLogger(__name__)

# The transfer reports progress at most this often (seconds) or per this many percent.
PROGRESS_EVERY_SECONDS = 1.0
# An upload that received nothing for this long is abandoned: its pieces are removed.
DEFAULT_ABANDON_AFTER_HOURS = 24
# A transfer under way waits this long (seconds) for the next piece before it calls the
# upload cut off (settings.IMAGE_UPLOAD_PIECE_WAIT_SECONDS), asking every POLL seconds.
DEFAULT_PIECE_WAIT_SECONDS = 600
PIECE_POLL_SECONDS = 0.05
# Image properties the portal keeps in fields of their own (the rest stay in `properties`).
PROPERTY_FIELDS = ("os_type", "os_distro", "os_version", "description")
FIELD_LIMITS = {"os_type": 50, "os_distro": 50, "os_version": 50}


# ---- the pull ----------------------------------------------------------------------


def sync_images(cloud, driver, progress=None) -> SyncCounts:
    """Mirror the cloud's ACTIVE images (seed 003), page by page; returns what changed.

    Images that stopped being active (deactivated, deleted) drop out of the listing and
    are marked missing. Only rows the portal believes active may go missing, so an
    upload still in progress (not active in the cloud yet) is left alone. Missing rows
    are marked only after a complete listing: a cloud error part way through leaves
    them as they were.
    """
    mirror = CloudMirror(Image, cloud, on_create=_adopt_cloud_ids)
    for number, page in enumerate(pages(driver.images.iter_images(status=Image.ACTIVE)), 1):
        mirror.upsert({info.id: _image_fields(info) for info in page})
        if progress:
            # The total is unknown until the listing ends: creep towards 90%.
            percent = 90 - 80 // (number + 1)
            progress(percent, M.READ(count=mirror.counts.read))
    mirror.mark_missing(Image.objects.filter(status=Image.ACTIVE))
    return mirror.counts


def _image_fields(info):
    properties = dict(info.properties or {})
    named = {name: _text(properties.get(name)) for name in PROPERTY_FIELDS}
    for name, limit in FIELD_LIMITS.items():
        named[name] = named[name][:limit]
    return {
        "name": info.name or "",
        "disk_format": info.disk_format or "",
        "container_format": info.container_format or "",
        "size": info.size,
        "checksum": info.checksum or "",
        "min_disk": info.min_disk or 0,
        "min_ram": info.min_ram or 0,
        "visibility": info.visibility or "",
        "owner": info.owner or "",
        "status": (info.status or "").lower(),
        "properties": properties,
        **named,
    }


def _text(value):
    return "" if value is None else str(value)


def _adopt_cloud_ids(images):
    """New synced rows take the cloud's id as their public id, unless an image of
    another cloud already holds it (then they keep their fresh UUID)."""
    wanted = [image.backend_id for image in images]
    taken = set(Image.objects.filter(image_id__in=wanted).values_list("image_id", flat=True))
    for image in images:
        if image.backend_id not in taken:
            image.image_id = image.backend_id


# ---- uploads: portal -> cloud ------------------------------------------------------


def transfer_image(image_pk, driver, task) -> TaskMessage:
    """Create the image in the cloud and stream the staged data into it.

    The cloud's copy is checked (size, checksum) before the portal calls the image
    active: against the checksum the client declared, or else the MD5 of the staged
    data as it is read (hashing that costs the worker as much CPU as the sending).
    Whatever happens, the staged data is removed; on failure the cloud image made here
    is deleted too (no half-uploaded image is left) and the error is raised for the Task.
    """
    image = Image.objects.select_related("cloud").get(pk=image_pk)
    if image.upload_state != UploadState.TRANSFERRING:
        raise Conflict(M.NOT_TRANSFERRING(state=image.get_upload_state_display()))
    if image.backend_id:
        # A redelivered job (its worker died): drop the first attempt's cloud image.
        _remove_from_cloud(image.backend_id, driver)
    try:
        info = driver.images.create_image(
            image.name, image.disk_format, image.container_format,
            min_disk=image.min_disk, min_ram=image.min_ram, properties=_properties_of(image),
        )  # fmt: skip
        Image.objects.filter(pk=image.pk).update(backend_id=info.id)
        image.backend_id = info.id
        with _staged_stream(image) as data:
            driver.images.upload_image_data(
                info.id, data, image.upload_size, progress=_throttled_progress(task, image)
            )
            _verify_format(image, data)
            info = driver.images.get_image(info.id)
            _verify_copy(image, info, image.checksum or data.md5.hexdigest())
        # Pieces that came during the transfer changed the row since it was read.
        image.refresh_from_db(fields=["upload_state", "received_bytes", "staged_parts"])
        image.finish_transfer(info)
        image.synced_at = timezone.now()
        image.save()
    except BaseException:
        _undo_transfer(image, driver)
        raise
    finally:
        pieces.discard(image)
        Image.objects.filter(pk=image.pk).update(staged_parts=[])
    return M.ACTIVE(name=image.name)


def _staged_stream(image: Image) -> pieces.StagedData:
    """The staged data as one stream, including pieces that arrive while it is read;
    hashed only when the client declared no checksum to check the cloud's copy against."""
    return pieces.StagedData(
        image.staged_parts, size=image.upload_size,
        more_parts=lambda listed: _wait_for_pieces(image.pk, listed),
        head_size=HEAD_BYTES, tail_size=TAIL_BYTES, hashed=not image.checksum,
    )  # fmt: skip


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _wait_for_pieces(image_pk, listed: int) -> list[str]:
    """The pieces staged after the first `listed`, once there are any. Raises when the
    upload was cut off: the image stopped transferring (aborted, deleted) or no piece
    came within IMAGE_UPLOAD_PIECE_WAIT_SECONDS."""
    seconds = getattr(settings, "IMAGE_UPLOAD_PIECE_WAIT_SECONDS", DEFAULT_PIECE_WAIT_SECONDS)
    deadline = time.monotonic() + seconds
    while True:
        row = Image.objects.filter(pk=image_pk).values("upload_state", "staged_parts").first()
        if row is None or row["upload_state"] != UploadState.TRANSFERRING:
            raise Unprocessable(M.CUT_OFF, code="upload_cut_off")
        if len(row["staged_parts"]) > listed:
            return row["staged_parts"][listed:]
        if time.monotonic() >= deadline:
            raise Unprocessable(
                M.CUT_OFF_WAITING(seconds=seconds),
                code="upload_cut_off",
            )
        _pause(PIECE_POLL_SECONDS)


def _verify_format(image: Image, data: pieces.StagedData) -> None:
    """The whole file judged at its end (a VHD's footer), as the last piece brought it."""
    if data.bytes_read == image.upload_size and not content_matches(
        image.disk_format, data.head, data.tail
    ):
        raise Unprocessable(
            M.FORMAT_MISMATCH(format=image.disk_format),
            code="format_mismatch",
        )


def _properties_of(image: Image) -> dict:
    named = {
        "os_type": image.os_type, "os_version": image.os_version,
        "description": image.description,
    }  # fmt: skip
    return {key: value for key, value in named.items() if value}


def _throttled_progress(task, image: Image):
    """A driver progress callback (bytes sent) that writes the Task only now and then."""
    last = {"percent": -1, "time": 0.0}

    def progress(sent: int) -> None:
        percent = min(99, sent * 100 // max(image.upload_size, 1))
        now = time.monotonic()
        due = now - last["time"] >= PROGRESS_EVERY_SECONDS or percent == 99
        if percent == last["percent"] or not due:
            return
        last.update(percent=percent, time=now)
        report_progress(task, percent, M.SENT(sent=sent, size=image.upload_size))

    return progress


def _verify_copy(image: Image, info, md5: str) -> None:
    # A cloud that converts what it is sent (Azure: raw data into a VHD) says how much of
    # the upload it took apart from the size of what it holds.
    received = info.size if info.data_size is None else info.data_size
    if received != image.upload_size:
        raise Unprocessable(
            M.SIZE_MISMATCH(cloud_size=received, size=image.upload_size),
            code="checksum_mismatch",
        )
    if info.checksum and info.checksum.lower() != md5:
        raise Unprocessable(
            M.CHECKSUM_MISMATCH(cloud=info.checksum, expected=md5),
            code="checksum_mismatch",
        )
    if (info.status or "").lower() != Image.ACTIVE:
        raise Unprocessable(
            M.NOT_ACTIVE(status=info.status),
            code="not_active",
        )


def _undo_transfer(image: Image, driver) -> None:
    """After a failed transfer: delete the cloud's image and mark the upload failed."""
    backend_id = image.backend_id
    left_in_cloud = (
        backend_id if backend_id and not _delete_from_cloud(backend_id, driver) else None
    )
    fresh = Image.objects.filter(pk=image.pk).first()
    if fresh is None:
        return  # deleted meanwhile (an upload cut off by its deletion)
    image = fresh
    if image.upload_state == UploadState.TRANSFERRING:
        image.fail_transfer()
        if left_in_cloud:
            image.backend_id = left_in_cloud  # so a later deletion can still find it
        image.save()


def _remove_from_cloud(backend_id: str, driver) -> None:
    """Delete the cloud's image; one already gone is fine."""
    with contextlib.suppress(CloudNotFound):
        driver.images.delete_image(backend_id)


def _delete_from_cloud(backend_id: str, driver) -> bool:
    """Best effort, after a failure: whether the cloud's image is gone."""
    try:
        _remove_from_cloud(backend_id, driver)
    except Exception:
        logger.exception("could not delete cloud image %s after a failed upload", backend_id)
        return False
    return True


# ---- abandoned uploads ------------------------------------------------------------


def discard_abandoned_uploads(now=None) -> int:
    """Remove the staged pieces of uploads whose client stopped sending (no piece for
    IMAGE_UPLOAD_ABANDON_HOURS); the images wait for data again. Returns how many."""
    hours = getattr(settings, "IMAGE_UPLOAD_ABANDON_HOURS", DEFAULT_ABANDON_AFTER_HOURS)
    cutoff = (now or timezone.now()) - timedelta(hours=hours)
    stale = Image.objects.filter(upload_state=UploadState.RECEIVING, updated__lt=cutoff)
    discarded = 0
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            image = Image.objects.select_for_update().get(pk=pk)
            if image.upload_state != UploadState.RECEIVING or image.updated >= cutoff:
                continue  # a piece arrived meanwhile
            parts = image.staged_parts
            image.discard_received()
            image.staged_parts = []
            image.save()
        staging.delete_names(parts)
        pieces.discard(image)
        discarded += 1
    return discarded


@on_task_abandoned(UPLOAD_KIND)
def _abandoned_transfer(task) -> None:
    """The janitor failed a transfer past its deadline: the image is failed and its
    staged data removed. A cloud image it may have made keeps its id on the row, so
    deleting the image removes it from the cloud too."""
    image = Image.objects.filter(image_id=task.target_id).first()
    if image is None or image.upload_state != UploadState.TRANSFERRING:
        return
    backend_id = image.backend_id
    image.fail_transfer()
    image.backend_id = backend_id
    image.save()
    pieces.discard(image)
    Image.objects.filter(pk=image.pk).update(staged_parts=[])


# ---- deleting uploaded images ------------------------------------------------------


def delete_uploaded_image(image_pk, driver) -> TaskMessage:
    """The deletion job's work: the cloud's image (already gone is fine), the staged
    data, then the row. On a cloud error the image stays as it was."""
    image = Image.objects.get(pk=image_pk)
    try:
        if image.backend_id:
            _remove_from_cloud(image.backend_id, driver)
        pieces.discard(image)
        image.delete()
    except BaseException:
        image.refresh_from_db()
        if image.upload_state == UploadState.DELETING:
            image.deletion_failed()
            image.save()
        raise
    return M.DELETED(name=image.name)
