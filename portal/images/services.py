"""Image operations: who sees which image, the image pull, enabling and disabling,
uploads through the portal and their deletion."""

import contextlib
import logging
import re
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.clouds.errors import CloudNotFound
from portal.clouds.formats import HEAD_BYTES, TAIL_BYTES, content_matches
from portal.clouds.mirror import CloudMirror, SyncCounts, pages
from portal.clouds.sync import cloud_for_region
from portal.core.errors import Conflict, Unprocessable, ValidationFailed
from portal.core.models import Task
from portal.core.principals import ApiPrincipal, actor_of, tenant_scope
from portal.core.services import create_task, enqueue, on_task_abandoned, report_progress
from portal.images import staging
from portal.images.models import Image, UploadState
from portal.tenants.models import TenantIdentity

logger = logging.getLogger(__name__)

UPLOAD_KIND = "images.upload"
DELETE_KIND = "images.delete"
# Default largest image accepted (settings.IMAGE_UPLOAD_MAX_BYTES overrides it).
DEFAULT_UPLOAD_MAX_BYTES = 64 * 1024**3
# The transfer reports progress at most this often (seconds) or per this many percent.
PROGRESS_EVERY_SECONDS = 1.0
# An upload that received nothing for this long is abandoned: its pieces are removed.
DEFAULT_ABANDON_AFTER_HOURS = 24
# The transfer to the cloud starts once this many bytes are staged (or the last byte is
# in), so the two legs overlap; settings.IMAGE_TRANSFER_START_BYTES overrides it.
DEFAULT_TRANSFER_START_BYTES = 64 * 1024**2
# A PUT body is staged in parts of at most this many bytes (IMAGE_STAGE_PART_BYTES), so a
# long body can be read by the transfer while it still arrives.
DEFAULT_STAGE_PART_BYTES = 32 * 1024**2
# A transfer under way waits this long (seconds) for the next piece before it calls the
# upload cut off (settings.IMAGE_UPLOAD_PIECE_WAIT_SECONDS), asking every POLL seconds.
DEFAULT_PIECE_WAIT_SECONDS = 600
PIECE_POLL_SECONDS = 0.05
# Disk formats recognised by their first bytes alone (a VHD's signature may be at its end).
HEAD_SIGNED_FORMATS = ("qcow2", "iso", "vmdk", "vhdx", "vdi")
CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
# Image properties the portal keeps in fields of their own (the rest stay in `properties`).
PROPERTY_FIELDS = ("os_type", "os_distro", "os_version", "description")
FIELD_LIMITS = {"os_type": 50, "os_distro": 50, "os_version": 50}


# ---- reading ------------------------------------------------------------------------


def images_visible_to(user):
    """Operators see every image. A tenant sees enabled, active images the cloud still
    lists, and of those only what its project may boot: open (public, community) images
    and its own project's; another project's private image would only fail at boot."""
    images = Image.objects.all()
    tenant = tenant_scope(user)
    if tenant is None:
        return images
    own_projects = TenantIdentity.objects.filter(tenant=tenant, cloud=OuterRef("cloud")).exclude(
        project_id=""
    )
    return images.filter(enabled=True, status=Image.ACTIVE, missing_since__isnull=True).filter(
        Q(visibility__in=Image.OPEN_VISIBILITIES)
        | Q(owner__in=Subquery(own_projects.values("project_id")))
    )


# ---- portal flags -------------------------------------------------------------------


def set_images_enabled(images, enabled: bool) -> int:
    """Enable or disable images. A portal flag only (seed 003): the cloud is not told, and
    templates and servers made from a disabled image are left as they are. Rows already
    so are not written, so repeating it is harmless."""
    return images.exclude(enabled=enabled).update(enabled=enabled, updated=timezone.now())


def set_image_enabled(image: Image, enabled: bool) -> Image:
    set_images_enabled(Image.objects.filter(pk=image.pk), enabled)
    image.enabled = enabled
    return image


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
            progress(percent, _("Read %(count)d images.") % {"count": mirror.counts.read})
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


# ---- uploads: browser/API client -> portal ------------------------------------------


def upload_limit() -> int:
    return getattr(settings, "IMAGE_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES)


def create_upload(metadata: dict, *, user, region=None) -> Image:
    """A new image waiting for its data (upload state and Glance status `queued`)."""
    cloud = cloud_for_region(region)
    return Image.objects.create(
        cloud=cloud,
        name=metadata["name"],
        disk_format=metadata["disk_format"],
        container_format=metadata["container_format"],
        min_disk=metadata.get("min_disk", 0),
        min_ram=metadata.get("min_ram", 0),
        os_type=metadata.get("os_type", ""),
        os_version=metadata.get("os_version", ""),
        description=metadata.get("description", ""),
        # Declared by the client (or blank): what the cloud's copy must have.
        checksum=metadata.get("checksum", "").lower(),
        status="queued",
        origin=Image.Origin.UPLOADED,
        upload_state=UploadState.QUEUED,
        uploaded_by=None if isinstance(user, ApiPrincipal) or user is None else user,
        uploaded_by_actor=str(actor_of(user))[:200],
    )


def parse_content_range(header: str | None, length: int) -> tuple[int, int]:
    """(offset, total) of a PUT body of `length` bytes; the whole file without a header."""
    if not header:
        return 0, length
    match = CONTENT_RANGE.match(header.strip())
    if match is None:
        raise ValidationFailed(
            _("Content-Range must look like 'bytes START-END/TOTAL'."), code="bad_range"
        )
    start, end, total = (int(group) for group in match.groups())
    if end < start or end >= total or end - start + 1 != length:
        raise ValidationFailed(
            _("Content-Range %(range)s does not match a body of %(length)d bytes.")
            % {"range": header, "length": length},
            code="bad_range",
        )
    return start, total


def receive_upload_piece(image: Image, stream, length: int, content_range=None, actor=None):
    """Stage one PUT body of an upload; returns (image, transfer Task or None).

    The body is staged in parts of at most IMAGE_STAGE_PART_BYTES, each listed on the
    row as it lands, so the transfer can start and read a long body while it still
    arrives; a body cut off keeps the parts that landed whole (the client resumes from
    `received_bytes`). A part is written before the row is locked (a long write holds
    no lock), then accepted only if it still continues the data exactly. The head (and
    the last byte) check the file's magic bytes against its disk format; a file that is
    not what it claims is dropped and the image waits for data again.
    """
    offset, total = parse_content_range(content_range, length)
    if total == 0 or length == 0:
        raise ValidationFailed(_("The image file is empty."), code="empty_file")
    staging.check_size_limit(total, upload_limit())
    task, end = None, offset + length
    part_limit = getattr(settings, "IMAGE_STAGE_PART_BYTES", DEFAULT_STAGE_PART_BYTES)
    while offset < end:
        part = min(part_limit, end - offset)
        image, task = _receive_part(image, stream, offset, part, total, actor)
        offset += part
    return image, task


def _receive_part(image: Image, stream, offset: int, length: int, total: int, actor):
    _check_continues(image, offset, total)
    name = staging.save_piece(image, offset, stream, length)
    try:
        return _accept_piece(image, name, offset, length, total, actor)
    except BaseException:
        _forget_piece(image, name)
        raise


def _accept_piece(image: Image, name: str, offset: int, length: int, total: int, actor):
    """Add a staged piece to the image, judge the format, start the transfer when due."""
    task = refused_parts = None
    with transaction.atomic():
        image = Image.objects.select_for_update().get(pk=image.pk)
        _check_continues(image, offset, total)
        image.staged_parts = [*image.staged_parts, name]
        complete = offset + length == total
        if image.still_receiving:
            # The transfer is under way and reads this piece; it judges the whole file
            # (a VHD's footer) itself at the end and fails if it is wrong.
            image.receive_during_transfer(offset + length)
            image.save()
            return image, _upload_task_of(image)
        image.receive(offset + length, total)
        if not _content_matches(image, offset, complete):
            refused_parts = image.staged_parts
            image.discard_received()
            image.staged_parts = []
            image.save()
        elif complete or image.received_bytes >= transfer_start_bytes():
            task = _queue_transfer(image, actor)
        else:
            image.save()
    if refused_parts is not None:
        staging.delete_names(refused_parts)
        raise ValidationFailed(
            _("The file is not a %(format)s image (its first bytes say otherwise).")
            % {"format": image.disk_format},
            code="format_mismatch",
        )
    return image, task


def _check_continues(image: Image, offset: int, total: int) -> None:
    if not image.is_receiving:
        raise Conflict(
            _("This image already has its data (it is %(state)s); create a new image instead.")
            % {"state": image.get_upload_state_display() or _("synced from the cloud")},
            code="already_uploaded",
        )
    if image.upload_size is not None and total != image.upload_size:
        raise ValidationFailed(
            _("The upload was announced as %(size)d bytes, not %(total)d.")
            % {"size": image.upload_size, "total": total},
            code="bad_range",
        )
    if offset != image.received_bytes:
        raise Conflict(
            _("The next piece must start at byte %(next)d.") % {"next": image.received_bytes},
            code="wrong_offset",
            fields={"received_bytes": image.received_bytes},
        )


def transfer_start_bytes() -> int:
    """How much must be staged before the transfer starts: at least the head, so a file
    that is not what its format says never reaches the cloud."""
    wanted = getattr(settings, "IMAGE_TRANSFER_START_BYTES", DEFAULT_TRANSFER_START_BYTES)
    return max(wanted, HEAD_BYTES)


def _upload_task_of(image: Image):
    return Task.objects.filter(kind=UPLOAD_KIND, target_id=image.image_id).latest("created")


def _forget_piece(image: Image, name: str) -> None:
    """A piece whose request failed: delete it, unless the row accepted it after all."""
    if not Image.objects.filter(pk=image.pk, staged_parts__contains=[name]).exists():
        staging.delete_names([name])


def _content_matches(image: Image, offset: int, complete: bool) -> bool:
    """Whether the staged bytes are of the declared disk format. The whole file is judged
    at its last byte; formats known by their first bytes are judged as soon as those have
    arrived too, so a wrong multi-GB file is refused early."""
    head_just_in = offset < HEAD_BYTES <= image.received_bytes
    if not complete and not (head_just_in and image.disk_format in HEAD_SIGNED_FORMATS):
        return True
    head, tail = staging.head_and_tail(image.staged_parts, HEAD_BYTES, TAIL_BYTES)
    return content_matches(image.disk_format, head, tail)


def _queue_transfer(image: Image, actor):
    image.start_transfer()
    image.save()
    task = create_task(UPLOAD_KIND, target_type="image", target_id=image.image_id, actor=actor)
    enqueue(task, "portal.images.tasks.transfer_image", image.pk)
    return task


# ---- uploads: portal -> cloud (the Celery job's work) ---------------------------------


def transfer_image(image_pk, driver, task) -> str:
    """Create the image in the cloud and stream the staged data into it.

    The cloud's copy is checked (size, checksum) before the portal calls the image
    active: against the checksum the client declared, or else the MD5 of the staged
    data as it is read (hashing that costs the worker as much CPU as the sending).
    Whatever happens, the staged data is removed; on failure the cloud image made here
    is deleted too (no half-uploaded image is left) and the error is raised for the Task.
    """
    image = Image.objects.select_related("cloud").get(pk=image_pk)
    if image.upload_state != UploadState.TRANSFERRING:
        raise Conflict(
            _("The image is %(state)s, no longer waiting for its transfer.")
            % {"state": image.get_upload_state_display()}
        )
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
        staging.discard(image)
        Image.objects.filter(pk=image.pk).update(staged_parts=[])
    return _("The image %(name)s is active in the cloud.") % {"name": image.name}


def _staged_stream(image: Image) -> staging.StagedData:
    """The staged data as one stream, including pieces that arrive while it is read;
    hashed only when the client declared no checksum to check the cloud's copy against."""
    return staging.StagedData(
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
            raise Unprocessable(_("The upload was cut off."), code="upload_cut_off")
        if len(row["staged_parts"]) > listed:
            return row["staged_parts"][listed:]
        if time.monotonic() >= deadline:
            raise Unprocessable(
                _("The upload was cut off: no piece arrived for %(seconds)d seconds.")
                % {"seconds": seconds},
                code="upload_cut_off",
            )
        _pause(PIECE_POLL_SECONDS)


def _verify_format(image: Image, data: staging.StagedData) -> None:
    """The whole file judged at its end (a VHD's footer), as the last piece brought it."""
    if data.bytes_read == image.upload_size and not content_matches(
        image.disk_format, data.head, data.tail
    ):
        raise Unprocessable(
            _("The file is not a %(format)s image (its first bytes say otherwise).")
            % {"format": image.disk_format},
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
        report_progress(
            task, percent,
            _("Sent %(sent)d of %(size)d bytes to the cloud.")
            % {"sent": sent, "size": image.upload_size},
        )  # fmt: skip

    return progress


def _verify_copy(image: Image, info, md5: str) -> None:
    if info.size != image.upload_size:
        raise Unprocessable(
            _(
                "The cloud's copy does not match the upload (size %(cloud_size)s, expected "
                "%(size)s); it was removed."
            )
            % {"cloud_size": info.size, "size": image.upload_size},
            code="checksum_mismatch",
        )
    if info.checksum and info.checksum.lower() != md5:
        raise Unprocessable(
            _(
                "The cloud's copy has the checksum %(cloud)s, not %(expected)s as expected; "
                "it was removed."
            )
            % {"cloud": info.checksum, "expected": md5},
            code="checksum_mismatch",
        )
    if (info.status or "").lower() != Image.ACTIVE:
        raise Unprocessable(
            _("The cloud left the image %(status)s instead of active; it was removed.")
            % {"status": info.status},
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


def reread(image: Image) -> Image:
    """The image as the database now holds it (itself if it was deleted meanwhile)."""
    fresh = Image.objects.select_related("cloud", "uploaded_by").filter(pk=image.pk).first()
    return fresh or image


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
        staging.discard(image)
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
    staging.discard(image)
    Image.objects.filter(pk=image.pk).update(staged_parts=[])


# ---- deleting uploaded images ------------------------------------------------------


def request_image_deletion(image: Image, actor=None):
    """Queue the deletion of an uploaded image: from the cloud first, then the portal.

    Synced images belong to the cloud and are refused, as is an image whose data is all
    on its way to the cloud. An upload still receiving data is simply abandoned (its
    staged pieces go with it); if its transfer already started, that transfer fails and
    removes what it sent. Returns (image, Task).
    """
    with transaction.atomic():
        image = Image.objects.select_for_update().get(pk=image.pk)
        _check_deletable(image)
        if image.still_receiving:
            _abort_transfer(image)
        image.start_deletion()
        image.save()
        task = create_task(DELETE_KIND, target_type="image", target_id=image.image_id, actor=actor)
        enqueue(task, "portal.images.tasks.delete_image", image.pk)
    return image, task


def _abort_transfer(image: Image) -> None:
    """An upload cut off by its deletion while its transfer waits for more pieces: the
    transfer job notices and removes what it sent; the row keeps the cloud image's id so
    the deletion removes it too, should that job be gone."""
    backend_id = image.backend_id
    image.fail_transfer()
    image.backend_id = backend_id


def _check_deletable(image: Image) -> None:
    if image.origin != Image.Origin.UPLOADED:
        raise Conflict(
            _(
                "Only images uploaded through the portal can be deleted here; this one was "
                "synced from the cloud, so delete it in the cloud or disable it instead."
            ),
            code="synced_image",
        )
    if image.upload_state == UploadState.TRANSFERRING and not image.still_receiving:
        raise Conflict(
            _("The image is being transferred to the cloud; wait for the upload to end."),
            code="upload_in_progress",
        )
    if image.upload_state == UploadState.DELETING:
        raise Conflict(_("The image is already being deleted."), code="deleting")
    templates = list(image.templates.values_list("name", flat=True)[:5])
    if templates:
        raise Conflict(
            _("Server templates still use this image (%(names)s); delete them first.")
            % {"names": ", ".join(templates)},
            code="image_in_use",
        )


def delete_uploaded_image(image_pk, driver) -> str:
    """The deletion job's work: the cloud's image (already gone is fine), the staged
    data, then the row. On a cloud error the image stays as it was."""
    image = Image.objects.get(pk=image_pk)
    try:
        if image.backend_id:
            _remove_from_cloud(image.backend_id, driver)
        staging.discard(image)
        image.delete()
    except BaseException:
        image.refresh_from_db()
        if image.upload_state == UploadState.DELETING:
            image.deletion_failed()
            image.save()
        raise
    return _("The image %(name)s was deleted.") % {"name": image.name}
