"""Image uploads, the request side: a new image's metadata, its data staged piece by
piece (portal/images/pieces.py) with the format checked on the way, the transfer to the
cloud queued (its work is workflows.transfer_image), and deleting an uploaded image."""

import re

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from portal.clouds.capabilities import refuse_disk_format
from portal.clouds.formats import HEAD_BYTES, TAIL_BYTES, content_matches
from portal.clouds.sync import cloud_for_region
from portal.core import staging
from portal.core.errors import Conflict, NotFound, ValidationFailed
from portal.core.models import Task
from portal.core.principals import ApiPrincipal, actor_of
from portal.core.services import create_task, enqueue
from portal.images import pieces
from portal.images.models import DELETE_KIND, UPLOAD_KIND, Image, UploadState

# Default largest image accepted (settings.IMAGE_UPLOAD_MAX_BYTES overrides it).
DEFAULT_UPLOAD_MAX_BYTES = 64 * 1024**3
# The transfer to the cloud starts once this many bytes are staged (or the last byte is
# in), so the two legs overlap; settings.IMAGE_TRANSFER_START_BYTES overrides it.
DEFAULT_TRANSFER_START_BYTES = 64 * 1024**2
# A PUT body is staged in parts of at most this many bytes (IMAGE_STAGE_PART_BYTES), so a
# long body can be read by the transfer while it still arrives.
DEFAULT_STAGE_PART_BYTES = 32 * 1024**2
# Disk formats recognised by their first bytes alone (a VHD's signature may be at its end).
HEAD_SIGNED_FORMATS = ("qcow2", "iso", "vmdk", "vhdx", "vdi")
CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def upload_limit() -> int:
    return getattr(settings, "IMAGE_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES)


def create_upload(metadata: dict, *, user, region=None) -> Image:
    """A new image waiting for its data (upload state and Glance status `queued`); 422
    for a disk format the region's cloud cannot boot (Azure: raw or vhd only)."""
    cloud = cloud_for_region(region)
    refuse_disk_format(cloud, metadata["disk_format"])
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
    pieces.check_size_limit(total, upload_limit())
    task, end = None, offset + length
    part_limit = getattr(settings, "IMAGE_STAGE_PART_BYTES", DEFAULT_STAGE_PART_BYTES)
    while offset < end:
        part = min(part_limit, end - offset)
        image, task = _receive_part(image, stream, offset, part, total, actor)
        offset += part
    return image, task


def _receive_part(image: Image, stream, offset: int, length: int, total: int, actor):
    _check_continues(image, offset, total)
    name = pieces.save_piece(image, offset, stream, length)
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
    # Read and compared here: JSON `contains` lookups do not exist on SQLite.
    accepted = Image.objects.filter(pk=image.pk).values_list("staged_parts", flat=True).first()
    if name not in (accepted or []):
        staging.delete_names([name])


def _content_matches(image: Image, offset: int, complete: bool) -> bool:
    """Whether the staged bytes are of the declared disk format. The whole file is judged
    at its last byte; formats known by their first bytes are judged as soon as those have
    arrived too, so a wrong multi-GB file is refused early."""
    head_just_in = offset < HEAD_BYTES <= image.received_bytes
    if not complete and not (head_just_in and image.disk_format in HEAD_SIGNED_FORMATS):
        return True
    head, tail = pieces.head_and_tail(image.staged_parts, HEAD_BYTES, TAIL_BYTES)
    return content_matches(image.disk_format, head, tail)


def _queue_transfer(image: Image, actor):
    image.start_transfer()
    image.save()
    task = create_task(UPLOAD_KIND, target_type="image", target_id=image.image_id, actor=actor)
    enqueue(task, "portal.images.tasks.transfer_image", image.pk)
    return task


# ---- deleting uploaded images ------------------------------------------------------


def request_image_deletion(image: Image, actor=None):
    """Queue the deletion of an uploaded image: from the cloud first, then the portal.

    Synced images belong to the cloud and are refused, as is an image whose data is all
    on its way to the cloud. An upload still receiving data is simply abandoned (its
    staged pieces go with it); if its transfer already started, that transfer fails and
    removes what it sent. Returns (image, Task).
    """
    with transaction.atomic():
        image = Image.objects.select_for_update().filter(pk=image.pk).first()
        if image is None:  # an earlier deletion's job ended since the caller looked it up
            raise NotFound()
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
